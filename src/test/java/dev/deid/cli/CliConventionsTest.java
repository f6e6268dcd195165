package dev.deid.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deid.TestSpark;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The command line behaves as command lines do: help everywhere, user mistakes are not internal errors. */
class CliConventionsTest {
  static final List<String> COMMANDS = List.of("run", "validate", "verify", "generate", "sample", "sql", "discover", "benchmark",
      "anonymization-benchmark", "dp-benchmark", "lattice-benchmark");

  @Test
  void help_onEveryCommand_printsUsage_andExitsZero() {
    for (String command : COMMANDS) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int code = DeidCli.execute(new PrintWriter(out), new PrintWriter(err), command, "--help");
      assertEquals(0, code, command + " --help: " + err);
      assertTrue(out.toString().contains("Usage: deid " + command), command + ": " + out);
    }
    StringWriter out = new StringWriter();
    assertEquals(0, DeidCli.execute(new PrintWriter(out), new PrintWriter(new StringWriter()), "--help"));
    for (String command : COMMANDS) {
      assertTrue(out.toString().contains(command), "the top-level help lists " + command);
    }
  }

  @Test
  void theLocalLauncher_keepsTheExitCodes_thatMavensExecPluginWouldTurnInto1() throws Exception {
    assertEquals(0, launch("--version"));
    assertEquals(2, launch("run"), "a usage error: the spec is missing");
    assertEquals(DeidCli.FAILED, launch("validate", "no/such/spec.yaml"), "a refusal with its reason");
  }

  private static int launch(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("src/main/sh/deid"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("the launcher did not finish: " + command);
    }
    return process.exitValue();
  }

  @Test
  void aWarehouseNoFileSystemServes_isAUserMistake_notAnInternalError() {
    TestSpark.session();
    StringWriter err = new StringWriter();
    int code = DeidCli.execute(new PrintWriter(new StringWriter()), new PrintWriter(err), "run", "jobs/customers.yaml",
        "--warehouse", "nosuchscheme://bucket/wh");
    assertEquals(DeidCli.FAILED, code, err.toString());
    assertTrue(err.toString().contains("Invalid --warehouse nosuchscheme://bucket/wh") && err.toString().contains("fix:"),
        err.toString());
  }

  @Test
  void usageMistakes_exitTwo() {
    assertEquals(2, DeidCli.execute(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), "run"));
    assertEquals(2, DeidCli.execute(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), "frobnicate"));
  }
}
