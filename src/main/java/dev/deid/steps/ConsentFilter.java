package dev.deid.steps;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.internal.SQLConf;

/**
 * Keeps only rows whose subject consented to the output's purpose. A missing or null consent is a
 * refusal: a subject with no consent record (for instance one deleted by retention) is filtered out.
 */
public final class ConsentFilter implements Step {
  private final String subjectColumn;
  private final Dataset<Row> consentSource;
  private final String consentSubjectColumn;
  private final String purposeColumn;
  private final boolean sameTable;

  private ConsentFilter(String subjectColumn, Dataset<Row> consentSource, String consentSubjectColumn,
      String purposeColumn, boolean sameTable) {
    this.subjectColumn = subjectColumn;
    this.consentSource = consentSource;
    this.consentSubjectColumn = consentSubjectColumn;
    this.purposeColumn = purposeColumn;
    this.sameTable = sameTable;
  }

  /** For the consent table itself: the purpose column is on every row. */
  public static ConsentFilter onOwnColumn(String purposeColumn) {
    return new ConsentFilter(null, null, null, purposeColumn, true);
  }

  /** For other tables: a semi-join with the subjects who consented. */
  public static ConsentFilter throughSubjects(String subjectColumn, Dataset<Row> consentSource,
      String consentSubjectColumn, String purposeColumn) {
    return new ConsentFilter(subjectColumn, consentSource, consentSubjectColumn, purposeColumn, false);
  }

  @Override
  public String name() {
    return "consent";
  }

  @Override
  public Result apply(Dataset<Row> input) {
    Column consented = functions.coalesce(functions.col(purposeColumn), functions.lit(false));
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("consentColumn", purposeColumn);
    metrics.put("through", sameTable ? "the row's own consent column" : "a semi-join with the consenting subjects");
    if (sameTable) {
      return new Result(input.filter(consented), metrics);
    }
    Dataset<Row> subjects = consentSource.filter(consented)
        .select(functions.col(consentSubjectColumn).as("deid_consented_subject"));
    Column subject = input.col(subjectColumn);
    Column consenting = subjects.col("deid_consented_subject");
    Column sameSubject = subject.equalTo(consenting);
    if (!broadcastBySize(subjects)
        && input.select(subject).schema().fields()[0].dataType().equals(subjects.schema().fields()[0].dataType())) {
      // The subject's hash as the first join key: a sort-merge join sorts both sides by its keys,
      // and a 64-bit hash decides nearly every comparison within the sort's 8-byte prefix, where
      // ids that share their first 8 bytes would be compared in full. Equal values of one type
      // hash alike, so the equality after it still decides alone. A broadcast join sorts nothing
      // and only pays for the second key.
      sameSubject = functions.xxhash64(subject).equalTo(functions.xxhash64(consenting)).and(sameSubject);
    }
    return new Result(input.join(subjects, sameSubject, "left_semi"), metrics);
  }

  /**
   * Whether Spark will broadcast the consenting subjects: its own test, on the estimate of the
   * analyzed plan. The optimized plan's would be closer, but optimizing a Delta scan with a filter
   * lists its files in a Spark job of its own.
   */
  private static boolean broadcastBySize(Dataset<Row> subjects) {
    long threshold = SQLConf.get().autoBroadcastJoinThreshold();
    return threshold >= 0 && subjects.queryExecution().analyzed().stats().sizeInBytes()
        .bigInteger().compareTo(BigInteger.valueOf(threshold)) <= 0;
  }
}
