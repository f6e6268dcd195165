package dev.deid.errors;

import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * The one place where user-facing errors are made. Each names the offending field (as a YAML path
 * where it comes from a job spec), the rule it broke and how to fix it. No message ever includes
 * a key, a key's bytes or a raw data value.
 */
public final class Errors {
  private Errors() {}

  private static DeidException of(String problem) {
    return new DeidException(List.of(problem), null);
  }

  /** A leak the guard found: counts and names only, never a value. */
  public static String leakGuardHit(String outputPath, String output, String column, String check, long cells, String source) {
    String what = "raw_identifier".equals(check) ? "equal to a raw direct-identifier value of source '" + source + "'"
        : "holding " + switch (check) {
          case "email" -> "an e-mail address";
          case "resident_id" -> "a resident ID number";
          case "mobile" -> "a mobile number";
          case "landline" -> "a landline number";
          case "card_number" -> "a payment card number";
          case "ipv4", "ipv6" -> "an IP address";
          default -> check;
        } + " (check " + check + ")";
    return "Leak guard stopped the run before publishing: output '" + output + "' column '" + column + "' has " + cells
        + " cells " + what + " (fix: classify the source column as what it holds and drop, pseudonymize, mask or redact it; "
        + "for a known false positive add " + outputPath + ".leakGuard.allow: [{column: " + column + ", check: " + check
        + ", reason: <why>}]; nothing was written)";
  }

  public static DeidException fileExists(String option, String file) {
    return of("Invalid " + option + " " + file + ": the file exists (fix: name a new file, or move the existing one away; it is never overwritten)");
  }

  public static DeidException noRawTables(String warehouse) {
    return of("No raw Delta table under " + warehouse + "/raw (fix: pass --warehouse of a warehouse with raw tables, or name them with --tables)");
  }

  public static DeidException sqlStatement(int number, String sparkError) {
    return of("SQL statement " + number + " failed: " + sparkError + " (fix: correct the statement; 'SHOW TABLES IN analysts' "
        + "lists the named tables)");
  }

  public static DeidException catalogNameTaken(String table, String tableType, String location) {
    return of("The catalog name " + table + " is taken by a " + tableType.toLowerCase(Locale.ROOT)
        + " table that is not this output (fix: drop or rename that table, or rename the output; the output "
        + "itself was written to " + location + ")");
  }

  public static DeidException all(Collection<String> problems) {
    return new DeidException(List.copyOf(problems), null);
  }

  /** Problems whose illustrating data values are kept out of the messages (see {@link DeidException#values()}). */
  public static DeidException withValues(List<String> problems, List<String> values) {
    return new DeidException(problems, values, null);
  }

  /** A hierarchy that does not fit the data: counts in the message, example values apart. */
  public static DeidException invalidHierarchy(String field, List<String> problems, List<String> examples) {
    return new DeidException(List.of("Invalid hierarchy at " + field + ": " + String.join("; ", problems)
        + " (fix: add the missing values to the hierarchy, or correct its levels; run 'validate --show-values' on "
        + "your own console to see examples)"), examples, null);
  }

  public static String invalidHierarchyFile(String field, List<String> problems) {
    boolean conflicting = problems.stream().anyMatch(p -> p.contains("two different generalizations"));
    return "Invalid hierarchy file at " + field + ": " + String.join("; ", problems)
        + " (fix: correct the file so that every row has the same levels and each value has one row"
        + (conflicting ? ", or set " + field + ".conflictingRows: last to let the last row for a value win, as ARX does" : "")
        + "; run 'validate --show-values' on your own console to see the values)";
  }

  public static DeidException unreadableHierarchyFile(String field, String file, Exception cause) {
    return of("Cannot read the hierarchy file " + file + " at " + field + ": " + cause.getClass().getSimpleName()
        + " (fix: check the file exists and is readable)");
  }

  public static DeidException unreadableSpec(String file, Exception cause) {
    return of("Cannot read job spec " + file + ": " + cause.getClass().getSimpleName()
        + " (fix: pass the path of an existing, readable YAML file)");
  }

  public static String invalidSpec(String path, String problem, String fix) {
    return "Invalid job spec at " + path + ": " + problem + " (fix: " + fix + ")";
  }

  public static DeidException malformedYaml(String file, String detail) {
    return of("Cannot read job spec " + file + ": malformed YAML: " + detail
        + " (fix: correct the YAML syntax at the position shown)");
  }

  /** A field given twice would otherwise be read as its last occurrence, e.g. a column's second classification. */
  public static DeidException duplicateYamlKey(String file, String detail) {
    return of("Cannot read job spec " + file + ": a field is given twice: " + detail
        + " (fix: keep one occurrence of the field at the position shown)");
  }

