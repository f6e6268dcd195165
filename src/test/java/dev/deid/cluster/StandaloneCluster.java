package dev.deid.cluster;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Spark standalone cluster for tests: one Master and one Worker, each its own JVM started from
 * the Spark jars of the test classpath, bound to 127.0.0.1 only. The Worker's SPARK_HOME holds those
 * jars (minus Delta, which a job brings with {@code --jars} as on a real cluster), so executors run
 * in JVMs of their own with nothing shared with the driver. {@link #close()} stops both processes
 * and their executors, whatever happened.
 */
final class StandaloneCluster implements AutoCloseable {
  /** The --add-opens options Spark's own launcher passes on Java 17, from the build (see pom.xml). */
  static final List<String> JAVA_OPTIONS = List.of(System.getProperty("deid.jvm.opens", "").trim().split("\\s+"));

  final Path home;
  final Path logs;
  /**
   * Spark properties shared by Master, Worker and applications: a random shared secret (never on a
   * command line: in a file only its owner can read) so that RPC authentication and encryption
   * can be on, and the Master's REST submission server off.
   */
  final Path properties;
  final int masterPort;
  final int masterUiPort;
  private final List<Process> processes = new ArrayList<>();

  private StandaloneCluster(Path home, Path logs, Path properties, int masterPort, int masterUiPort) {
    this.home = home;
    this.logs = logs;
    this.properties = properties;
    this.masterPort = masterPort;
    this.masterUiPort = masterUiPort;
  }

  String masterUrl() {
    return "spark://127.0.0.1:" + masterPort;
  }

  /** Starts a Master and a Worker with {@code cores} cores, and waits until the Worker has registered. */
  static StandaloneCluster start(Path directory, int cores, String workerMemory) throws Exception {
    Path home = directory.resolve("spark-home");
    Files.createDirectories(home.resolve("jars"));
    // Spark's launcher takes a SPARK_HOME with a RELEASE file for a binary distribution, whose
    // jars/ it puts on the executors' classpath; without it, it looks for a source build.
    Files.writeString(home.resolve("RELEASE"), "Spark (test distribution of the test classpath's jars)\n");
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path jar = Path.of(entry);
      String name = jar.getFileName().toString();
      // Failsafe puts the project's own jar on the test classpath: a cluster does not have it.
      if (name.endsWith(".jar") && !isTestOnly(name) && !isDelta(name) && !name.startsWith("deid-job")) {
        Path link = home.resolve("jars").resolve(name);
        if (!Files.exists(link)) {
          Files.createSymbolicLink(link, jar.toAbsolutePath());
        }
      }
    }
    Path logs = Files.createDirectories(directory.resolve("logs"));
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    Path properties = directory.resolve("spark-security.conf");
    Files.writeString(properties, "spark.authenticate true\nspark.authenticate.secret "
        + HexFormat.of().formatHex(secret) + "\nspark.network.crypto.enabled true\nspark.master.rest.enabled false\n");
    Files.setPosixFilePermissions(properties, PosixFilePermissions.fromString("rw-------"));
    StandaloneCluster cluster = new StandaloneCluster(home, logs, properties, freePort(), freePort());
    try {
      cluster.launch("master", List.of("org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
          "--port", String.valueOf(cluster.masterPort), "--webui-port", String.valueOf(cluster.masterUiPort),
          "--properties-file", properties.toString()));
      cluster.awaitUi("\"status\" : \"ALIVE\"");
      cluster.launch("worker", List.of("org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
          "--webui-port", String.valueOf(freePort()), "--cores", String.valueOf(cores), "--memory", workerMemory,
          "--work-dir", Files.createDirectories(directory.resolve("work")).toString(),
          "--properties-file", properties.toString(), cluster.masterUrl()));
      cluster.awaitUi("\"aliveworkers\" : 1");
      return cluster;
    } catch (Exception e) {
      cluster.close();
      throw e;
    }
  }

  static boolean isTestOnly(String jar) {
    return jar.startsWith("junit-") || jar.startsWith("opentest4j") || jar.startsWith("apiguardian")
        || jar.startsWith("surefire") || jar.startsWith("failsafe") || jar.startsWith("common-java5")
        || jar.startsWith("common-junit") || jar.startsWith("common-java");
  }

  static boolean isDelta(String jar) {
    return jar.startsWith("delta-spark_") || jar.startsWith("delta-storage-");
  }

  /** The Delta jars of the test classpath, for {@code --jars}. */
  static List<Path> deltaJars() {
    List<Path> jars = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (isDelta(Path.of(entry).getFileName().toString())) {
        jars.add(Path.of(entry).toAbsolutePath());
      }
    }
    return jars;
  }

  /** A java command on the cluster's Spark jars, with the loopback-only environment. */
  ProcessBuilder java(List<String> jvmOptions, List<String> mainAndArgs, Path log) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JAVA_OPTIONS);
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(home.resolve("jars") + "/*");
    command.addAll(mainAndArgs);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = pb.environment();
    env.put("SPARK_HOME", home.toString());
    env.put("SPARK_SCALA_VERSION", "2.13");
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    env.put("SPARK_LOCAL_HOSTNAME", "localhost");
    env.remove("DEID_KEY_DIR");
    env.keySet().removeIf(k -> k.startsWith("DEID_KEY_"));
    return pb;
  }

  private void launch(String name, List<String> mainAndArgs) throws IOException {
    processes.add(java(List.of("-Xmx512m"), mainAndArgs, logs.resolve(name + ".log")).start());
  }

  private void awaitUi(String expected) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      for (Process p : processes) {
        if (!p.isAlive()) {
          throw new IllegalStateException("a cluster process exited with " + p.exitValue() + "; see " + logs);
        }
      }
      try {
        last = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + masterUiPort + "/json/"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
        if (last.contains(expected)) {
          return;
        }
      } catch (IOException notYet) {
        // the UI is not listening yet
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("the cluster did not reach '" + expected + "' in 90 s: " + last + "; see " + logs);
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops the Worker (and with it its executors), then the Master; forcibly after 20 s. */
  @Override
  public void close() {
    for (int i = processes.size() - 1; i >= 0; i--) {
      Process p = processes.get(i);
      p.descendants().forEach(ProcessHandle::destroy);
      p.destroy();
      try {
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
          p.descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
  }
}
