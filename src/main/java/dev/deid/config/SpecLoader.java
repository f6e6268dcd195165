package dev.deid.config;

import dev.deid.errors.Errors;
import dev.deid.privacy.PiiPatterns;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.DuplicateKeyException;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Parses a YAML job spec into a {@link JobSpec}, checking everything that can be checked without
 * data: types, ranges, references between sections and the classification rules. All problems are
 * reported together, each with its YAML path. Checks against the data itself (columns exist, types
 * fit) happen in the pipeline's preflight.
 */
public final class SpecLoader {
  static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");
  private static final Set<String> TRUNCATE_UNITS = Set.of("day", "month", "year");

  private SpecLoader() {}

  public static JobSpec parse(String yaml, String origin) {
    return parse(yaml, origin, Path.of("").toAbsolutePath());
  }

  /** Parses a spec whose relative file references (hierarchies) resolve against {@code baseDirectory}. */
  public static JobSpec parse(String yaml, String origin, Path baseDirectory) {
    return parse(yaml, origin, name -> baseDirectory.resolve(name).normalize().toString());
  }

  /**
   * Parses a spec whose file references (hierarchies) become locations through {@code locate}
   * (relative to the spec's folder, which may be a Hadoop URI: see {@code io.SpecFiles}).
   */
  public static JobSpec parse(String yaml, String origin, UnaryOperator<String> locate) {
    Object document;
    try {
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(false);
      document = new Yaml(new SafeConstructor(options)).load(yaml);
    } catch (DuplicateKeyException e) {
      throw Errors.duplicateYamlKey(origin, firstLine(e.getMessage()));
    } catch (YAMLException e) {
      throw Errors.malformedYaml(origin, firstLine(e.getMessage()));
    }
    if (!(document instanceof Map<?, ?> map)) {
      throw Errors.malformedYaml(origin, "the document is not a mapping of fields");
    }
    Map<String, Object> top = new LinkedHashMap<>();
    map.forEach((k, v) -> top.put(String.valueOf(k), v));
    List<String> problems = new ArrayList<>();
    JobSpec spec = new Builder(SpecNode.root(top, problems), problems, sha256(yaml), locate).build();
    if (!problems.isEmpty()) {
      throw Errors.all(SpecLines.of(yaml).annotate(problems));
    }
    return spec;
  }

  /** The ε one run of {@code output} spends on row-level DP columns (sequential composition over columns). */
  public static double localDpEpsilon(OutputSpec output, SourceSpec source) {
    double epsilon = 0;
    if (source == null) {
      return 0;
    }
    for (String column : output.columns()) {
      ColumnSpec spec = source.columns().get(column);
      if (spec != null && spec.transform() instanceof Transform.RandomizedResponse rr) {
        epsilon += rr.epsilon();
      } else if (spec != null && spec.transform() instanceof Transform.NumericNoise n) {
        epsilon += n.epsilon();
      }
    }
    return epsilon;
  }

