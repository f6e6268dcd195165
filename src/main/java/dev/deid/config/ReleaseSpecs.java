package dev.deid.config;

import dev.deid.privacy.dp.Aggregate;
import dev.deid.privacy.dp.ContributionBounds;
import dev.deid.privacy.dp.NoisyRelease;
import java.math.BigInteger;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Reads the {@code budgets} and {@code releases} sections of a spec. */
final class ReleaseSpecs {
  private static final Set<String> PERIODS = Set.of("day", "month", "year", "lifetime", "total");

  private ReleaseSpecs() {}

  static List<BudgetSpec> budgets(List<SpecNode> nodes, Map<String, SourceSpec> sources) {
    List<BudgetSpec> budgets = new ArrayList<>();
    for (SpecNode node : nodes) {
      node.allowOnly(Set.of("source", "audience", "epsilon", "delta", "period"));
      String source = node.string("source", true);
      String audience = node.string("audience", true);
      Double epsilon = node.number("epsilon", true, 0.000001, 1000);
      Double delta = node.has("delta") ? node.number("delta", false, 0, 0.1) : Double.valueOf(0);
      String period = node.has("period") ? node.string("period", false) : "month";
      if (source != null && !sources.containsKey(source)) {
        node.problem("source", "'" + source + "' is not a declared source", "name one of " + sources.keySet());
      }
      if (audience != null && !Audience.isValid(audience)) {
        node.problem("audience", "'" + audience + "' is not an audience", "use analysts or partner:<name>");
      }
      if (period != null && !PERIODS.contains(period)) {
        node.problem("period", "unknown period '" + period + "'",
            "use day, month or year (renewed each period) or lifetime (never renewed; total is a synonym)");
      }
      if (source != null && audience != null && epsilon != null && delta != null && period != null) {
        budgets.add(new BudgetSpec(source, audience, epsilon, delta, "total".equals(period) ? "lifetime" : period));
      }
    }
    return budgets;
  }

