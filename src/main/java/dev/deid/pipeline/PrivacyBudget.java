package dev.deid.pipeline;

import dev.deid.config.BudgetSpec;
import dev.deid.config.JobSpec;
import dev.deid.config.OutputSpec;
import dev.deid.config.ReleaseSpec;
import dev.deid.config.SourceSpec;
import dev.deid.config.SpecLoader;
import dev.deid.errors.Errors;
import dev.deid.io.AuditLog;
import dev.deid.io.BudgetLedger;
import dev.deid.io.TableStore;
import dev.deid.io.Warehouse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's privacy spending: every DP release and every output with row-level DP columns is a
 * charge on its source's raw table, checked against every budget that applies (all budgets of that
 * source and audience, e.g. a monthly one and a lifetime one) before anything is deleted or
 * written, and reserved in the ledger before its data is written.
 *
 * <p>The ledger belongs to the data: the first run that spends on a raw table records its ledger's
 * location in the table's property {@value #LEDGER_PROPERTY} (when it reserves, so that a refused
 * run writes nothing), and every later run, from whatever warehouse or path, spends in that ledger.
 */
final class PrivacyBudget {
  static final String LEDGER_PROPERTY = "deid.budget_ledger";

  /**
   * A raw table that is spent on: its path, Delta id and qualified location, the ledger it spends
   * in, and whether the table already records that ledger.
   */
  record Target(String path, String tableId, String location, BudgetLedger ledger, boolean recorded) {}

  private final JobSpec spec;
  private final Instant referenceTime;
  private final Map<String, Target> targets;
  private final TableStore store;

  private PrivacyBudget(JobSpec spec, Instant referenceTime, Map<String, Target> targets, TableStore store) {
    this.store = store;
    this.spec = spec;
    this.referenceTime = referenceTime;
    this.targets = targets;
  }

  /**
   * Resolves the tables spent on and their ledgers, then refuses the run if its reference time is
   * before the latest one a ledger has charged for, or if the run's charges do not fit a budget.
   */
  static PrivacyBudget check(JobSpec spec, Warehouse warehouse, TableStore store, Instant referenceTime) {
    Map<String, Target> targets = new LinkedHashMap<>();
    for (Charged c : charged(spec)) {
      targets.computeIfAbsent(c.source().name(), name -> target(c.source(), warehouse, store));
    }
    PrivacyBudget budget = new PrivacyBudget(spec, referenceTime, targets, store);
    List<String> problems = new ArrayList<>();
    Map<String, Long> audited = targets.isEmpty() ? Map.of()
        : AuditLog.highestCounts(store, warehouse.auditTable(), CHARGES_COUNT);
    for (Map.Entry<String, Target> t : targets.entrySet()) {
      Target target = t.getValue();
      String source = spec.source(t.getKey()).path();
      if (target.recorded() && !store.exists(target.ledger().location())) {
        problems.add(Errors.ledgerMissing(source, target.location(), target.ledger().location()));
        continue;
      }
      Long seen = audited.get(CHARGES_COUNT + target.tableId());
      long now = target.ledger().charges(target.tableId());
      if (seen != null && now < seen) {
        problems.add(Errors.ledgerRolledBack(source, target.ledger().location(), seen, now));
      }
    }
    if (!problems.isEmpty()) {
      throw Errors.all(problems);
    }
    for (Map.Entry<String, Target> t : targets.entrySet()) {
      Instant latest = t.getValue().ledger().latestChargedFor(t.getValue().tableId());
      if (latest != null && referenceTime.isBefore(latest)) {
        problems.add("Cannot spend privacy budget on source '" + t.getKey() + "' at reference time " + referenceTime
            + ": the ledger already holds charges for " + latest + ", and an earlier reference time would re-open "
            + "periods already spent (fix: use a reference time at or after " + latest + ")");
      }
    }
    if (!problems.isEmpty()) {
      throw Errors.all(problems);
    }
    wanted(spec).forEach((key, sum) -> {
      Target target = targets.get(key.get(0));
      BudgetLedger.Charge total = new BudgetLedger.Charge(target.tableId(), target.location(), key.get(1), null, "run",
          "the run's charges on source '" + key.get(0) + "' for audience '" + key.get(1) + "'", sum[0], sum[1]);
      for (BudgetSpec b : budgetsOf(spec, key.get(0), key.get(1))) {
        target.ledger().check(b, total, referenceTime);
      }
    });
    return budget;
  }

  /** Reserves a release's charge in its ledger (refusing it if a concurrent run got there first). */
  void reserve(ReleaseSpec release, String runId) {
    reserve(spec.source(release.source()), release.audience(), release.privacyUnit(), release.name(), release.path(),
        release.epsilon(), release.delta(), runId);
  }

  /** Reserves the row-level DP columns of an output, if it has any. */
  void reserve(OutputSpec output, String runId) {
    SourceSpec source = spec.source(output.source());
    double epsilon = SpecLoader.localDpEpsilon(output, source);
    if (epsilon > 0) {
      reserve(source, output.audience(), source.subjectColumn(), "output:" + output.name(), output.path(), epsilon, 0, runId);
    }
  }