  public static DeidException missingKey(String audience, String envVar, String file) {
    return of("Cannot pseudonymize for audience '" + audience + "': no key found in environment "
        + "variable " + envVar + " or key file " + file
        + " (fix: provide '<key-id>:<base64 secret of at least 32 bytes>' in one of them)");
  }

  public static DeidException keyFileReadableByOthers(String audience, String file, String permissions) {
    return of("Cannot use the key for audience '" + audience + "' from key file " + file + ": its permissions "
        + permissions + " let other users read the secret (fix: chmod 600 " + file + ")");
  }

  public static String sourceIsJobTable(String path, String source, String zone) {
    return invalidSpec(path, "source '" + source + "' points into the job's own " + zone + "/ zone",
        "name a raw table; the ledger, the audit table, reports and published outputs are never sources");
  }

  public static DeidException referenceTimeInFuture(String referenceTime, String now) {
    return of("Cannot run with reference time " + referenceTime + ": it is after the clock's now (" + now
        + "), and retention would delete rows that have not expired (fix: leave --reference-time out, or give a time "
        + "that has passed)");
  }

  public static String retentionDeletesTooMuch(String path, long matching, long rows, double limit) {
    return "Invalid run at " + path + ": retention would delete " + matching + " of " + rows + " rows ("
        + String.format(Locale.ROOT, "%.1f", 100.0 * matching / rows) + " %), more than maxDeleteFraction "
        + limit + "; nothing was deleted (fix: check the reference time and maxAgeDays; if the deletion is right, "
        + "rerun with --allow-large-deletion or raise " + path + ".maxDeleteFraction)";
  }

  public static DeidException tableChangedDuringDeletion(String table, long planned, long deleted) {
    return of("Table " + table + " changed while this run deleted from it: " + planned + " rows were to be deleted, "
        + deleted + " were; the deletion is committed (fix: stop other writers to the table during the run and rerun; "
        + "the rerun finishes the deletion and proves it on disk)");
  }

  public static DeidException missingSigningKey(String envVar, String file) {
    return of("Cannot sign partner extracts: no signing key found in environment variable " + envVar + " or key file "
        + file + " (fix: provide '<key-id>:<base64 PKCS#8 Ed25519 private key>' in one of them, e.g. from "
        + "'openssl genpkey -algorithm ed25519 -outform DER | base64 -w0', and give partners the public key)");
  }

  public static DeidException badSigningKey(String where, String rule) {
    return of("Invalid extract signing key from " + where + ": " + rule
        + " (fix: provide '<key-id>:<base64 PKCS#8 Ed25519 private key>')");
  }

  public static DeidException badPublicKey(String file, String rule) {
    return of("Invalid public key in " + file + ": " + rule
        + " (fix: use the '<key-id>:<base64>' public key the publisher handed you)");
  }

  public static DeidException unusableWarehouse(String root, String reason) {
    return of("Invalid --warehouse " + root + ": no file system serves it (" + reason + ") (fix: give a local path or "
        + "a URI whose scheme the cluster's Hadoop configuration supports, e.g. s3a://, abfs://, hdfs://, with its "
        + "connector on the classpath)");
  }

  public static String ledgerMissing(String path, String table, String ledger) {
    return "Cannot spend privacy budget at " + path + ": raw table " + table + " records its spending in the ledger "
        + ledger + ", which is missing; a run now would start from an empty budget (fix: restore the ledger from a "
        + "backup, or its Delta table from storage versioning; never delete it)";
  }

  public static String ledgerRolledBack(String path, String ledger, long seen, long now) {
    return "Cannot spend privacy budget at " + path + ": the ledger " + ledger + " holds " + now + " charges for this "
        + "table, fewer than the " + seen + " an earlier run recorded in the audit; it was rolled back or rows were "
        + "deleted, which would restore spent budget (fix: restore the ledger's lost charges from a backup, or its "
        + "latest version with Delta RESTORE; never delete or rewrite its rows)";
  }

  public static DeidException missingEncryptionKey(String label, String envVar, String file) {
    return of("Cannot encrypt partner extracts: the " + label + " is in neither environment variable " + envVar
        + " nor key file " + file + "; nothing was written (fix: provide '<key-id>:<base64 AES key>' in one of them, "
        + "e.g. from 'openssl rand -base64 32', and give the partner its copy out of band)");
  }

  public static DeidException badEncryptionKey(String label, String where, String rule) {
    return of("Invalid " + label + " from " + where + ": " + rule + " (fix: provide '<key-id>:<base64 AES key of 16, 24 "
        + "or 32 bytes>', e.g. from 'openssl rand -base64 32')");
  }

