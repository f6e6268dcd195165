package dev.deid.pipeline;

import dev.deid.config.Audience;
import dev.deid.config.OutputFormat;
import dev.deid.config.OutputSpec;
import dev.deid.config.SourceSpec;
import dev.deid.io.AtomicFiles;
import dev.deid.io.ExtractEncryption;
import dev.deid.io.ExtractStore;
import dev.deid.io.PhysicalDeletion;
import dev.deid.privacy.ManifestSignature;
import dev.deid.report.RunReport;
import dev.deid.steps.Pseudonymize;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;

/**
 * Recall of erased subjects from partners: an extract already delivered may hold subjects erased
 * since. Before this run replaces the deliveries, each partner extract with a subject pseudonym is
 * searched for the erased subjects' pseudonyms under that partner's key; an extract without one is
 * recalled whole when its source held erased subjects. Once the new deliveries are published, each
 * partner gets one signed recall list in {@code partners/<partner>/_recalls/<run id>.json} (with
 * {@code .sig}, signed like manifests) telling it which rows to delete from its copies.
 */
final class Recalls {
  private Recalls() {}

  /** What one delivered extract must give up: listed pseudonyms, or (column null) the whole delivery. */
  record Pending(String partner, String output, String deliveredRun, String column, List<String> pseudonyms) {
    Pending {
      pseudonyms = List.copyOf(pseudonyms);
    }
  }

  /**
   * Searches the current deliveries for the erased subjects; call before the outputs are rewritten.
   * {@code unfinishedSources}: raw tables an earlier, interrupted run erased subjects from; their
   * rows are gone, but deliveries made before still hold them.
   */
  static List<Pending> find(RunContext context, Dataset<Row> requests, Map<String, PhysicalDeletion> erasedRaw,
      Set<String> unfinishedSources) {
    List<Pending> pending = new ArrayList<>();
    ExtractStore extracts = new ExtractStore(context.store().spark());
    for (OutputSpec output : context.spec().outputs()) {
      Audience audience = Audience.of(output.audience());
      if (!audience.isPartner() || output.format() == OutputFormat.DELTA) {
        continue;
      }
      String location = context.options().warehouse().output(output);
      String run = extracts.currentRun(location);
      if (run == null) {
        continue;
      }
      SourceSpec source = context.spec().source(output.source());
      String column = RetentionAndErasure.subjectPseudonymColumn(source, output);
      if (column == null) {
        PhysicalDeletion erased = erasedRaw.get(source.name());
        if (erased != null && erased.rowsDeleted() > 0 || unfinishedSources.contains(source.name())) {
          pending.add(new Pending(audience.partner(), output.name(), run, null, List.of()));
        }
        continue;
      }
      UserDefinedFunction udf = Pseudonymize.udf(context.pseudonymizer(output.audience()));
      Dataset<Row> erasedPseudonyms = requests.select(Pseudonymize.pseudonymOf(udf, functions.col("subject_id")).as("p"));
      ExtractEncryption.Plan encryption = context.encryptionFor(output.audience(), List.of());
      Dataset<Row> delivered = extracts.readCurrent(location, output.format(),
          encryption == null ? Map.of() : encryption.readOptions()).select(functions.col("`" + column + "`").as("p")).distinct();
      List<String> found = delivered.join(erasedPseudonyms, "p").select("p").distinct().orderBy("p")
          .as(Encoders.STRING()).collectAsList();
      if (!found.isEmpty()) {
        pending.add(new Pending(audience.partner(), output.name(), run, column, found));
      }
    }
    return pending;
  }

  /** Writes one signed recall list per partner with pending recalls; call after the new deliveries are published. */
  static List<RunReport.RecallReport> write(RunContext context, List<Pending> pending) {
    Map<String, List<Pending>> byPartner = new TreeMap<>();
    pending.forEach(p -> byPartner.computeIfAbsent(p.partner(), k -> new ArrayList<>()).add(p));
    List<RunReport.RecallReport> reports = new ArrayList<>();
    var conf = context.store().spark().sparkContext().hadoopConfiguration();
    for (Map.Entry<String, List<Pending>> partner : byPartner.entrySet()) {
      String audience = "partner:" + partner.getKey();
      String keyId = context.pseudonymizer(audience).keyId();
      List<Map<String, Object>> extracts = new ArrayList<>();
      Map<String, Integer> counts = new LinkedHashMap<>();
      for (Pending p : partner.getValue()) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("extract", p.output());
        entry.put("deliveredRun", p.deliveredRun());
        entry.put("supersededByRun", context.runId());
        if (p.column() == null) {
          entry.put("action", "delete the whole delivery " + p.deliveredRun() + " and everything derived from it; use run "
              + context.runId() + " instead (the extract holds no subject pseudonym to delete rows by)");
          counts.put(p.output(), -1);
        } else {
          entry.put("action", "delete every row whose " + p.column() + " is listed, from your copies and from everything "
              + "derived from them");
          entry.put("column", p.column());
          entry.put("pseudonyms", p.pseudonyms());
          counts.put(p.output(), p.pseudonyms().size());
        }
        extracts.add(entry);
      }
      Map<String, Object> list = new LinkedHashMap<>();
      list.put("kind", "erasure-recall");
      list.put("partner", partner.getKey());
      list.put("runId", context.runId());
      list.put("job", context.spec().name());
      list.put("pseudonymKeyId", keyId);
      list.put("signingKeyId", context.signingKey().id());
      list.put("extracts", extracts);
      String json = AtomicFiles.toJson(list);
      String file = context.options().warehouse().recalls(partner.getKey()) + "/" + context.runId() + ".json";
      AtomicFiles.writeAtomically(file, json, conf);
      AtomicFiles.writeAtomically(file + ".sig",
          ManifestSignature.sign(json.getBytes(StandardCharsets.UTF_8), context.signingKey()) + "\n", conf);
      reports.add(new RunReport.RecallReport(partner.getKey(), file, keyId, counts));
    }
    return reports;
  }
}