  static List<ReleaseSpec> releases(List<SpecNode> nodes, Map<String, SourceSpec> sources, ConsentSpec consent,
      List<BudgetSpec> budgets, Set<String> outputNames) {
    List<ReleaseSpec> releases = new ArrayList<>();
    Set<String> names = new HashSet<>(outputNames);
    for (int i = 0; i < nodes.size(); i++) {
      SpecNode node = nodes.get(i);
      node.allowOnly(Set.of("name", "source", "audience", "purpose", "privacyUnit", "groupBy", "publicGroups",
          "maxGroupsPerUnit", "maxRowsPerGroup", "epsilon", "delta", "noise", "aggregates", "format"));
      String name = node.string("name", true);
      String sourceName = node.string("source", true);
      String audience = node.string("audience", true);
      String purpose = node.string("purpose", true);
      String unit = node.string("privacyUnit", true);
      List<String> groupBy = node.strings("groupBy", true);
      Integer maxGroups = node.integer("maxGroupsPerUnit", true, 1, 1_000_000);
      Integer maxRows = node.integer("maxRowsPerGroup", true, 1, 1_000_000);
      Double epsilon = node.number("epsilon", true, 0.000001, 100);
      Double delta = node.has("delta") ? node.number("delta", false, 0, 0.1) : Double.valueOf(0);
      String noiseName = node.has("noise") ? node.string("noise", false) : "laplace";
      NoisyRelease.Noise noise = "gaussian".equals(noiseName) ? NoisyRelease.Noise.GAUSSIAN
          : "laplace".equals(noiseName) ? NoisyRelease.Noise.LAPLACE : null;
      if (noiseName != null && noise == null) {
        node.problem("noise", "unknown noise '" + noiseName + "'", "use laplace (pure DP) or gaussian (needs delta)");
      }
      if (name != null && !SpecLoader.NAME.matcher(name).matches()) {
        node.problem("name", "'" + name + "' is not a valid release name (it becomes a table and a path)",
            "use lower-case letters, digits and _, starting with a letter");
      }
      if (name != null && !names.add(name)) {
        node.problem("name", "name '" + name + "' is already used by an output or release", "give each its own name");
      }
      SourceSpec source = sourceName == null ? null : sources.get(sourceName);
      if (sourceName != null && source == null) {
        node.problem("source", "'" + sourceName + "' is not a declared source", "name one of " + sources.keySet());
      }
      if (audience != null && !Audience.isValid(audience)) {
        node.problem("audience", "'" + audience + "' is not an audience", "use analysts or partner:<name>");
      }
      if (purpose != null && (consent == null || !consent.purposeColumns().containsKey(purpose))) {
        node.problem("purpose", "unknown purpose '" + purpose + "'", "declare it under consent.purposes");
      }
      if (source != null) {
        if (unit != null && !source.columns().containsKey(unit)) {
          node.problem("privacyUnit", "'" + unit + "' is not a column of source '" + sourceName + "'", "name the column identifying the person protected");
        } else if (unit != null && !source.identifiesSubject(unit)) {
          node.problem("privacyUnit", "'" + unit + "' is not the subject column '" + source.subjectColumn() + "' of source '"
              + sourceName + "': a unit other than the person protects rows, not people (one person with many "
              + unit + " values would count many times)", "use privacyUnit: " + source.subjectColumn()
              + ", or list " + unit + " under " + source.path() + ".subjectAliases if it identifies the same person one-to-one");
        }
        for (int g = 0; g < groupBy.size(); g++) {
          String column = groupBy.get(g).split(":")[0];
          String unitOfTime = groupBy.get(g).contains(":") ? groupBy.get(g).split(":")[1] : null;
          if (!source.columns().containsKey(column)) {
            node.problem("groupBy[" + g + "]", "'" + column + "' is not a column of source '" + sourceName + "'", "name a source column");
          }
          if (unitOfTime != null && !Set.of("day", "month", "year").contains(unitOfTime)) {
            node.problem("groupBy[" + g + "]", "unknown period '" + unitOfTime + "'", "write column:day, column:month or column:year");
          }
        }
      }
      boolean needsDelta = noise == NoisyRelease.Noise.GAUSSIAN || !node.has("publicGroups");
      if (delta != null && needsDelta && delta == 0) {
        node.problem("delta", "delta is 0 but " + (noise == NoisyRelease.Noise.GAUSSIAN ? "Gaussian noise" : "DP group selection")
            + " needs delta > 0", "set delta (e.g. 1e-6) or use laplace noise with publicGroups");
      }
      List<List<String>> publicGroups = null;
      if (node.has("publicGroups")) {
        publicGroups = new ArrayList<>();
        Object raw = node.raw("publicGroups");
        if (raw instanceof List<?> list) {
          Set<List<String>> seen = new HashSet<>();
          for (int g = 0; g < list.size(); g++) {
            Object group = list.get(g);
            List<String> key = group instanceof List<?> parts ? parts.stream().map(ReleaseSpecs::groupValue).toList()
                : List.of(groupValue(group));
            if (key.size() != groupBy.size()) {
              node.problem("publicGroups[" + g + "]", "the group has " + key.size() + " values but groupBy has " + groupBy.size(),
                  "give one value per groupBy column");
            }
            if (!seen.add(key)) {
              // Each listed group is noised and released once per listing: a repeat would spend the
              // release's budget again on the same group while the ledger records it once.
              node.problem("publicGroups[" + g + "]", "the group repeats an earlier one (values compare as text, so "
                  + "2026-01-01 and \"2026-01-01\" are the same group)", "list each group once");
            }
            publicGroups.add(key);
          }
        } else {
          node.problem("publicGroups", "expected a list of groups", "write [[east, 2026-01], ...]");
        }
      }
      List<Aggregate> aggregates = aggregates(node, source);
      if (sourceName != null && audience != null && epsilon != null) {
        List<BudgetSpec> applicable = budgets.stream()
            .filter(b -> b.source().equals(sourceName) && b.audience().equals(audience)).toList();
        if (applicable.isEmpty()) {
          node.problem("epsilon", "no budget is declared for source '" + sourceName + "' and audience '" + audience + "'",
              "add budgets: [{source: " + sourceName + ", audience: " + audience + ", epsilon: <total>, period: month}]");
        }
        for (BudgetSpec budget : applicable) {
          if (epsilon > budget.epsilon() || (delta != null && delta > budget.delta())) {
            node.problem("epsilon", "the release asks for more than the whole " + budget.period() + " budget (epsilon "
                + budget.epsilon() + ", delta " + budget.delta() + ")", "lower the release's epsilon/delta or raise the budget");
          }
        }
      }
      OutputFormat format = OutputFormat.of(node, audience);
      if (aggregates != null && maxGroups != null && maxRows != null) {
        checkSensitivities(node, aggregates, new ContributionBounds(maxGroups, maxRows));
      }
      if (name != null && sourceName != null && audience != null && purpose != null && unit != null && maxGroups != null
          && maxRows != null && epsilon != null && delta != null && noise != null && aggregates != null && format != null) {
        releases.add(new ReleaseSpec(i, name, sourceName, audience, purpose, unit, groupBy, publicGroups,
            new ContributionBounds(maxGroups, maxRows), epsilon, delta, noise, aggregates, format));
      }
    }
    return releases;
  }

