package dev.deid.pipeline;

import dev.deid.config.ColumnSpec;
import dev.deid.config.ConsentSpec;
import dev.deid.config.JobSpec;
import dev.deid.config.OutputFormat;
import dev.deid.config.OutputSpec;
import dev.deid.config.PartnerContract;
import dev.deid.config.SourceSpec;
import dev.deid.config.Transform;
import dev.deid.errors.DeidException;
import dev.deid.errors.Errors;
import dev.deid.io.ExtractEncryption;
import dev.deid.io.KeyRing;
import dev.deid.io.TableStore;
import dev.deid.io.Warehouse;
import dev.deid.privacy.ManifestSignature;
import dev.deid.privacy.Pseudonymizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.IntegralType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;

/**
 * Checks a loaded spec against the data and the keys before anything is changed or written: every
 * raw table exists and is not empty, every raw column is classified (fail closed) and every
 * classified column exists, each column's type fits its action, and every audience has a usable key.
 * All problems are reported together.
 */
public final class Preflight {
  private Preflight() {}

  /**
   * What a run needs once the checks pass: the pseudonymizer of every audience it writes for, and
   * the key that signs partner-extract manifests (null when the spec writes no extract).
   */
  public record Checked(Map<String, Pseudonymizer> pseudonymizers, Map<String, StructType> schemas,
      ManifestSignature.SigningKey signingKey, Map<String, ExtractEncryption.PartnerKeys> encryption) {}

  /** The partners this spec publishes to whose contract requires encryption at rest. */
  private static Set<String> encryptedPartners(JobSpec spec) {
    Set<String> partners = new TreeSet<>();
    List<String> audiences = new ArrayList<>();
    spec.outputs().forEach(o -> audiences.add(o.audience()));
    spec.releases().forEach(r -> audiences.add(r.audience()));
    for (String audience : audiences) {
      PartnerContract contract = spec.contractOf(audience);
      if (contract != null && contract.encryptionRequired()) {
        partners.add(contract.partner());
      }
    }
    return partners;
  }

