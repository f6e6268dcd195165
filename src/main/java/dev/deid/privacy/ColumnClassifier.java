package dev.deid.privacy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Proposes a class and an action for a raw column from what its values look like (a profile),
 * with the evidence, for {@code discover}'s draft spec. The rules err towards protection: a column
 * no rule recognizes is proposed as sensitive and dropped, and every proposal is for a person to
 * review before a spec is run.
 */
public final class ColumnClassifier {
  /**
   * What a scan measured of one column: counts over all rows, shares over a sample of non-null
   * values ({@code wholeValue}: the value is entirely one identifier, by pattern name;
   * {@code contains}: it holds one somewhere).
   */
  public record ColumnProfile(String table, String column, String type, long rows, long nulls, long distinct,
      double averageLength, Map<String, Double> wholeValue, Map<String, Double> contains, double chineseNames,
      double geography, double gender, double postcodes, Integer minYear, Integer maxYear) {
    public ColumnProfile {
      wholeValue = Map.copyOf(wholeValue);
      contains = Map.copyOf(contains);
    }

    public long nonNull() {
      return rows - nulls;
    }

    /** Distinct values per non-null value: 1 for a key. */
    public double uniqueness() {
      // The distinct count is approximate (about 2 %): a key may count slightly more values than rows.
      return nonNull() == 0 ? 0 : Math.min(1.0, (double) distinct / nonNull());
    }
  }

  /** A proposed classification: YAML-ready parameters (e.g. {@code keepLast: 4}) and why. */
  public record Proposal(String columnClass, String action, Map<String, Object> parameters, List<String> evidence) {
    public Proposal {
      parameters = Map.copyOf(parameters);
      evidence = List.copyOf(evidence);
    }
  }

  private static final double MOST = 0.5;
  private static final Set<String> SUBJECT_WORDS = Set.of("customer", "user", "subject", "person", "member", "client", "patient");
  /** The most common Chinese surnames (single characters); a two- or three-character value starting with one reads as a name. */
  public static final String SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
      + "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤";
  /** China's provincial-level divisions, short forms. */
  public static final Set<String> PROVINCES = Set.of("北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏",
      "浙江", "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海",
      "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门");
  /** Large Chinese cities, short forms. */
  public static final Set<String> CITIES = Set.of("深圳", "广州", "成都", "杭州", "武汉", "西安", "南京", "苏州", "郑州", "长沙", "东莞",
      "青岛", "沈阳", "宁波", "昆明", "合肥", "厦门", "福州", "哈尔滨", "济南", "大连", "南宁", "贵阳", "兰州", "海口", "拉萨", "石家庄",
      "太原", "长春", "南昌", "无锡", "佛山", "温州", "泉州", "烟台", "徐州", "常州", "珠海", "中山", "惠州", "乌鲁木齐", "呼和浩特",
      "银川", "西宁", "洛阳", "唐山", "保定", "绍兴", "嘉兴", "台州", "金华", "扬州", "南通", "潍坊", "临沂", "襄阳", "宜昌", "株洲");
  private static final Set<String> GENDERS = Set.of("m", "f", "male", "female", "男", "女", "man", "woman", "x", "u", "other", "unknown");

  private ColumnClassifier() {}

