package dev.deid.cli;

import dev.deid.bench.AnonymizationBenchmark;
import dev.deid.bench.Benchmark;
import dev.deid.bench.DpBenchmark;
import dev.deid.bench.LatticeBenchmark;
import dev.deid.config.JobSpec;
import dev.deid.errors.DeidException;
import dev.deid.io.DeltaStore;
import dev.deid.io.DevelopmentKeys;
import dev.deid.io.ExtractEncryption;
import dev.deid.io.ExtractVerifier;
import dev.deid.io.HierarchyFiles;
import dev.deid.io.KeyRing;
import dev.deid.io.SparkSessions;
import dev.deid.io.SpecFiles;
import dev.deid.io.Warehouse;
import dev.deid.pipeline.DryRun;
import dev.deid.pipeline.JobRunner;
import dev.deid.pipeline.Preflight;
import dev.deid.pipeline.RunOptions;
import dev.deid.privacy.ManifestSignature;
import dev.deid.report.Assessment;
import dev.deid.report.HtmlReport;
import dev.deid.report.RunReport;
import dev.deid.sample.DemoWarehouse;
import dev.deid.sample.SampleData;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * The job's entry point, for {@code spark-submit} and local runs alike. Exit codes: 0 success,
 * 1 the job refused or failed with a stated reason, 2 a usage error, 3 an internal error.
 */
@Command(name = "deid", mixinStandardHelpOptions = true, version = "deid 0.1.0",
    description = "De-identification and data minimization on Spark and Delta Lake.",
    subcommands = {DeidCli.Run.class, DeidCli.Assess.class, DeidCli.Validate.class, DeidCli.Verify.class, DeidCli.Generate.class, DeidCli.Sample.class, SqlCommand.class, DiscoverCommand.class,
        Benchmark.class, AnonymizationBenchmark.class, DpBenchmark.class, LatticeBenchmark.class})
public final class DeidCli implements Callable<Integer> {
  public static final int FAILED = 1;
  public static final int INTERNAL_ERROR = 3;


  public static void main(String[] args) {
    int code = execute(args);
    SparkSessions.stopOwned();
    System.exit(code);
  }

