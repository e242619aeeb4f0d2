package dev.sparq.examples.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Runs a real headless Chromium for report tests. */
final class Chromium {
  private Chromium() {}

  /** The browser binary: $SPARQ_CHROMIUM, or chromium / chromium-browser / google-chrome on the PATH. */
  static Optional<Path> find() {
    String env = System.getenv("SPARQ_CHROMIUM");
    if (env != null && Files.isExecutable(Path.of(env))) {
      return Optional.of(Path.of(env));
    }
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String name : List.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")) {
      for (String dir : path.split(File.pathSeparator)) {
        Path p = Path.of(dir, name);
        if (Files.isExecutable(p)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  /** What one browser run produced. */
  record Run(int status, String stdout, String stderr) {
    /** Lines of the browser log that come from the page's console (errors, warnings, logs). */
    List<String> consoleLines() {
      List<String> out = new ArrayList<>();
      for (String l : stderr.split("\n")) {
        if (l.contains(":CONSOLE") || l.contains("Uncaught")) {
          out.add(l);
        }
      }
      return out;
    }
  }

  /** Runs the browser headless on a file with extra arguments (such as --dump-dom). */
  static Run run(Path browser, Path page, Path work, String... extra) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory(work, "profile");
    List<String> cmd = new ArrayList<>(List.of(browser.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-dev-shm-usage", "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
        "--user-data-dir=" + profile));
    cmd.addAll(List.of(extra));
    cmd.add(page.toUri().toString());
    Path out = Files.createTempFile(work, "out", ".txt");
    Path err = Files.createTempFile(work, "err", ".txt");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("chromium did not finish in 90 s: " + cmd);
    }
    return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }
}
