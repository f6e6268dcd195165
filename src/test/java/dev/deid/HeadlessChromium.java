package dev.deid;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's Chromium, headless, loading a local page as a reader's browser would: its DOM after
 * the page's scripts ran, and a screenshot to look at. The flags keep it off the network, which
 * this machine and CI do not have.
 */
public final class HeadlessChromium {
  public static final Path BINARY = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));

  /** The page's DOM as the browser left it. */
  public record Page(String dom) {
    /** An attribute of the {@code <body>} element, or null. */
    public String bodyAttribute(String name) {
      Matcher body = Pattern.compile("<body([^>]*)>").matcher(dom);
      if (!body.find()) {
        return null;
      }
      Matcher attribute = Pattern.compile("\\s" + Pattern.quote(name) + "=\"([^\"]*)\"").matcher(body.group(1));
      return attribute.find() ? attribute.group(1) : null;
    }
  }

  private HeadlessChromium() {}

  public static Page load(Path html, Path screenshot) throws Exception {
    if (!Files.isExecutable(BINARY)) {
      throw new AssertionError(BINARY + " is missing: the browser tests need Debian's chromium "
          + "(src/test/sh/test-tools installs it, as the README's test command does)");
    }
    String url = html.toAbsolutePath().toUri().toString();
    String dom = run("--dump-dom", url);
    run("--screenshot=" + screenshot.toAbsolutePath(), "--window-size=1200,2400", url);
    return new Page(dom);
  }

  private static String run(String... args) throws Exception {
    Path profile = TestSpark.tempDirectory("chromium");
    List<String> command = new ArrayList<>(List.of(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--virtual-time-budget=5000", "--user-data-dir=" + profile));
    command.addAll(List.of(args));
    Path out = profile.resolve("stdout.txt");
    Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    if (!process.waitFor(2, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("chromium did not finish: " + command);
    }
    if (process.exitValue() != 0) {
      throw new AssertionError("chromium exited " + process.exitValue() + ": " + command);
    }
    return Files.readString(out);
  }
}