  /** Runs a command and returns its exit code; never exits the JVM (tests call this). */
  public static int execute(String... args) {
    return execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
  }

  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new DeidCli()).setOut(out).setErr(err);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      PrintWriter errors = commandLine.getErr();
      if (e instanceof DeidException de) {
        de.problems().forEach(p -> errors.println("error: " + p));
        if (!de.values().isEmpty() && showValues(parseResult)) {
          errors.println("values (shown because of --show-values; they are never written to reports or the audit): "
              + de.values());
        }
        errors.flush();
        return FAILED;
      }
      errors.println("internal error: " + e.getClass().getName() + " (see the log above)");
      e.printStackTrace(errors);
      errors.flush();
      return INTERNAL_ERROR;
    });
    return cli.execute(args);
  }

  private static boolean showValues(CommandLine.ParseResult parseResult) {
    CommandLine.ParseResult sub = parseResult.subcommand();
    return sub != null && sub.hasMatchedOption("--show-values");
  }

  static SparkSession spark() {
    return SparkSessions.shared(null);
  }

  /** The session, with the warehouse's embedded catalog when it is created for a local warehouse. */
  static SparkSession spark(Warehouse warehouse) {
    return SparkSessions.shared(warehouse);
  }

  @Override
  public Integer call() {
    CommandLine.usage(this, System.out);
    return 2;
  }

  static class WarehouseOption {
    @Option(names = "--warehouse", description = "Root of raw/, analysts/, partners/, reports/ and _deid/ "
        + "(local path or Hadoop URI; default: $DEID_WAREHOUSE or target/warehouse).")
    String warehouse;

    Warehouse resolve() {
      String root = warehouse != null ? warehouse
          : System.getenv().getOrDefault("DEID_WAREHOUSE", Path.of("target/warehouse").toAbsolutePath().toString());
      Warehouse resolved = new Warehouse(root);
      resolved.requireFileSystem(spark(resolved).sparkContext().hadoopConfiguration());
      return resolved;
    }
  }

  /** The job spec and where and when it runs: what {@code run} and {@code assess} share. */
  static class JobOptions {
    @Parameters(index = "0", description = "The job spec (YAML): a local path or a Hadoop URI (hdfs://, s3a://, abfs://, ...).")
    String spec;
    @CommandLine.Mixin
    WarehouseOption warehouse = new WarehouseOption();
    @Option(names = "--key-dir", description = "Directory of <audience>.key files, a local path or a Hadoop URI "
        + "(default: $DEID_KEY_DIR).")
    String keyDir;
    @Option(names = "--reference-time", description = "The run's 'now' for retention and age bands (ISO-8601; default: now).")
    Instant referenceTime;

    RunOptions options(boolean allowLargeDeletion) {
      return new RunOptions(warehouse.resolve(), KeyRing.fromEnvironment(keyDir),
          referenceTime != null ? referenceTime : Instant.now(), allowLargeDeletion);
    }
  }

  @Command(mixinStandardHelpOptions = true, name = "run", description = "Run a job spec: retention, erasure, then every output.")
  static final class Run implements Callable<Integer> {
    @CommandLine.Mixin
    JobOptions job = new JobOptions();
    @Option(names = "--show-values", description = "On an error about data values (e.g. values a hierarchy lacks), print "
        + "examples to this console. Never written to reports or the audit.")
    boolean showValues;
    @Option(names = "--allow-large-deletion", description = "Confirm that retention may delete more of a table than its "
        + "spec's maxDeleteFraction (default 0.2); without it such a run stops before deleting anything.")
    boolean allowLargeDeletion;
    @Option(names = "--dry-run", description = "Check everything a run checks before deleting, and print what it would "
        + "delete per table and spend per budget; change nothing (no report, no audit row). Exit 1 if the run would stop.")
    boolean dryRun;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec command;

    @Override
    public Integer call() {
      RunOptions options = job.options(allowLargeDeletion);
      if (dryRun) {
        DryRun plan = new JobRunner(spark(), options).dryRun(job.spec);
        PrintWriter out = command.commandLine().getOut();
        plan.lines().forEach(out::println);
        out.flush();
        return plan.wouldRun() ? 0 : FAILED;
      }
      RunReport report = new JobRunner(spark(), options).run(job.spec);
      Summary.print(report, options.warehouse());
      return 0;
    }
  }

  @Command(mixinStandardHelpOptions = true, name = "assess", description = "Privacy impact assessment of a job spec on the raw "
      + "tables as they are: per anonymized output the risk before and after, Loss per column, the transformation and a table of "
      + "alternative k and suppression limits; per DP release the expected error. Writes nothing and spends no budget.")
  static final class Assess implements Callable<Integer> {
    @CommandLine.Mixin
    JobOptions job = new JobOptions();
    @Option(names = "--html", description = "Also write the assessment as an HTML page to this file (outside the warehouse).")
    Path html;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec command;

    @Override
    public Integer call() throws IOException {
      Assessment assessment = new JobRunner(spark(), job.options(false)).assess(job.spec);
      PrintWriter out = command.commandLine().getOut();
      assessment.lines().forEach(out::println);
      out.flush();
      if (html != null) {
        Files.writeString(html, HtmlReport.assessment(assessment));
      }
      return 0;
    }
  }

  @Command(mixinStandardHelpOptions = true, name = "validate", description = "Check a job spec and report every error at once; with --warehouse, "
      + "also check it against the raw tables and keys.")
  static final class Validate implements Callable<Integer> {
    @Parameters(index = "0", description = "The job spec (YAML): a local path or a Hadoop URI.")
    String spec;
    @Option(names = "--warehouse", description = "Also check columns, types and keys against this warehouse.")
    String warehouse;
    @Option(names = "--key-dir", description = "Directory of <audience>.key files, a local path or a Hadoop URI "
        + "(default: $DEID_KEY_DIR).")
    String keyDir;
    @Option(names = "--show-values", description = "On an error about values (e.g. a hierarchy file's rows), print "
        + "examples to this console. Never written to reports or the audit.")
    boolean showValues;

    @Override
    public Integer call() {
      JobSpec loaded = SpecFiles.load(spec);
      HierarchyFiles.readAll(loaded);
      if (warehouse != null) {
        Warehouse target = new Warehouse(warehouse);
        Preflight.check(loaded, target, new DeltaStore(spark(target)), KeyRing.fromEnvironment(keyDir));
      }
      System.out.println("ok: " + spec + " is valid (job '" + loaded.name() + "', " + loaded.sources().size()
          + " sources, " + loaded.outputs().size() + " outputs)");
      return 0;
    }
  }

  @Command(name = "verify", mixinStandardHelpOptions = true, description = "For partners: check a delivered extract "
      + "against the publisher's public key: the manifest's signature, every file's hash, the row count and columns, "
      + "and the stated k-anonymity / l-diversity recomputed from the data. Exit 0 when everything holds, 1 otherwise.")
  static final class Verify implements Callable<Integer> {
    @Parameters(index = "0", description = "The extract folder (holding _CURRENT), one run's folder (holding "
        + "_manifest.json), or a recall list (_recalls/<run id>.json, signed in the .sig beside it).")
    String extract;
    @Option(names = "--public-key", required = true, description = "The publisher's public key file ('<key-id>:<base64>').")
    Path publicKey;
    @Option(names = "--decryption-key", description = "For an encrypted extract: a master key file ('<key-id>:<base64 "
        + "AES key>'), the footer key and, to read sensitive columns, the column key; repeat the option for each.")
    List<Path> decryptionKeys = new ArrayList<>();
    @CommandLine.Spec
    CommandLine.Model.CommandSpec command;

    @Override
    public Integer call() {
      ManifestSignature.VerifyingKey key = KeyRing.verifyingKey(publicKey);
      if (extract.endsWith(".json")) {
        return print(ExtractVerifier.verifyRecall(extract, key, new Configuration()), "recall list ");
      }
      List<ExtractEncryption.MasterKey> masterKeys = decryptionKeys.stream()
          .map(f -> KeyRing.readMasterKey("decryption key", f)).toList();
      return print(ExtractVerifier.verify(spark(), extract, key, masterKeys), "extract ");
    }

    private int print(ExtractVerifier.Result result, String what) {
      PrintWriter out = command.commandLine().getOut();
      out.println(what + result.runDirectory());
      result.passed().forEach(p -> out.println("  ok    " + p));
      result.problems().forEach(p -> out.println("  FAIL  " + p));
      out.println(result.verified() ? "verified" : "NOT verified: " + result.problems().size() + " problem(s)");
      out.flush();
      return result.verified() ? 0 : FAILED;
    }
  }

  @Command(mixinStandardHelpOptions = true, name = "generate", description = "Generate sample raw customer tables as Delta.")
  static final class Generate implements Callable<Integer> {
    @CommandLine.Mixin
    WarehouseOption warehouse = new WarehouseOption();
    @Option(names = "--customers", defaultValue = "10000", description = "1,000 to 100,000,000 (default ${DEFAULT-VALUE}).")
    long customers;
    @Option(names = "--seed", defaultValue = "42")
    long seed;
    @Option(names = "--reference-time", description = "The generator's 'now' (ISO-8601; default: now).")
    Instant referenceTime;

    @Override
    public Integer call() {
      Warehouse target = warehouse.resolve();
      new SampleData(spark(), seed, referenceTime != null ? referenceTime : Instant.now()).writeAll(target, customers);
      System.out.println("raw tables " + SampleData.tables() + " written under " + target.root() + "/raw");
      return 0;
    }
  }

  @Command(mixinStandardHelpOptions = true, name = "sample", description = "Reset the demo warehouse to freshly generated sample raw tables (its "
      + "outputs, audit and budget ledger go), create development keys if none are configured, then run "
      + "jobs/customers.yaml on it: the same result every time.")
  static final class Sample implements Callable<Integer> {
    @Option(names = "--warehouse", defaultValue = "target/sample-warehouse")
    Path warehouse;
    @Option(names = "--spec", defaultValue = "jobs/customers.yaml")
    Path spec;
    @Option(names = "--customers", defaultValue = "20000")
    long customers;

    @Override
    public Integer call() {
      SparkSession spark = spark(new Warehouse(warehouse.toAbsolutePath().toString()));
      Warehouse target = DemoWarehouse.reset(spark, warehouse, customers, Instant.now());
      System.out.println("demo warehouse reset: " + target.root() + " (raw sample tables only; earlier outputs, "
          + "audit and budget ledger of the demo are gone)");
      Path keyDir = DevelopmentKeys.ensure(warehouse.toAbsolutePath().getParent().resolve("sample-keys"), spec);
      RunOptions options = new RunOptions(target, KeyRing.fromEnvironment(keyDir), Instant.now());
      RunReport report = new JobRunner(spark, options).run(spec);
      Summary.print(report, target);
      return 0;
    }
  }
}