  private static String firstLine(String message) {
    return message == null ? "unknown error" : message.strip().replace('\n', ' ');
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  private static final class Builder {
    private final SpecNode root;
    private final List<String> problems;
    private final String hash;
    /** Column names as declared, including those whose spec had errors, so one error is not reported twice. */
    private final Map<String, Set<String>> declaredColumns = new LinkedHashMap<>();

    private final UnaryOperator<String> locate;

    Builder(SpecNode root, List<String> problems, String hash, UnaryOperator<String> locate) {
      this.root = root;
      this.problems = problems;
      this.hash = hash;
      this.locate = locate;
    }

    JobSpec build() {
      root.allowOnly(Set.of("name", "vacuum", "consent", "erasure", "sources", "outputs", "hierarchies", "budgets", "releases",
          "partners"));
      String name = root.string("name", true);
      if (name != null && !NAME.matcher(name).matches()) {
        root.problem("name", "'" + name + "' is not a valid job name", "use lower-case letters, digits and _");
      }
      VacuumPolicy vacuum = vacuum(root.mapping("vacuum", false));
      Map<String, SourceSpec> sources = new LinkedHashMap<>();
      root.mappings("sources", true).forEach((sourceName, node) -> {
        SourceSpec source = source(sourceName, node);
        if (source != null) {
          sources.put(sourceName, source);
        }
      });
      if (root.has("sources") && sources.isEmpty() && problems.isEmpty()) {
        root.problem("sources", "no source is declared", "declare at least one raw table");
      }
      ConsentSpec consent = consent(root.mapping("consent", false), sources);
      ErasureSpec erasure = erasure(root.mapping("erasure", false));
      Map<String, HierarchySpec> hierarchies = new LinkedHashMap<>();
      root.mappings("hierarchies", false).forEach((hierarchyName, node) -> {
        HierarchySpec h = AnonymizationSpecs.hierarchy(hierarchyName, node, locate);
        if (h != null) {
          hierarchies.put(hierarchyName, h);
        }
      });
      List<OutputSpec> outputs = outputs(root.list("outputs", !root.has("releases")), sources, consent, hierarchies);
      List<BudgetSpec> budgets = ReleaseSpecs.budgets(root.list("budgets", root.has("releases")), sources);
      List<ReleaseSpec> releases = ReleaseSpecs.releases(root.list("releases", false), sources, consent, budgets,
          outputs.stream().map(OutputSpec::name).collect(Collectors.toSet()));
      checkLocalDpBudgets(outputs, sources, budgets);
      Map<String, PartnerContract> contracts = contracts(root.mappings("partners", false));
      checkContracts(contracts, outputs, releases, sources);
      if (erasure != null && !Audience.isValid(erasure.auditAudience())) {
        root.problem("erasure.auditAudience", "'" + erasure.auditAudience() + "' is not an audience",
            "use analysts or partner:<name>");
      }
      return new JobSpec(name, hash, vacuum, consent, erasure, sources, outputs, hierarchies, budgets, releases, contracts);
    }

    private Map<String, PartnerContract> contracts(Map<String, SpecNode> nodes) {
      Map<String, PartnerContract> contracts = new LinkedHashMap<>();
      nodes.forEach((partner, node) -> {
        node.allowOnly(Set.of("purposes", "allowedColumns", "minimumK", "formats", "encryption", "sensitiveColumns"));
        List<String> purposes = node.strings("purposes", true);
        List<String> columns = node.strings("allowedColumns", true);
        Integer minimumK = node.has("minimumK") ? node.integer("minimumK", false, 1, 1_000_000) : Integer.valueOf(1);
        Set<OutputFormat> formats = new HashSet<>();
        for (String f : node.has("formats") ? node.strings("formats", false) : List.of("parquet")) {
          switch (f) {
            case "parquet" -> formats.add(OutputFormat.PARQUET);
            case "csv" -> formats.add(OutputFormat.CSV);
            default -> node.problem("formats", "unknown or unsuitable format '" + f + "' for a partner",
                "use parquet or csv (partners receive extracts)");
          }
        }
        String encryption = node.has("encryption") ? node.string("encryption", false) : "none";
        if (!"none".equals(encryption) && !"required".equals(encryption)) {
          node.problem("encryption", "unknown choice '" + encryption + "'", "use none or required");
        }
        List<String> sensitive = node.has("sensitiveColumns") ? node.strings("sensitiveColumns", false) : List.of();
        List<String> notAllowed = sensitive.stream().filter(c -> !columns.contains(c)).toList();
        if (!notAllowed.isEmpty()) {
          node.problem("sensitiveColumns", "columns " + notAllowed + " are not in allowedColumns",
              "list only allowed columns, by their released names");
        }
        if (!sensitive.isEmpty() && !"required".equals(encryption)) {
          node.problem("sensitiveColumns", "sensitive columns get their own encryption key, and this contract encrypts nothing",
              "set encryption: required, or remove sensitiveColumns");
        }
        if (minimumK != null) {
          contracts.put(partner, new PartnerContract(partner, Set.copyOf(purposes), Set.copyOf(columns), minimumK, formats,
              "required".equals(encryption), Set.copyOf(sensitive)));
        }
      });
      return contracts;
    }

    /** Every output and release for a partner with a contract keeps it; a breach is refused at its field. */
    private void checkContracts(Map<String, PartnerContract> contracts, List<OutputSpec> outputs, List<ReleaseSpec> releases,
        Map<String, SourceSpec> sources) {
      for (OutputSpec output : outputs) {
        PartnerContract contract = contractOf(contracts, output.audience());
        SourceSpec source = sources.get(output.source());
        if (contract == null || source == null) {
          continue;
        }
        List<ColumnSpec> columns = output.columns().stream().map(c -> source.columns().get(c)).filter(c -> c != null).toList();
        List<String> released = columns.stream().map(ColumnSpec::outputName).toList();
        // The minimum k binds outputs that release quasi-identifiers; k-anonymity says nothing about the others.
        boolean releasesQuasiIdentifiers = columns.stream().anyMatch(c -> c.columnClass() == ColumnClass.QUASI_IDENTIFIER);
        Integer k = !releasesQuasiIdentifiers ? null
            : output.anonymization() == null ? Integer.valueOf(1) : Integer.valueOf(output.anonymization().k());
        for (String[] b : contract.breaches(output.purpose(), released, output.format(), k)) {
          problems.add(Errors.invalidSpec(output.path() + "." + b[0], b[1], b[2]));
        }
      }
      for (ReleaseSpec release : releases) {
        PartnerContract contract = contractOf(contracts, release.audience());
        if (contract == null) {
          continue;
        }
        for (String[] b : contract.breaches(release.purpose(), null, release.format(), null)) {
          problems.add(Errors.invalidSpec("releases[" + release.index() + "]." + b[0], b[1], b[2]));
        }
      }
    }

    private static PartnerContract contractOf(Map<String, PartnerContract> contracts, String audience) {
      if (audience == null || !Audience.isValid(audience) || !Audience.of(audience).isPartner()) {
        return null;
      }
      return contracts.get(Audience.of(audience).partner());
    }

    /**
     * Row-level DP columns (randomized_response, noise) are drawn afresh on every run and stay
     * linkable across runs through the pseudonyms, so every run spends their ε: an output with them
     * needs a budget for its source and audience that one run fits into.
     */
    private void checkLocalDpBudgets(List<OutputSpec> outputs, Map<String, SourceSpec> sources, List<BudgetSpec> budgets) {
      for (OutputSpec output : outputs) {
        double epsilon = localDpEpsilon(output, sources.get(output.source()));
        if (epsilon == 0) {
          continue;
        }
        List<BudgetSpec> applicable = budgets.stream()
            .filter(b -> b.source().equals(output.source()) && b.audience().equals(output.audience())).toList();
        if (applicable.isEmpty()) {
          problems.add(Errors.invalidSpec(output.path() + ".columns", "the output releases row-level DP columns "
              + "(epsilon " + epsilon + " per run) but no budget is declared for source '" + output.source()
              + "' and audience '" + output.audience() + "'", "add budgets: [{source: " + output.source() + ", audience: "
              + output.audience() + ", epsilon: <per period>, period: month}]"));
        }
        for (BudgetSpec budget : applicable) {
          if (epsilon > budget.epsilon()) {
            problems.add(Errors.invalidSpec(output.path() + ".columns", "its row-level DP columns spend epsilon " + epsilon
                + " per run, more than the whole " + budget.period() + " budget of " + budget.epsilon(),
                "lower the columns' epsilon or raise the budget"));
          }
        }
      }
    }

    private VacuumPolicy vacuum(SpecNode node) {
      if (node == null) {
        return new VacuumPolicy(VacuumPolicy.DELTA_SAFE_MINIMUM_HOURS, false);
      }
      node.allowOnly(Set.of("retentionHours", "allowShortRetention"));
      Integer hours = node.integer("retentionHours", true, 0, 24 * 365);
      boolean allowShort = node.bool("allowShortRetention", false);
      VacuumPolicy policy = new VacuumPolicy(hours == null ? VacuumPolicy.DELTA_SAFE_MINIMUM_HOURS : hours, allowShort);
      if (policy.needsRelaxedCheck() && !allowShort) {
        node.problem("retentionHours", hours + " hours is below Delta's safe minimum of 168",
            "set vacuum.allowShortRetention: true to delete removed files sooner, knowing that readers of "
                + "old versions may fail");
      }
      return policy;
    }

    private SourceSpec source(String name, SpecNode node) {
      node.allowOnly(Set.of("table", "subjectColumn", "subjectAliases", "retention", "columns"));
      if (!NAME.matcher(name).matches()) {
        node.problem(null, "'" + name + "' is not a valid source name", "use lower-case letters, digits and _");
      }
      String table = node.has("table") ? node.string("table", false) : name;
      String subject = node.string("subjectColumn", true);
      List<String> aliases = node.has("subjectAliases") ? node.strings("subjectAliases", false) : List.of();
      Map<String, ColumnSpec> columns = new LinkedHashMap<>();
      Map<String, SpecNode> columnNodes = node.mappings("columns", true);
      Set<String> declared = columnNodes.keySet();
      declaredColumns.put(name, declared);
      columnNodes.forEach((column, columnNode) -> {
        ColumnSpec spec = column(column, columnNode);
        if (spec != null) {
          columns.put(column, spec);
        }
      });
      RetentionSpec retention = null;
      SpecNode retentionNode = node.mapping("retention", false);
      if (retentionNode != null) {
        retentionNode.allowOnly(Set.of("column", "maxAgeDays", "maxDeleteFraction"));
        String column = retentionNode.string("column", true);
        Integer days = retentionNode.integer("maxAgeDays", true, 1, 365 * 200);
        Double fraction = retentionNode.has("maxDeleteFraction") ? retentionNode.number("maxDeleteFraction", false, 0, 1)
            : Double.valueOf(RetentionSpec.DEFAULT_MAX_DELETE_FRACTION);
        if (column != null && !declared.isEmpty() && !declared.contains(column)) {
          retentionNode.problem("column", "'" + column + "' is not a column of source '" + name + "'",
              "name a timestamp column listed under " + node.child("columns"));
        }
        if (column != null && days != null && fraction != null) {
          retention = new RetentionSpec(column, days, fraction);
        }
      }
      if (subject != null && !declared.isEmpty() && !declared.contains(subject)) {
        node.problem("subjectColumn", "'" + subject + "' is not a column of source '" + name + "'",
            "name the column that holds the data subject's id");
      }
      for (int a = 0; a < aliases.size(); a++) {
        if (!declared.isEmpty() && !declared.contains(aliases.get(a))) {
          node.problem("subjectAliases[" + a + "]", "'" + aliases.get(a) + "' is not a column of source '" + name + "'",
              "list only columns that identify the same person as " + subject);
        }
      }
      return new SourceSpec(name, table, subject, aliases, retention, columns);
    }

    private ColumnSpec column(String column, SpecNode node) {
      node.allowOnly(Set.of("class", "action", "as", "keepFirst", "keepLast", "width", "unit", "length", "epsilon", "values",
          "lower", "upper"));
      String className = node.string("class", true);
      String actionName = node.string("action", true);
      String as = node.has("as") ? node.string("as", false) : column;
      ColumnClass columnClass = className == null ? null : ColumnClass.fromYaml(className);
      if (className != null && columnClass == null) {
        node.problem("class", "unknown class '" + className + "'",
            "use direct_identifier, quasi_identifier, sensitive or insensitive");
      }
      Transform transform = actionName == null ? null : transform(actionName, node);
      if (columnClass == ColumnClass.DIRECT_IDENTIFIER && transform instanceof Transform.Keep) {
        node.problem("action", "a direct identifier cannot be released unchanged",
            "use drop, pseudonymize, mask or redact");
      }
      if (as != null && !NAME.matcher(as).matches()) {
        node.problem("as", "'" + as + "' is not a valid column name", "use lower-case letters, digits and _");
      }
      if (columnClass == null || transform == null) {
        return null;
      }
      return new ColumnSpec(column, columnClass, transform, as);
    }

    private Transform transform(String action, SpecNode node) {
      switch (action) {
        case "keep":
          return new Transform.Keep();
        case "drop":
          return new Transform.Drop();
        case "pseudonymize":
          return new Transform.Pseudonymize();
        case "redact":
          return new Transform.Redact();
        case "age":
          return new Transform.Age();
        case "randomized_response": {
          Double epsilon = node.number("epsilon", true, 0.001, 50);
          List<String> values = node.strings("values", true);
          if (values.size() == 1) {
            node.problem("values", "randomized response needs at least 2 values", "list the column's whole public domain");
          }
          return epsilon == null || values.size() < 2 ? null : new Transform.RandomizedResponse(epsilon, values);
        }
        case "noise": {
          Double epsilon = node.number("epsilon", true, 0.001, 50);
          Double lower = node.number("lower", true, -1e12, 1e12);
          Double upper = node.number("upper", true, -1e12, 1e12);
          if (lower != null && upper != null && !(lower < upper)) {
            node.problem("upper", "upper bound is not above lower bound", "give lower < upper");
            return null;
          }
          return epsilon == null || lower == null || upper == null ? null : new Transform.NumericNoise(epsilon, lower, upper);
        }
        case "mask": {
          Integer first = node.has("keepFirst") ? node.integer("keepFirst", false, 0, 64) : Integer.valueOf(0);
          Integer last = node.has("keepLast") ? node.integer("keepLast", false, 0, 64) : Integer.valueOf(0);
          return first == null || last == null ? null : new Transform.Mask(first, last);
        }
        case "age_band": {
          Integer width = node.integer("width", true, 1, 100);
          return width == null ? null : new Transform.AgeBand(width);
        }
        case "truncate": {
          String unit = node.string("unit", true);
          if (unit != null && !TRUNCATE_UNITS.contains(unit)) {
            node.problem("unit", "unknown unit '" + unit + "'", "use day, month or year");
            return null;
          }
          return unit == null ? null : new Transform.Truncate(unit);
        }
        case "prefix": {
          Integer length = node.integer("length", true, 0, 64);
          return length == null ? null : new Transform.Prefix(length);
        }
        default:
          node.problem("action", "unknown action '" + action + "'",
              "use keep, drop, pseudonymize, mask, age, age_band, truncate, prefix, redact, randomized_response or noise");
          return null;
      }
    }

    private ConsentSpec consent(SpecNode node, Map<String, SourceSpec> sources) {
      if (node == null) {
        return null;
      }
      node.allowOnly(Set.of("source", "subjectColumn", "purposes"));
      String source = node.string("source", true);
      String subject = node.string("subjectColumn", true);
      Map<String, String> purposes = node.stringMap("purposes", true);
      SourceSpec consentSource = source == null ? null : sources.get(source);
      if (source != null && consentSource == null && !sources.isEmpty()) {
        node.problem("source", "'" + source + "' is not a declared source", "name one of " + sources.keySet());
      }
      if (consentSource != null) {
        if (subject != null && !consentSource.columns().containsKey(subject)) {
          node.problem("subjectColumn", "'" + subject + "' is not a column of source '" + source + "'",
              "name the subject id column of the consent source");
        }
        purposes.forEach((purpose, column) -> {
          if (!consentSource.columns().containsKey(column)) {
            problems.add(Errors.invalidSpec(node.child("purposes") + "." + purpose,
                "'" + column + "' is not a column of source '" + source + "'",
                "name the boolean consent column for purpose '" + purpose + "'"));
          }
        });
      }
      return new ConsentSpec(source, subject, purposes);
    }

    private ErasureSpec erasure(SpecNode node) {
      if (node == null) {
        return null;
      }
      node.allowOnly(Set.of("table", "subjectColumn", "auditAudience"));
      String table = node.string("table", true);
      String subject = node.string("subjectColumn", true);
      String audience = node.has("auditAudience") ? node.string("auditAudience", false) : "analysts";
      return table == null || subject == null || audience == null ? null : new ErasureSpec(table, subject, audience);
    }

    private List<OutputSpec> outputs(List<SpecNode> nodes, Map<String, SourceSpec> sources, ConsentSpec consent,
        Map<String, HierarchySpec> hierarchies) {
      List<OutputSpec> outputs = new ArrayList<>();
      Set<String> names = new HashSet<>();
      for (int i = 0; i < nodes.size(); i++) {
        SpecNode node = nodes.get(i);
        node.allowOnly(Set.of("name", "source", "audience", "purpose", "format", "columns", "anonymization", "leakGuard"));
        String name = node.string("name", true);
        String sourceName = node.string("source", true);
        String audience = node.string("audience", true);
        String purpose = node.string("purpose", true);
        List<String> columns = node.strings("columns", true);
        if (name != null && !NAME.matcher(name).matches()) {
          node.problem("name", "'" + name + "' is not a valid output name", "use lower-case letters, digits and _");
        }
        if (name != null && !names.add(name)) {
          node.problem("name", "output name '" + name + "' is used twice", "give each output its own name");
        }
        if (audience != null && !Audience.isValid(audience)) {
          node.problem("audience", "'" + audience + "' is not an audience", "use analysts or partner:<name>");
        }
        if (purpose != null) {
          if (consent == null) {
            node.problem("purpose", "purpose '" + purpose + "' cannot be checked: the spec has no consent section",
                "add consent: {source, subjectColumn, purposes}");
          } else if (!consent.purposeColumns().containsKey(purpose)) {
            node.problem("purpose", "unknown purpose '" + purpose + "'",
                "use one of " + consent.purposeColumns().keySet() + " or declare it under consent.purposes");
          }
        }
        OutputFormat format = OutputFormat.of(node, audience);
        SourceSpec source = sourceName == null ? null : sources.get(sourceName);
        if (sourceName != null && source == null && !sources.isEmpty()) {
          node.problem("source", "'" + sourceName + "' is not a declared source", "name one of " + sources.keySet());
        }
        if (source != null) {
          checkOutputColumns(node, source, columns);
        }
        AnonymizationSpec anonymization = null;
        SpecNode anonymizationNode = node.mapping("anonymization", false);
        if (anonymizationNode != null && source != null) {
          List<ColumnSpec> released = columns.stream().map(c -> source.columns().get(c)).filter(c -> c != null).toList();
          anonymization = AnonymizationSpecs.anonymization(anonymizationNode, released, hierarchies);
        }
        List<LeakAllowance> allowances = leakAllowances(node, source, columns);
        if (name != null && sourceName != null && audience != null && purpose != null && format != null) {
          outputs.add(new OutputSpec(i, name, sourceName, audience, purpose, format, List.copyOf(columns), anonymization,
              allowances));
        }
      }
      return outputs;
    }

    /** {@code leakGuard: {allow: [{column, check, reason}]}}: the output's known false positives, each with a reason. */
    private List<LeakAllowance> leakAllowances(SpecNode node, SourceSpec source, List<String> columns) {
      SpecNode guard = node.mapping("leakGuard", false);
      if (guard == null) {
        return List.of();
      }
      guard.allowOnly(Set.of("allow"));
      Set<String> released = new HashSet<>();
      if (source != null) {
        columns.stream().map(c -> source.columns().get(c)).filter(c -> c != null).forEach(c -> released.add(c.outputName()));
      }
      List<LeakAllowance> allowances = new ArrayList<>();
      for (SpecNode allow : guard.list("allow", true)) {
        allow.allowOnly(Set.of("column", "check", "reason"));
        String column = allow.string("column", true);
        String check = allow.string("check", true);
        String reason = allow.string("reason", true);
        if (column != null && source != null && !released.contains(column)) {
          allow.problem("column", "'" + column + "' is not a column this output releases", "name one of " + new TreeSet<>(released));
        }
        if (check != null && !PiiPatterns.LEAK_CHECKS.contains(check)) {
          allow.problem("check", "unknown check '" + check + "'", "use one of " + PiiPatterns.LEAK_CHECKS);
        }
        if (column != null && check != null && reason != null) {
          allowances.add(new LeakAllowance(column, check, reason));
        }
      }
      return allowances;
    }

    private void checkOutputColumns(SpecNode node, SourceSpec source, List<String> columns) {
      Set<String> outputNames = new HashSet<>();
      for (int c = 0; c < columns.size(); c++) {
        String column = columns.get(c);
        String path = node.child("columns") + "[" + c + "]";
        ColumnSpec spec = source.columns().get(column);
        if (spec == null) {
          Set<String> declared = declaredColumns.getOrDefault(source.name(), Set.of());
          if (!declared.isEmpty() && !declared.contains(column)) {
            problems.add(Errors.invalidSpec(path, "'" + column + "' is not a column of source '" + source.name() + "'",
                "list only columns classified under " + source.path() + ".columns"));
          }
          continue;
        }
        if (spec.transform() instanceof Transform.Drop) {
          problems.add(Errors.invalidSpec(path, "'" + column + "' is classified with action drop",
              "remove it from the output, or give it another action under " + source.path() + ".columns." + column));
        }
        if (!outputNames.add(spec.outputName())) {
          problems.add(Errors.invalidSpec(path, "output column name '" + spec.outputName() + "' appears twice",
              "rename one of them with 'as:'"));
        }
      }
    }
  }
}