  /**
   * A public group's value as the release compares it with the data (Spark's text form of the
   * group column): YAML dates and timestamps become ISO text, numbers their decimal text.
   */
  static String groupValue(Object value) {
    if (value instanceof Date date) {
      Instant instant = date.toInstant();
      return instant.equals(instant.truncatedTo(ChronoUnit.DAYS))
          ? instant.atZone(ZoneOffset.UTC).toLocalDate().toString()
          : DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC).format(instant);
    }
    return String.valueOf(value);
  }

  /** Refuses bounds whose noise could not be calibrated: sensitivities above 2^53 in fixed point. */
  private static void checkSensitivities(SpecNode node, List<Aggregate> aggregates, ContributionBounds bounds) {
    BigInteger perUnit = BigInteger.valueOf(bounds.maxGroups()).multiply(BigInteger.valueOf(bounds.maxRowsPerGroup()));
    for (int i = 0; i < aggregates.size(); i++) {
      Aggregate a = aggregates.get(i);
      for (Aggregate.SumTerm term : a.sumTerms()) {
        if (perUnit.multiply(a.maxAbsFixedPoint(term)).compareTo(NoisyRelease.MAX_SENSITIVITY) > 0) {
          node.problem("aggregates[" + i + "]", "the sensitivity of " + a.name() + " (maxGroupsPerUnit x maxRowsPerGroup x "
              + "largest value in hundredths" + (term == Aggregate.SumTerm.CENTRED_SQUARE ? ", squared" : "")
              + ") exceeds 2^53, too large to calibrate noise exactly",
              "narrow lower/upper, or lower maxGroupsPerUnit or maxRowsPerGroup");
          break;
        }
      }
    }
  }

  private static List<Aggregate> aggregates(SpecNode node, SourceSpec source) {
    List<Aggregate> result = new ArrayList<>();
    List<SpecNode> items = node.list("aggregates", true);
    if (items.isEmpty()) {
      node.problem("aggregates", "no aggregate is given", "add e.g. [{type: count}]");
      return null;
    }
    for (SpecNode a : items) {
      a.allowOnly(Set.of("type", "column", "lower", "upper", "q"));
      String type = a.string("type", true);
      if (type == null) {
        return null;
      }
      Aggregate.Kind kind;
      try {
        kind = Aggregate.Kind.valueOf(type.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        a.problem("type", "unknown aggregate '" + type + "'", "use count, count_units, sum, mean, variance, stddev or quantiles");
        return null;
      }
      if (kind == Aggregate.Kind.COUNT || kind == Aggregate.Kind.COUNT_UNITS) {
        result.add(new Aggregate(kind, null, 0, 0, List.of()));
        continue;
      }
      String column = a.string("column", true);
      Double lower = a.number("lower", true, -1e12, 1e12);
      Double upper = a.number("upper", true, -1e12, 1e12);
      if (lower != null && upper != null && !(lower < upper)) {
        a.problem("upper", "upper bound " + upper + " is not above lower bound " + lower, "give lower < upper");
        return null;
      }
      if (source != null && column != null && !source.columns().containsKey(column)) {
        a.problem("column", "'" + column + "' is not a column of source '" + source.name() + "'", "name a numeric source column");
      }
      List<Double> q = List.of();
      if (kind == Aggregate.Kind.QUANTILES) {
        Object raw = a.raw("q");
        if (!(raw instanceof List<?> list) || list.isEmpty()
            || !list.stream().allMatch(v -> v instanceof Number n && n.doubleValue() > 0 && n.doubleValue() < 1)) {
          a.problem("q", "expected a list of quantiles in (0, 1)", "write q: [0.5, 0.9]");
          return null;
        }
        q = list.stream().map(v -> ((Number) v).doubleValue()).toList();
      }
      if (column == null || lower == null || upper == null) {
        return null;
      }
      result.add(new Aggregate(kind, column, lower, upper, q));
    }
    return result;
  }
}