  public static DeidException badKey(String audience, String where, String rule) {
    return of("Invalid key for audience '" + audience + "' from " + where + ": " + rule
        + " (fix: provide '<key-id>:<base64 secret of at least 32 bytes>', e.g. from "
        + "'openssl rand -base64 32')");
  }

  public static DeidException missingSourceTable(String path, String source, String location) {
    return of("Cannot read source '" + source + "' at " + path + ": no Delta table at " + location
        + " (fix: point " + path + " at an existing raw Delta table, or generate sample data)");
  }

  public static DeidException emptySource(String path, String source) {
    return of("Cannot de-identify source '" + source + "' at " + path + ": the table has no rows"
        + " (fix: check the upstream load, or remove the source from the spec)");
  }

  public static DeidException unclassifiedColumns(String path, Collection<String> columns) {
    return of("Invalid job spec at " + path + ": raw column(s) " + columns + " are not classified;"
        + " unclassified columns never reach an output (fix: add each to " + path
        + " with a class and an action, e.g. {class: insensitive, action: drop})");
  }

  public static DeidException unknownColumns(String path, Collection<String> columns) {
    return of("Invalid job spec at " + path + ": column(s) " + columns
        + " do not exist in the raw table (fix: remove them or correct the name)");
  }

  public static DeidException wrongColumnType(String path, String column, String actual, String expected) {
    return of("Invalid job spec at " + path + ": column '" + column + "' has type " + actual
        + " but " + expected + " is required (fix: choose another column or action)");
  }

  public static DeidException noRowsToAnonymize(String path) {
    return of("Cannot anonymize output at " + path + ": no rows reach it (fix: check consent and retention, or remove the output)");
  }

  public static DeidException kAboveRows(String path, int k, long rows) {
    return of("Cannot anonymize output at " + path + ": k = " + k + " but only " + rows
        + " rows reach the output (fix: lower k or release more rows)");
  }

  /** {@code reason} comes from the anonymization engine and names models and counts, never values. */
  public static DeidException populationSmallerThanRecords(String path, long population, long records) {
    return of("Cannot estimate population risk at " + path + ": the population (" + population + ") is smaller than the "
        + records + " records drawn from it (fix: give the size of the whole population the records come from, or remove "
        + "populationSize to treat the records as the whole population)");
  }

  public static DeidException noAnonymousTransformation(String path, String reason) {
    return of("Cannot anonymize output at " + path + ": " + reason
        + " (fix: relax the privacy models or raise the suppression limit)");
  }

  public static DeidException outdatedLedger(String table) {
    return of("Cannot read the privacy-budget ledger at " + table + ": it was written by an earlier version that keyed "
        + "spending by source name rather than by table (fix: migrate its entries or, for a demo warehouse only, remove it; "
        + "never remove a production ledger, as that restores spent budget)");
  }

  public static DeidException budgetExceeded(String path, double epsilon, double delta, double epsilonLeft,
      double deltaLeft, String period, String source, String audience, String window) {
    return of("Cannot publish " + path + ": it needs epsilon " + epsilon + (delta > 0 ? ", delta " + delta : "")
        + " but only epsilon " + epsilonLeft + ", delta " + deltaLeft + " is left of the " + period
        + " budget for source '" + source + "' and audience '" + audience + "' in period " + window + " (fix: "
        + ("lifetime".equals(period) ? "the lifetime budget never renews; raise it only deliberately"
            : "wait for the next period, lower the epsilon, or raise the budget deliberately") + ")");
  }

  /** A run that failed for a reason that is not the user's: the message names the run, never data. */
  public static DeidException internal(String runId, Throwable cause) {
    return new DeidException(List.of("Internal error " + cause.getClass().getName() + " (see the driver log of run "
        + runId + ")"), null);
  }

  /** The problem sentence for a key whose id stayed while its secret changed (refused with the others). */
  public static String changedKeySecret(String output, String path, String audience, String keyId) {
    return "Cannot write output '" + output + "' at " + path + ": the key for audience '" + audience + "' still has id '"
        + keyId + "' but its secret changed (fix: give a rotated key a new key id, or restore the previous secret)";
  }

  public static DeidException deletedRowsStillOnDisk(String path, long rows, String table) {
    return of("Cannot confirm deletion at " + path + ": " + rows + " deleted row(s) are still in data files of " + table
        + " after VACUUM (fix: check that no other process holds or restores those files)");
  }

  public static DeidException deletedValuesInLog(String path, long values, List<String> columns, String table) {
    return of("Cannot confirm deletion at " + path + ": the _delta_log of " + table + " still holds " + values
        + " value(s) of column(s) " + String.join(", ", columns) + " that no current row holds, in file statistics or "
        + "partition values (fix: the table has deletion vectors or files another writer added after the vacuum; run "
        + "REORG TABLE ... APPLY (PURGE) on it once, then run the job again)");
  }
}
