package dev.deid.sample;

import dev.deid.io.DeltaStore;
import dev.deid.io.TableStore;
import dev.deid.io.Warehouse;
import dev.deid.privacy.ChineseIds;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * Realistic raw customer tables, generated in parallel by Spark from a seed: every value is a pure
 * function of (seed, row id), so the same seed and size give the same data on any cluster, and
 * 100 million customers take no driver memory. Cities and ages are skewed (a few large cities,
 * more young adults) so that k-anonymity is not trivial.
 */
public final class SampleData {
  /** City, province, 6-digit area code of resident IDs, 4-digit postcode prefix; most populous first. */
  private static final String[][] CITIES = {
      {"上海", "上海", "310101", "2000"}, {"北京", "北京", "110101", "1000"}, {"深圳", "广东", "440301", "5180"},
      {"广州", "广东", "440103", "5100"}, {"成都", "四川", "510104", "6100"}, {"重庆", "重庆", "500101", "4040"},
      {"杭州", "浙江", "330102", "3100"}, {"武汉", "湖北", "420102", "4300"}, {"西安", "陕西", "610102", "7100"},
      {"天津", "天津", "120101", "3000"}, {"南京", "江苏", "320102", "2100"}, {"苏州", "江苏", "320505", "2150"},
      {"郑州", "河南", "410102", "4500"}, {"长沙", "湖南", "430102", "4100"}, {"东莞", "广东", "441900", "5230"},
      {"青岛", "山东", "370202", "2660"}, {"沈阳", "辽宁", "210102", "1100"}, {"宁波", "浙江", "330203", "3150"},
      {"昆明", "云南", "530102", "6500"}, {"合肥", "安徽", "340102", "2300"}, {"厦门", "福建", "350203", "3610"},
      {"福州", "福建", "350102", "3500"}, {"哈尔滨", "黑龙江", "230102", "1500"}, {"济南", "山东", "370102", "2500"},
      {"大连", "辽宁", "210202", "1160"}, {"南宁", "广西", "450102", "5300"}, {"贵阳", "贵州", "520102", "5500"},
      {"兰州", "甘肃", "620102", "7300"}, {"海口", "海南", "460105", "5700"}, {"拉萨", "西藏", "540102", "8500"}};
  private static final String[] SURNAMES = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭"};
  private static final String[] SURNAME_PINYIN = {"wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma", "zhu", "hu", "guo"};
  private static final String[] GIVEN = {"伟", "芳", "娜", "敏", "静", "磊", "强", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英", "建华", "子涵", "浩然"};
  private static final String[] DOMAINS = {"qq.com", "163.com", "126.com", "gmail.com", "sina.com", "outlook.com"};
  private static final String[] MOBILE_PREFIXES = {"138", "139", "137", "136", "186", "185", "152", "158", "177", "199", "131", "132"};
  private static final String[] CATEGORIES = {"electronics", "groceries", "apparel", "home", "beauty", "books", "toys", "sports"};
  private static final String[] REGIONS = {"east", "north", "south", "central", "southwest", "northwest", "northeast"};
  private static final String[] COMMENTS = {"送货很快，非常满意", "质量一般", "客服态度很好", "包装破损了", "会再次购买", "价格有点贵", "Great service", "Delivery was late"};

  private final SparkSession spark;
  private final long seed;
  private final Instant referenceTime;

  public SampleData(SparkSession spark, long seed, Instant referenceTime) {
    this.spark = spark;
    this.seed = seed;
    this.referenceTime = referenceTime;
  }

  public static List<String> tables() {
    return List.of("customers", "orders", "feedback", "erasure_requests");
  }

  /** Generates all four tables under {@code warehouse}'s raw zone, replacing any there. */
  public void writeAll(Warehouse warehouse, long customers) {
    if (customers < 1_000 || customers > 100_000_000L) {
      throw new IllegalArgumentException("Invalid number of customers: " + customers + " (must be 1,000 to 100,000,000)");
    }
    TableStore store = new DeltaStore(spark);
    write(store, warehouse.rawTable("customers"), customers(customers));
    write(store, warehouse.rawTable("orders"), orders(customers, 3 * customers));
    write(store, warehouse.rawTable("feedback"), feedback(customers, Math.max(1, customers / 4)));
    write(store, warehouse.rawTable("erasure_requests"), erasureRequests(customers, Math.max(5, customers / 1000)));
  }

  /** Raw tables as writers commonly create them, with deletion vectors on (the job must cope with them). */
  private static void write(TableStore store, String path, Dataset<Row> data) {
    store.replace(path, data, Map.of("delta.enableDeletionVectors", "true"));
  }

  /** A uniform double in [0, 1) that depends only on the seed, the row's id column and a salt. */
  private Column uniform(Column id, int salt) {
    Column hash = functions.xxhash64(functions.lit(seed), id, functions.lit(salt));
    return functions.pmod(hash, functions.lit(1L << 53)).cast("double").divide((double) (1L << 53));
  }

  private Column pick(String[] values, Column unit) {
    Column index = functions.floor(unit.multiply(values.length)).cast("int");
    return functions.element_at(functions.array(Arrays.stream(values).map(functions::lit).toArray(Column[]::new)),
        index.plus(1));
  }

  /** A skewed pick: low indexes (the big cities) are far more likely. */
  private Column pickSkewed(String[] values, Column unit, double power) {
    return pick(values, functions.pow(unit, power));
  }

  private String[] cityColumn(int i) {
    return Arrays.stream(CITIES).map(c -> c[i]).toArray(String[]::new);
  }

  Column email(Column id) {
    return functions.concat(pick(SURNAME_PINYIN, uniform(id, 1)), functions.lit("."), id.cast("string"),
        functions.lit("@"), pick(DOMAINS, uniform(id, 30)));
  }

  Column mobile(Column id) {
    return functions.concat(pick(MOBILE_PREFIXES, uniform(id, 31)),
        functions.lpad(functions.floor(uniform(id, 32).multiply(1e8)).cast("long").cast("string"), 8, "0"));
  }

  static Column customerId(Column id) {
    return functions.concat(functions.lit("C"), functions.lpad(id.cast("string"), 10, "0"));
  }

  public Dataset<Row> customers(long n) {
    Column id = functions.col("id");
    Column cityUnit = uniform(id, 10);
    Column age = functions.lit(18).plus(functions.floor(functions.pow(uniform(id, 11), 1.5).multiply(72))).cast("int");
    Column birth = functions.date_sub(functions.lit(Date.valueOf(referenceTime.atZone(ZoneOffset.UTC).toLocalDate())),
        age.multiply(365).plus(functions.floor(uniform(id, 12).multiply(365)).cast("int")));
    Column female = uniform(id, 13).lt(0.49);
    Column sequence = functions.floor(uniform(id, 14).multiply(500)).cast("int").multiply(2)
        .plus(functions.when(female, 0).otherwise(1));
    Column idBody = functions.concat(pickSkewed(cityColumn(2), cityUnit, 2.5), functions.date_format(birth, "yyyyMMdd"),
        functions.lpad(sequence.cast("string"), 3, "0"));
    long refSeconds = referenceTime.getEpochSecond();
    long tenYears = 10L * 365 * 86400;
    Column signupSeconds = functions.lit(refSeconds).minus(functions.floor(uniform(id, 15).multiply(tenYears)).cast("long"));
    Column activitySeconds = signupSeconds.plus(functions.floor(functions.pow(uniform(id, 16), 0.5)
        .multiply(functions.lit(refSeconds).minus(signupSeconds))).cast("long"));
    return spark.range(0, n, 1, partitions(n)).select(
        customerId(id).as("customer_id"),
        functions.concat(pickSkewed(SURNAMES, uniform(id, 1), 1.4), pick(GIVEN, uniform(id, 2))).as("name"),
        email(id).as("email"),
        mobile(id).as("mobile"),
        functions.concat(idBody, checkCharacter().apply(idBody)).as("resident_id"),
        birth.as("birth_date"),
        functions.when(female, "F").otherwise("M").as("gender"),
        functions.concat(pickSkewed(cityColumn(3), cityUnit, 2.5),
            functions.lpad(functions.floor(uniform(id, 17).multiply(100)).cast("int").cast("string"), 2, "0")).as("postcode"),
        pickSkewed(cityColumn(0), cityUnit, 2.5).as("city"),
        pickSkewed(cityColumn(1), cityUnit, 2.5).as("province"),
        functions.timestamp_seconds(signupSeconds).as("signup_at"),
        functions.timestamp_seconds(activitySeconds).as("last_activity_at"),
        uniform(id, 20).lt(0.8).as("consent_analytics"),
        uniform(id, 21).lt(0.35).as("consent_partner_sharing"),
        uniform(id, 22).lt(0.5).as("consent_marketing"));
  }

  private static UserDefinedFunction checkCharacter() {
    UDF1<String, String> f = body -> String.valueOf(ChineseIds.checkCharacter(body));
    return functions.udf(f, DataTypes.StringType);
  }

  public Dataset<Row> orders(long customers, long n) {
    Column id = functions.col("id");
    long refSeconds = referenceTime.getEpochSecond();
    Column customer = functions.floor(functions.pow(uniform(id, 40), 1.3).multiply(customers)).cast("long");
    Column orderSeconds = functions.lit(refSeconds).minus(functions.floor(uniform(id, 41).multiply(6L * 365 * 86400)).cast("long"));
    Column amount = functions.round(functions.log(functions.lit(1.0).minus(uniform(id, 42))).multiply(-80).plus(5), 2)
        .cast(DataTypes.createDecimalType(12, 2));
    return spark.range(0, n, 1, partitions(n)).select(
        functions.concat(functions.lit("O"), functions.lpad(id.cast("string"), 12, "0")).as("order_id"),
        customerId(customer).as("customer_id"),
        functions.timestamp_seconds(orderSeconds).as("order_ts"),
        amount.as("amount"),
        pickSkewed(CATEGORIES, uniform(id, 43), 1.5).as("category"),
        pickSkewed(REGIONS, uniform(id, 44), 1.3).as("store_region"));
  }

  public Dataset<Row> feedback(long customers, long n) {
    Column id = functions.col("id");
    Column customer = functions.floor(uniform(id, 50).multiply(customers)).cast("long");
    long refSeconds = referenceTime.getEpochSecond();
    Column kind = uniform(id, 51);
    Column base = pick(COMMENTS, uniform(id, 52));
    Column comment = functions.when(kind.lt(0.1), functions.concat(base, functions.lit("，请联系我 "), email(customer)))
        .when(kind.lt(0.15), functions.concat(base, functions.lit(" 电话 "), mobile(customer)))
        .otherwise(base);
    Column rating = functions.lit(5).minus(functions.floor(functions.pow(uniform(id, 53), 2.0).multiply(5))).cast("int");
    return spark.range(0, n, 1, partitions(n)).select(
        customerId(customer).as("customer_id"),
        functions.timestamp_seconds(functions.lit(refSeconds).minus(functions.floor(uniform(id, 54).multiply(4L * 365 * 86400)).cast("long"))).as("feedback_at"),
        rating.as("rating"),
        comment.as("comment"));
  }

  public Dataset<Row> erasureRequests(long customers, long n) {
    Column id = functions.col("id");
    Column customer = functions.floor(uniform(id, 60).multiply(customers)).cast("long");
    return spark.range(0, n, 1, 1).select(
        customerId(customer).as("subject_id"),
        functions.lit(Timestamp.from(referenceTime.minusSeconds(86400))).as("requested_at")).distinct();
  }

  private static int partitions(long rows) {
    return (int) Math.max(1, Math.min(2000, rows / 500_000));
  }
}
