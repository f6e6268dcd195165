package dev.deid.pipeline;

import dev.deid.config.JobSpec;
import dev.deid.config.PartnerContract;
import dev.deid.config.SourceSpec;
import dev.deid.io.ExtractEncryption;
import dev.deid.io.PhysicalDelete;
import dev.deid.io.Publications;
import dev.deid.io.Publisher;
import dev.deid.io.TableStore;
import dev.deid.privacy.ManifestSignature;
import dev.deid.privacy.Pseudonymizer;
import dev.deid.privacy.anon.Hierarchy;
import dev.deid.privacy.dp.Mechanisms;
import dev.deid.steps.ConsentFilter;
import dev.deid.steps.Step;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What every stage of one run sees: the validated spec, the run's options (warehouse, keys,
 * reference time), the store, the run id, the audiences' pseudonymizers and the extract signing key
 * checked by preflight, the
 * spec's hierarchy files as read before anything changed, the noise source, and, once retention and erasure are done, the raw tables' versions every later
 * read is pinned to. Immutable; {@link #withInputVersions} gives the context of the later stages.
 */
record RunContext(JobSpec spec, RunOptions options, TableStore store, String runId,
    Map<String, Pseudonymizer> pseudonymizers, ManifestSignature.SigningKey signingKey,
    Map<String, ExtractEncryption.PartnerKeys> encryption, Map<String, Hierarchy> fileHierarchies,
    Mechanisms mechanisms, UnaryOperator<Dataset<Row>> beforeWrite, Map<String, Long> inputVersions,
    Publications publications, Map<String, PhysicalDelete.Plan> pendingDeletions) {

  RunContext {
    pseudonymizers = Map.copyOf(pseudonymizers);
    encryption = Map.copyOf(encryption);
    fileHierarchies = Map.copyOf(fileHierarchies);
    inputVersions = Map.copyOf(inputVersions);
    pendingDeletions = Map.copyOf(pendingDeletions);
  }

  RunContext withInputVersions(Map<String, Long> versions) {
    return new RunContext(spec, options, store, runId, pseudonymizers, signingKey, encryption, fileHierarchies, mechanisms, beforeWrite,
        versions, publications, Map.of());
  }

  /**
   * The context in which every source reads as it will be once {@code plans} (by source name) are
   * carried out, deleting nothing: checks made in it see the data the run's outputs will see.
   */
  RunContext withPendingDeletions(Map<String, PhysicalDelete.Plan> plans) {
    return new RunContext(spec, options, store, runId, pseudonymizers, signingKey, encryption, fileHierarchies, mechanisms, beforeWrite,
        inputVersions, publications, plans);
  }

  String rawTable(SourceSpec source) {
    return options.warehouse().rawTable(source.table());
  }

  /** A source as of the version pinned after retention and erasure (or its latest, before; without the rows pending deletion). */
  Dataset<Row> read(SourceSpec source) {
    Dataset<Row> rows = readEveryRow(source);
    PhysicalDelete.Plan pending = pendingDeletions.get(source.name());
    return pending == null ? rows : pending.remaining(rows);
  }

  /**
   * A source as of its pinned version with every row, those pending deletion included: the raw
   * values an output must not hold are those of every subject the table holds now, erased or not.
   */
  Dataset<Row> readEveryRow(SourceSpec source) {
    Long version = inputVersions.get(source.name());
    return version == null ? store.read(rawTable(source)) : store.read(rawTable(source), version);
  }

  /** The rows {@link #readEveryRow} gives, knowing the {@code rowsLeft} that {@link #read} gives: they differ by a pending deletion. */
  long everyRow(SourceSpec source, long rowsLeft) {
    PhysicalDelete.Plan pending = pendingDeletions.get(source.name());
    return pending != null ? pending.rows() : rowsLeft;
  }

  /** The rows {@link #read} gives: those the pending deletion's plan leaves (counted by the plan), else a count. */
  long rowsLeft(SourceSpec source) {
    PhysicalDelete.Plan pending = pendingDeletions.get(source.name());
    return pending != null ? pending.rows() - pending.total() : read(source).count();
  }

  /** Publishes outputs and releases, signing extract manifests with the run's key. */
  Publisher publisher() {
    return new Publisher(store, signingKey, publications);
  }

  /**
   * How an extract for {@code audience} with these columns is encrypted: under its partner's keys
   * when the contract requires it, with the contract's sensitive columns under the column key;
   * null for plaintext.
   */
  ExtractEncryption.Plan encryptionFor(String audience, List<String> columns) {
    PartnerContract contract = spec.contractOf(audience);
    if (contract == null || !contract.encryptionRequired()) {
      return null;
    }
    return new ExtractEncryption.Plan(encryption.get(contract.partner()),
        columns.stream().filter(contract.sensitiveColumns()::contains).toList());
  }

  Pseudonymizer pseudonymizer(String audience) {
    return pseudonymizers.get(audience);
  }

  /** Keeps the rows of subjects who consented to {@code purpose}: on the source itself or through the consent source. */
  Step consentFilter(SourceSpec source, String purpose) {
    String purposeColumn = spec.consent().purposeColumns().get(purpose);
    if (source.name().equals(spec.consent().source())) {
      return ConsentFilter.onOwnColumn(purposeColumn);
    }
    SourceSpec consentSource = spec.source(spec.consent().source());
    return ConsentFilter.throughSubjects(source.subjectColumn(), read(consentSource), spec.consent().subjectColumn(),
        purposeColumn);
  }
}