  public static Checked check(JobSpec spec, Warehouse warehouse, TableStore store, KeyRing keys) {
    List<String> problems = new ArrayList<>();
    Map<String, Pseudonymizer> pseudonymizers = new LinkedHashMap<>();
    Set<String> audiences = new LinkedHashSet<>();
    spec.outputs().forEach(o -> audiences.add(o.audience()));
    if (spec.erasure() != null) {
      audiences.add(spec.erasure().auditAudience());
    }
    for (String audience : audiences) {
      try {
        pseudonymizers.put(audience, new Pseudonymizer(keys.key(audience)));
      } catch (DeidException e) {
        problems.addAll(e.problems());
      }
    }
    ManifestSignature.SigningKey signingKey = null;
    boolean writesExtracts = spec.outputs().stream().anyMatch(o -> o.format() != OutputFormat.DELTA)
        || spec.releases().stream().anyMatch(r -> r.format() != OutputFormat.DELTA);
    if (writesExtracts) {
      try {
        signingKey = keys.signingKey();
      } catch (DeidException e) {
        problems.addAll(e.problems());
      }
    }
    Map<String, ExtractEncryption.PartnerKeys> encryption = new LinkedHashMap<>();
    for (String partner : encryptedPartners(spec)) {
      try {
        encryption.put(partner, keys.encryptionKeys(partner));
      } catch (DeidException e) {
        problems.addAll(e.problems());
      }
    }
    Map<String, StructType> schemas = new LinkedHashMap<>();
    for (SourceSpec source : spec.sources().values()) {
      String table = warehouse.rawTable(source.table());
      String zone = warehouse.jobZoneOf(table);
      if (zone != null) {
        problems.add(Errors.sourceIsJobTable(source.path() + ".table", source.name(), zone));
        continue;
      }
      if (!store.exists(table)) {
        problems.add(Errors.missingSourceTable(source.path() + ".table", source.name(), table).getMessage());
        continue;
      }
      StructType schema = store.read(table).schema();
      schemas.put(source.name(), schema);
      checkColumns(source, schema, problems);
      if (store.read(table).isEmpty()) {
        problems.add(Errors.emptySource(source.path() + ".table", source.name()).getMessage());
      }
    }
    checkConsent(spec.consent(), spec, schemas, problems);
    if (spec.erasure() != null) {
      String table = warehouse.rawTable(spec.erasure().table());
      if (warehouse.jobZoneOf(table) != null) {
        problems.add(Errors.sourceIsJobTable("erasure.table", "erasure requests", warehouse.jobZoneOf(table)));
      } else if (!store.exists(table)) {
        problems.add(Errors.missingSourceTable("erasure.table", "erasure requests", table).getMessage());
      } else if (!Arrays.asList(store.read(table).columns()).contains(spec.erasure().subjectColumn())) {
        problems.add(Errors.unknownColumns("erasure.subjectColumn", List.of(spec.erasure().subjectColumn())).getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw Errors.all(problems);
    }
    return new Checked(pseudonymizers, schemas, signingKey, encryption);
  }

  private static void checkColumns(SourceSpec source, StructType schema, List<String> problems) {
    Set<String> actual = new TreeSet<>(Arrays.asList(schema.fieldNames()));
    Set<String> unclassified = new TreeSet<>(actual);
    unclassified.removeAll(source.columns().keySet());
    if (!unclassified.isEmpty()) {
      problems.add(Errors.unclassifiedColumns(source.path() + ".columns", unclassified).getMessage());
    }
    Set<String> unknown = new TreeSet<>(source.columns().keySet());
    unknown.removeAll(actual);
    if (!unknown.isEmpty()) {
      problems.add(Errors.unknownColumns(source.path() + ".columns", unknown).getMessage());
    }
    for (ColumnSpec column : source.columns().values()) {
      if (!actual.contains(column.name())) {
        continue;
      }
      DataType type = schema.apply(column.name()).dataType();
      String expected = expectedType(column.transform(), type);
      if (expected != null) {
        problems.add(Errors.wrongColumnType(source.path() + ".columns." + column.name() + ".action",
            column.name(), type.simpleString(), expected + " (for action " + column.transform().action() + ")").getMessage());
      }
    }
    if (source.retention() != null && actual.contains(source.retention().column())) {
      StructField field = schema.apply(source.retention().column());
      if (!isTemporal(field.dataType())) {
        problems.add(Errors.wrongColumnType(source.path() + ".retention.column", field.name(),
            field.dataType().simpleString(), "a timestamp or date").getMessage());
      }
    }
  }

  /** Null when the type fits the transform, otherwise what is required. */
  private static String expectedType(Transform transform, DataType type) {
    if (transform instanceof Transform.AgeBand || transform instanceof Transform.Truncate || transform instanceof Transform.Age) {
      return isTemporal(type) ? null : "a timestamp or date";
    }
    if (transform instanceof Transform.NumericNoise) {
      return type instanceof NumericType ? null : "a number";
    }
    if (transform instanceof Transform.Redact) {
      return type instanceof StringType ? null : "a string";
    }
    if (transform instanceof Transform.Mask || transform instanceof Transform.Prefix) {
      return type instanceof StringType || type instanceof IntegralType ? null : "a string or whole number";
    }
    if (transform instanceof Transform.Pseudonymize) {
      return type instanceof StructType || type.typeName().equals("array") || type.typeName().equals("map")
          ? "a single value (not a struct, array or map)" : null;
    }
    return null;
  }

  private static boolean isTemporal(DataType type) {
    return type instanceof TimestampType || type instanceof TimestampNTZType || type instanceof DateType;
  }

  private static void checkConsent(ConsentSpec consent, JobSpec spec, Map<String, StructType> schemas, List<String> problems) {
    if (consent == null || !schemas.containsKey(consent.source())) {
      return;
    }
    StructType schema = schemas.get(consent.source());
    consent.purposeColumns().forEach((purpose, column) -> {
      if (Arrays.asList(schema.fieldNames()).contains(column)
          && !(schema.apply(column).dataType() instanceof BooleanType)) {
        problems.add(Errors.wrongColumnType("consent.purposes." + purpose, column,
            schema.apply(column).dataType().simpleString(), "a boolean").getMessage());
      }
    });
    for (OutputSpec output : spec.outputs()) {
      SourceSpec source = spec.source(output.source());
      if (source != null && !source.name().equals(consent.source()) && source.subjectColumn() == null) {
        problems.add(Errors.invalidSpec(source.path() + ".subjectColumn", "consent cannot be checked without a subject column",
            "name the column holding the data subject's id"));
      }
    }
  }
}
