package dev.deid.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deid.TestSpark;
import dev.deid.steps.GeneralizeColumns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

/**
 * Precision and recall of the {@code redact} action on a labelled corpus of 335 Chinese and
 * English feedback strings (src/test/resources/redaction/corpus.tsv), identifiers written the ways
 * people type them. An identifier counts as redacted when no four consecutive characters of it
 * (two of them letters or digits) are left. Recall must reach 0.99 on every structured type;
 * street addresses, free-form, are measured and printed only.
 */
class RedactionRecallTest {
  record Labelled(String type, String identifier, String text) {}

  static final Map<String, String> PLACEHOLDER = Map.of("resident_id", "<resident-id>", "mobile", "<phone>", "landline", "<phone>",
      "email", "<email>", "card_number", "<card-number>", "ipv4", "<ip>", "ipv6", "<ip>", "address", "<address>");

  static List<Labelled> corpus() throws Exception {
    List<Labelled> corpus = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("src/test/resources/redaction/corpus.tsv"))) {
      if (!line.startsWith("#")) {
        String[] f = line.split("\t", -1);
        corpus.add(new Labelled(f[0], f[1], f[2]));
      }
    }
    return corpus;
  }

  record Scores(Map<String, double[]> recall, Map<String, double[]> precision) {
    double recall(String type) {
      return recall.get(type)[0] / recall.get(type)[1];
    }
  }

  /** Recall per labelled type and precision per placeholder, as {hits, total}. */
  static Scores score(List<Labelled> corpus, UnaryOperator<String> redactor) {
    Map<String, double[]> recall = new TreeMap<>();
    Map<String, double[]> precision = new TreeMap<>();
    for (Labelled l : corpus) {
      String redacted = redactor.apply(l.text());
      boolean gone = !"none".equals(l.type()) && fullyRemoved(l.identifier(), redacted);
      if (!"none".equals(l.type())) {
        double[] r = recall.computeIfAbsent(l.type(), k -> new double[2]);
        r[0] += gone ? 1 : 0;
        r[1]++;
      }
      for (String placeholder : new TreeSet<>(PLACEHOLDER.values())) {
        int occurrences = count(redacted, placeholder) - count(l.text(), placeholder);
        if (occurrences > 0) {
          double[] p = precision.computeIfAbsent(placeholder, k -> new double[2]);
          boolean expected = gone && placeholder.equals(PLACEHOLDER.get(l.type()));
          p[0] += expected ? 1 : 0;
          p[1] += occurrences;
        }
      }
    }
    return new Scores(recall, precision);
  }

  static boolean fullyRemoved(String identifier, String redacted) {
    String left = redacted;
    for (String placeholder : PLACEHOLDER.values()) {
      left = left.replace(placeholder, " ");
    }
    for (int i = 0; i + 4 <= identifier.length(); i++) {
      String window = identifier.substring(i, i + 4);
      if (window.codePoints().filter(Character::isLetterOrDigit).count() >= 2 && left.contains(window)) {
        return false;
      }
    }
    return true;
  }

  static int count(String text, String placeholder) {
    int n = 0;
    for (int i = text.indexOf(placeholder); i >= 0; i = text.indexOf(placeholder, i + 1)) {
      n++;
    }
    return n;
  }

  @Test
  void redact_reachesRecall099_onEveryStructuredIdentifier_andPrintsItsFigures() throws Exception {
    List<Labelled> corpus = corpus();
    assertTrue(corpus.size() >= 300, "corpus size " + corpus.size());
    Scores scores = score(corpus, PiiPatterns::redact);
    System.out.println("redaction on " + corpus.size() + " labelled strings:");
    scores.recall().forEach((type, r) -> System.out.printf(Locale.ROOT, "  recall    %-12s %5.3f (%d of %d)%n",
        type, r[0] / r[1], (int) r[0], (int) r[1]));
    scores.precision().forEach((placeholder, p) -> System.out.printf(Locale.ROOT, "  precision %-14s %5.3f (%d of %d)%n",
        placeholder, p[0] / p[1], (int) p[0], (int) p[1]));
    for (String type : List.of("resident_id", "mobile", "landline", "email", "card_number", "ipv4", "ipv6")) {
      assertTrue(scores.recall(type) >= 0.99, type + " recall " + scores.recall(type));
    }
    assertTrue(scores.recall("address") >= 0.8, "address recall " + scores.recall("address"));
    scores.precision().forEach((placeholder, p) -> assertTrue(p[0] / p[1] >= 0.95, placeholder + " precision " + p[0] / p[1]));
  }

  @Test
  void theMeasure_rejectsARedactorThatMissesASpelling() throws Exception {
    List<Labelled> corpus = corpus();
    // Without the landline pattern, and with mobile numbers only as eleven bare digits.
    UnaryOperator<String> weaker = text -> text.replaceAll(PiiPatterns.EMAIL.regex(), "<email>")
        .replaceAll("(?<![0-9])1[3-9][0-9]{9}(?![0-9])", "<phone>");
    Scores scores = score(corpus, weaker);
    assertTrue(scores.recall("landline") < 0.5, "landline recall " + scores.recall("landline"));
    assertTrue(scores.recall("mobile") < 0.9, "mobile recall " + scores.recall("mobile"));
  }

  /** The Spark column expression the redact action runs redacts exactly as the measured function. */
  @Test
  void sparksRedaction_equalsTheMeasuredOne() throws Exception {
    List<Labelled> corpus = corpus();
    Dataset<Row> texts = TestSpark.session().createDataset(corpus.stream().map(Labelled::text).toList(), Encoders.STRING()).toDF("text");
    Column redacted = GeneralizeColumns.redacted(functions.col("text"));
    Map<String, String> bySpark = new LinkedHashMap<>();
    texts.select(functions.col("text"), redacted.as("redacted")).collectAsList().forEach(r -> bySpark.put(r.getString(0), r.getString(1)));
    for (Labelled l : corpus) {
      assertEquals(PiiPatterns.redact(l.text()), bySpark.get(l.text()), l.text());
    }
  }
}