  /** Whether a value reads as a Chinese personal name. */
  public static boolean isChineseName(String value) {
    String v = value.strip();
    return (v.length() == 2 || v.length() == 3) && v.codePoints().allMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN)
        && SURNAMES.indexOf(v.charAt(0)) >= 0;
  }

  /** Whether a value names a province, a large city, or a place by its administrative suffix. */
  public static boolean isGeography(String value) {
    String v = value.strip();
    return PROVINCES.contains(v) || CITIES.contains(v) || v.matches("[\\p{IsHan}]{1,8}(省|市|区|县|自治区|自治州|盟)");
  }

  public static boolean isGender(String value) {
    return GENDERS.contains(value.strip().toLowerCase(Locale.ROOT));
  }

  public static boolean isPostcode(String value) {
    return value.strip().matches("[0-9]{6}");
  }

  /**
   * The proposal for one column; {@code keyColumns} are the columns that are keys (almost unique)
   * in some table, by name, so that the same name elsewhere is taken for a reference to the person
   * or record.
   */
  public static Proposal propose(ColumnProfile p, Set<String> keyColumns) {
    List<String> evidence = new ArrayList<>();
    evidence.add(String.format(Locale.ROOT, "%s, %d rows, %.1f %% null, %d distinct (uniqueness %.3f)", p.type(), p.rows(),
        p.rows() == 0 ? 0.0 : 100.0 * p.nulls() / p.rows(), p.distinct(), p.uniqueness()));
    String name = p.column().toLowerCase(Locale.ROOT);
    if ("string".equals(p.type())) {
      Map.Entry<String, Double> whole = p.wholeValue().entrySet().stream().max(Map.Entry.comparingByValue()).orElse(null);
      if (whole != null && whole.getValue() >= MOST) {
        evidence.add(share(whole.getValue()) + " of sampled values are each one " + whole.getKey());
        return switch (whole.getKey()) {
          case "email" -> new Proposal("direct_identifier", "pseudonymize", Map.of(), evidence);
          case "mobile", "landline" -> new Proposal("direct_identifier", "mask", Map.of("keepLast", 4), evidence);
          default -> new Proposal("direct_identifier", "drop", Map.of(), evidence);
        };
      }
      if (p.chineseNames() >= MOST) {
        evidence.add(share(p.chineseNames()) + " of sampled values read as Chinese personal names (common surname, 2-3 characters)");
        return new Proposal("direct_identifier", "drop", Map.of(), evidence);
      }
      if (p.distinct() >= 100 && p.uniqueness() >= 0.95 && p.averageLength() < 64) {
        evidence.add("a key: almost every value is distinct");
        return new Proposal("direct_identifier", "pseudonymize", Map.of(), evidence);
      }
      if (keyColumns.contains(p.column())) {
        evidence.add("shares its name with a key column of another table: a reference to the same record or person");
        return new Proposal("direct_identifier", "pseudonymize", Map.of(), evidence);
      }
      double anyPattern = p.contains().values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
      if (p.averageLength() >= 12 && p.distinct() > 20) {
        evidence.add(String.format(Locale.ROOT, "free text (average %.0f characters)", p.averageLength())
            + (anyPattern > 0 ? "; " + share(anyPattern) + " of sampled values hold " + p.contains().keySet() : ""));
        return new Proposal("sensitive", "redact", Map.of(), evidence);
      }
      if (p.postcodes() >= 0.9) {
        evidence.add(share(p.postcodes()) + " of sampled values are six-digit postcodes");
        return new Proposal("quasi_identifier", "prefix", Map.of("length", 4), evidence);
      }
      if (p.geography() >= 0.8) {
        evidence.add(share(p.geography()) + " of sampled values name a place");
        return new Proposal("quasi_identifier", "keep", Map.of(), evidence);
      }
      if (p.gender() >= 0.9 && p.distinct() <= 4) {
        evidence.add("values are genders");
        return new Proposal("quasi_identifier", "keep", Map.of(), evidence);
      }
      if (anyPattern > 0) {
        evidence.add(share(anyPattern) + " of sampled values hold " + p.contains().keySet());
        return new Proposal("sensitive", "redact", Map.of(), evidence);
      }
      if (p.distinct() <= 50) {
        evidence.add("a category: " + p.distinct() + " distinct values");
        return new Proposal("insensitive", "keep", Map.of(), evidence);
      }
      evidence.add("not recognized: dropped until someone decides");
      return new Proposal("sensitive", "drop", Map.of(), evidence);
    }
    if ("date".equals(p.type()) || "timestamp".equals(p.type())) {
      boolean birthLike = name.contains("birth") || name.contains("dob") || name.contains("生日") || name.contains("出生");
      if (birthLike || ("date".equals(p.type()) && p.minYear() != null && p.maxYear() != null && p.minYear() < 1990
          && p.maxYear() - p.minYear() >= 30)) {
        evidence.add("dates spanning " + p.minYear() + "-" + p.maxYear() + (birthLike ? ", named as a birth date" : "")
            + ": a birth date, a quasi-identifier");
        return new Proposal("quasi_identifier", "age_band", Map.of("width", 10, "as", p.column().replaceAll("(?i)_?date$", "") + "_band"),
            evidence);
      }
      evidence.add("a point in time: kept to the day");
      return new Proposal("insensitive", "truncate", Map.of("unit", "day"), evidence);
    }
    if ("boolean".equals(p.type())) {
      evidence.add("a flag");
      return new Proposal("insensitive", "keep", Map.of(), evidence);
    }
    if (p.distinct() >= 100 && p.uniqueness() >= 0.95 && (name.endsWith("id") || name.endsWith("_no") || name.endsWith("number"))) {
      evidence.add("a numeric key: almost every value is distinct");
      return new Proposal("direct_identifier", "pseudonymize", Map.of(), evidence);
    }
    evidence.add("a number: kept; review whether it is sensitive");
    return new Proposal("insensitive", "keep", Map.of(), evidence);
  }

  /** Whether a column's name says it holds the id of a person (for consent and erasure). */
  public static boolean namesAPerson(String column) {
    String name = column.toLowerCase(Locale.ROOT);
    return SUBJECT_WORDS.stream().anyMatch(name::contains) && (name.endsWith("id") || name.endsWith("_no"));
  }

  private static String share(double fraction) {
    return String.format(Locale.ROOT, "%.0f %%", fraction * 100);
  }

  /** Classes per table, for the data map: which sources hold which classes of data. */
  public static Map<String, Map<String, List<String>>> dataMap(Map<String, Map<String, Proposal>> proposals) {
    Map<String, Map<String, List<String>>> map = new LinkedHashMap<>();
    proposals.forEach((table, columns) -> columns.forEach((column, p) ->
        map.computeIfAbsent(table, t -> new LinkedHashMap<>()).computeIfAbsent(p.columnClass(), c -> new ArrayList<>()).add(column)));
    return map;
  }
}