  private void reserve(SourceSpec source, String audience, String unit, String name, String path, double epsilon,
      double delta, String runId) {
    Target target = targets.get(source.name());
    if (!target.recorded()) {
      store.setProperties(target.path(), Map.of(LEDGER_PROPERTY, target.ledger().location()));
      target = new Target(target.path(), target.tableId(), target.location(), target.ledger(), true);
      targets.put(source.name(), target);
    }
    BudgetLedger.Charge charge = new BudgetLedger.Charge(target.tableId(), target.location(), audience, unit, name, path,
        epsilon, delta);
    target.ledger().reserve(budgetsOf(spec, source.name(), audience), charge, runId, referenceTime, Instant.now());
  }

  /** What is left of each budget of a source and audience after this run's reservations, as {epsilon, delta}. */
  Map<BudgetSpec, double[]> left(String source, String audience) {
    Target target = targets.get(source);
    Map<BudgetSpec, double[]> left = new LinkedHashMap<>();
    for (BudgetSpec b : budgetsOf(spec, source, audience)) {
      double[] spent = target.ledger().spent(target.tableId(), audience, b, referenceTime);
      left.put(b, new double[] {Math.max(0, b.epsilon() - spent[0]), Math.max(0, b.delta() - spent[1])});
    }
    return left;
  }

  Instant referenceTime() {
    return referenceTime;
  }

  /** What this spec's run would spend and what each applicable budget has left now, for {@code --dry-run}. */
  static List<DryRun.Budget> preview(JobSpec spec, Warehouse warehouse, TableStore store, Instant referenceTime) {
    Map<String, Target> targets = new LinkedHashMap<>();
    for (Charged c : charged(spec)) {
      targets.computeIfAbsent(c.source().name(), name -> target(c.source(), warehouse, store));
    }
    List<DryRun.Budget> budgets = new ArrayList<>();
    wanted(spec).forEach((key, sum) -> {
      Target target = targets.get(key.get(0));
      for (BudgetSpec b : budgetsOf(spec, key.get(0), key.get(1))) {
        double[] spent = target.ledger().spent(target.tableId(), key.get(1), b, referenceTime);
        budgets.add(new DryRun.Budget(key.get(0), key.get(1), b.period() + " " + BudgetLedger.period(b, referenceTime),
            Math.max(0, b.epsilon() - spent[0]), Math.max(0, b.delta() - spent[1]), sum[0], sum[1]));
      }
    });
    return budgets;
  }

  /** The audit count under which each run records a ledger's charges on a table (by the table's Delta id). */
  static final String CHARGES_COUNT = "budget_ledger.charges.";

  /**
   * The ledger's charges per table after this run, for the audit row: the next run refuses a
   * ledger holding fewer (rows deleted, a commit removed, a RESTORE to an older version).
   */
  Map<String, Long> chargesForAudit() {
    Map<String, Long> counts = new LinkedHashMap<>();
    targets.values().forEach(t -> counts.put(CHARGES_COUNT + t.tableId(), t.ledger().charges(t.tableId())));
    return counts;
  }

  static List<BudgetSpec> budgetsOf(JobSpec spec, String source, String audience) {
    return spec.budgets().stream().filter(b -> b.source().equals(source) && b.audience().equals(audience)).toList();
  }

  private record Charged(SourceSpec source, String audience, double epsilon, double delta) {}

  /** What the run charges per (source, audience), as {epsilon, delta}. */
  private static Map<List<String>, double[]> wanted(JobSpec spec) {
    Map<List<String>, double[]> wanted = new LinkedHashMap<>();
    for (Charged c : charged(spec)) {
      double[] sum = wanted.computeIfAbsent(List.of(c.source().name(), c.audience()), k -> new double[2]);
      sum[0] += c.epsilon();
      sum[1] += c.delta();
    }
    return wanted;
  }

  private static List<Charged> charged(JobSpec spec) {
    List<Charged> charged = new ArrayList<>();
    for (ReleaseSpec r : spec.releases()) {
      charged.add(new Charged(spec.source(r.source()), r.audience(), r.epsilon(), r.delta()));
    }
    for (OutputSpec o : spec.outputs()) {
      double epsilon = SpecLoader.localDpEpsilon(o, spec.source(o.source()));
      if (epsilon > 0) {
        charged.add(new Charged(spec.source(o.source()), o.audience(), epsilon, 0));
      }
    }
    return charged;
  }

  private static Target target(SourceSpec source, Warehouse warehouse, TableStore store) {
    String location = warehouse.rawTable(source.table());
    String recorded = store.properties(location).get(LEDGER_PROPERTY);
    String ledger = recorded != null ? recorded : store.qualifiedPath(warehouse.budgetLedger());
    return new Target(location, store.tableId(location), store.qualifiedLocation(location), new BudgetLedger(store, ledger),
        recorded != null);
  }
}
