package dev.sparq.examples.cli;

import dev.sparq.core.ModelException;
import dev.sparq.core.SparqException;
import dev.sparq.core.archive.ArchiveStats;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.archive.Tessellation;
import dev.sparq.core.engine.Budget;
import dev.sparq.core.engine.RunStats;
import dev.sparq.core.engine.StalledRunException;
import dev.sparq.core.engine.Variant;
import dev.sparq.core.model.Elite;
import dev.sparq.core.export.ExportFormat;
import dev.sparq.core.export.ExportReport;
import dev.sparq.core.export.Selector;
import dev.sparq.core.export.Thinking;
import dev.sparq.core.internal.IoMessages;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The {@code sparq} command line: {@code demo}, {@code run}, {@code resume}, {@code export},
 * {@code report} and {@code inspect}. Exit status 0 on success, 2 for a usage, configuration or
 * data error (the message names the key or file:line), {@value #EXIT_MODEL_FAILED} when a model
 * backend failed ({@link ModelException}: a server that kept failing after its retries or refused a
 * request, a model that could not be loaded), 1 for anything else.
 */
@Command(name = "sparq", mixinStandardHelpOptions = true, version = "sparq " + SparqCli.VERSION,
    description = "Evolve synthetic math problems with a quality-diversity loop (SPARQ).",
    subcommands = {SparqCli.Demo.class, SparqCli.Run.class, SparqCli.Resume.class, SparqCli.Export.class,
        SparqCli.Report.class, SparqCli.Inspect.class, SparqCli.Config.class})
public final class SparqCli implements Callable<Integer> {
  /** The version printed by {@code --version}. */
  public static final String VERSION = "0.1.0-SNAPSHOT";

  /**
   * The exit status when a model failed ({@link ModelException}): a server that kept failing after
   * its retries or refused a request, or a model that could not be loaded. Distinct from 2 (a wrong
   * configuration, data file or command line) so that a script can tell a backend that may recover
   * (try again later; a run that checkpointed continues with {@code sparq resume}) from input to fix.
   */
  public static final int EXIT_MODEL_FAILED = 3;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** Without a subcommand: the usage on the error stream and status 2 (nothing was done). */
  @Override
  public Integer call() {
    spec.commandLine().getErr().println("sparq: a subcommand is required");
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }

  /**
   * Runs the command line; exits with the status when it is not 0 (a zero status simply returns, so
   * {@code mvn exec:java} finishes normally).
   */
  public static void main(String[] args) {
    int status = execute(args, System.out, System.err);
    // while the Ctrl-C hook waits for this thread, System.exit would block until the hook gives up
    if (status != 0 && !shuttingDown) {
      System.exit(status);
    }
  }

  /** Set by the Ctrl-C hook: the JVM is already exiting. */
  static volatile boolean shuttingDown;

  /** Runs the command line with the given streams and returns the exit status (for tests). */
  public static int execute(String[] args, PrintStream out, PrintStream err) {
    CommandLine cl = new CommandLine(new SparqCli());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    // every subcommand offers -V (mixinStandardHelpOptions) but declares no version: it printed nothing
    for (CommandLine sub : cl.getSubcommands().values()) {
      sub.getCommandSpec().version(cl.getCommandSpec().version());
    }
    // every error line may quote a file or a server (a seed line, a label, a server's message), so
    // it is printed through Terminal: control and bidi characters are shown escaped
    cl.setExecutionExceptionHandler((ex, line, parsed) -> {
      if (ex instanceof ModelException) {
        line.getErr().println(Terminal.lines("sparq: the model backend failed: " + IoMessages.describe(ex)));
        return EXIT_MODEL_FAILED;
      }
      if (ex instanceof SparqException || ex instanceof UncheckedIOException) {
        // the whole cause chain: "cannot append to X: no space left on device (the disk is full)"
        line.getErr().println(Terminal.lines("sparq: " + IoMessages.describe(ex)));
        return 2;
      }
      java.io.StringWriter trace = new java.io.StringWriter();
      ex.printStackTrace(new PrintWriter(trace));
      line.getErr().println(Terminal.lines("sparq: unexpected failure: " + ex));
      line.getErr().print(Terminal.lines(trace.toString().replace(System.lineSeparator(), "\n")));
      line.getErr().flush();
      return 1;
    });
    for (CommandLine sub : cl.getSubcommands().values()) {
      Object cmd = sub.getCommand();
      if (cmd instanceof Base b) {
        b.out = out;
        b.err = err;
      }
    }
    return cl.execute(args);
  }

  /** Shared streams and helpers of the subcommands. */
  abstract static class Base implements Callable<Integer> {
    PrintStream out = System.out;
    PrintStream err = System.err;

    void printTotals(RunStats t) {
      out.printf(Locale.ROOT, "iterations %d, candidates %d, evaluated %d, rollouts %d, added %d, rejected %d%s%n",
          t.iterations(), t.candidates(), t.evaluated(), t.rollouts(), t.added(), t.rejectedTotal(),
          t.tokens() > 0 ? ", tokens " + t.tokens() : "");
    }

    /**
     * What this process asked of the models: requests, the failed attempts that were retried (not
     * part of the totals above, which count candidates, rollouts and the tokens of answered
     * requests), and the tokens the budget does not count.
     */
    void printTraffic(Runner.Traffic m) {
      if (m == null) {
        return;
      }
      StringBuilder line = new StringBuilder("models (this process): ");
      if (m.attempts() > 0) {
        long failed = 0;
        for (long v : m.failures().values()) {
          failed += v;
        }
        line.append(String.format(Locale.ROOT, "%d requests sent, %d answered, %d failed and retried",
            m.attempts(), m.answered(), m.retried()));
        if (!m.failures().isEmpty()) {
          StringBuilder kinds = new StringBuilder();
          m.failures().forEach((k, v) -> kinds.append(kinds.length() == 0 ? "" : ", ").append(k).append(' ').append(v));
          line.append(" (").append(kinds).append(')');
        }
        if (failed > m.retried()) {
          line.append(", ").append(failed - m.retried()).append(" failed for good");
        }
        line.append("; ");
      }
      line.append(String.format(Locale.ROOT, "%d tokens", m.tokens()));
      if (m.setupTokens() > 0) {
        line.append(String.format(Locale.ROOT, ", %d of them labelling the seeds before the first iteration "
            + "(not counted in the run's tokens or budget.tokens)", m.setupTokens()));
      }
      out.println(line);
    }

    void printArchive(CellArchive a) {
      ArchiveStats s = a.stats();
      out.printf(Locale.ROOT, "archive: %d members in %d cells%s, QD score %.2f, best quality %.3f, "
          + "mean quality %.3f%n", s.members(), s.occupiedCells(),
          s.cells() > 0 ? String.format(Locale.ROOT, " of %d (coverage %.1f%%)", s.cells(), 100 * s.coverage()) : "",
          s.qdScore(), s.bestQuality(), s.meanQuality());
    }
  }

  /** The {@code DIR} argument of the subcommands that work on an existing run directory. */
  static final class RunDirArgument {
    @Parameters(index = "0", paramLabel = "DIR", description = "The run directory.")
    Path dir;

    /** Opens the run directory (fails with a clear message when it is not one). */
    RunDirectory open() {
      return RunDirectory.open(dir);
    }
  }

  /** Subcommands that run the engine. */
  abstract static class Running extends Base {
    @Option(names = "--progress", defaultValue = "AUTO",
        description = "Progress display: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}; auto = a bar "
            + "on a terminal, log lines otherwise).")
    Progress.Mode progress;

    /**
     * Runs a directory, stopping cleanly (with a checkpoint) on Ctrl-C; errors about keys found when
     * the models are opened name {@code source}.
     */
    Runner.Result runWithStopHook(RunDirectory dir, boolean resume, Components.Source source) {
      try (Components comp = Components.open(dir.config(), source, resume)) {
        return runWithStopHook(dir, comp, resume);
      }
    }

    /** Runs a directory with stages already open. */
    Runner.Result runWithStopHook(RunDirectory dir, Components comp, boolean resume) {
      Runner.Stop stop = new Runner.Stop();
      Thread main = Thread.currentThread();
      Thread hook = new Thread(() -> {
        err.println();
        err.println("sparq: stopping: abandoning the work in flight (its model requests are cancelled) and "
            + "checkpointing the completed iterations; 'sparq resume " + dir.root() + "' redoes the "
            + "abandoned work. Press Ctrl-C again to exit at once (resume then starts from the last "
            + "checkpoint written).");
        err.flush();
        shuttingDown = true;
        exitOnNextSignal(err);
        stop.now();
        try {
          main.join(STOP_WAIT_MILLIS);
          if (main.isAlive()) {
            // a final checkpoint being written is never cut off
            stop.giveUp();
            if (!stop.checkpointEnded()) {
              err.println("sparq: the run did not stop within " + STOP_WAIT_MILLIS / 1000 + " s (a model "
                  + "that ignores interruption?); exiting without a final checkpoint: resume starts from "
                  + "the last one written");
              err.flush();
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "sparq-stop");
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        return Runner.run(dir, comp, resume, progress, err, stop);
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
          // the JVM is shutting down; the hook is running
        }
      }
    }

    /**
     * How long the shutdown hook waits for the run to reach its final checkpoint after Ctrl-C (once
     * the checkpoint is being written, it waits for the write to end). With every model request
     * cancelled at the stop this takes moments; an in-process model finishes its current call first.
     */
    static final long STOP_WAIT_MILLIS = 60_000;

    /**
     * From now on a SIGINT or SIGTERM (a second Ctrl-C while stopping) ends the process at once,
     * status 130 or 143: the JVM would otherwise ignore it while its shutdown hooks run.
     */
    static void exitOnNextSignal(PrintStream err) {
      for (String name : new String[] {"INT", "TERM"}) {
        try {
          sun.misc.Signal.handle(new sun.misc.Signal(name), s -> {
            err.println();
            err.println("sparq: exiting at once; resume starts from the last checkpoint written");
            err.flush();
            Runtime.getRuntime().halt(128 + s.getNumber());
          });
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
          // no such signal here, or the JVM reserves it (-Xrs): the first stop still completes
        }
      }
    }

    /**
     * The engine's stall error with advice in the terms of the configuration file: the engine names
     * its builder method, a user of the command line sets the key {@code stallLimit}.
     *
     * @param e the engine's error
     * @param source the file holding the key, and the key's prefix there
     * @param limit the stall limit the run used
     */
    static StalledRunException stallAdvice(StalledRunException e, Components.Source source, int limit) {
      String advice = "raise key '" + source.keyPrefix() + "stallLimit' in " + source.file() + " (it is " + limit
          + "; 0 = off)";
      String m = e.getMessage() == null ? "the run stalled" : e.getMessage();
      String engine = "raise stallLimit (0 = off)";
      m = m.endsWith(engine) ? m.substring(0, m.length() - engine.length()) + advice : m + "; " + advice;
      StalledRunException out = new StalledRunException(e.iterations(), m);
      out.setStackTrace(e.getStackTrace());
      return out;
    }

    /** Prints the totals and the archive, writes the report unless {@code noReport}, names the directory. */
    void finish(RunDirectory dir, Runner.Result r, boolean noReport) {
      printTotals(r.totals());
      printTraffic(r.traffic());
      printArchive(dir.readCheckpoint().orElseThrow().archive());
      if (r.stoppedEarly()) {
        out.println("stopped before the budget; continue with: sparq resume " + dir.root());
      }
      if (!noReport) {
        Path report = dir.file(RunDirectory.REPORT);
        HtmlReport.write(dir, report);
        out.println("report: " + report.toAbsolutePath().normalize());
      }
      out.println("run directory: " + dir.root().toAbsolutePath().normalize());
    }
  }

  /** {@code sparq demo}. */
  @Command(name = "demo", mixinStandardHelpOptions = true,
      description = {"Run the whole pipeline on the built-in demo domain: no model, no download.",
          "The student is SIMULATED (a random process whose chance of a slip grows with the number and "
              + "size of solution steps). Writes a run directory with the archive, candidate log, "
              + "metrics, an export and an HTML report."})
  static final class Demo extends Running {
    @Option(names = {"-o", "--output"}, defaultValue = "sparq-out/demo",
        description = "Run directory (replaced if it holds an earlier demo run; a model run there is never "
            + "deleted; default: ${DEFAULT-VALUE}).")
    Path output;

    @Option(names = "--iterations", defaultValue = "40", description = "Iterations (default: ${DEFAULT-VALUE}).")
    long iterations;

    @Option(names = "--seed", defaultValue = "42", description = "Run seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--preset", defaultValue = "DYNAMIC_DIVERSE",
        description = "SPARQ variant: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Variant preset;

    @Option(names = "--archive", defaultValue = "SKILLS",
        description = "Archive: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    RunConfig.ArchiveKind archive;

    @Option(names = "-k", defaultValue = "16", description = "Rollouts per problem, K (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--batch", defaultValue = "64", description = "Parents per iteration (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--seeds", defaultValue = "200", description = "Seed problems the demo domain generates to start "
        + "from (default: ${DEFAULT-VALUE}).")
    int seeds;

    @Override
    public Integer call() {
      long start = System.nanoTime();
      RunConfig config = RunConfig.demo(output, preset, archive, iterations, seed, k, batch, seeds);
      out.println("sparq demo: built-in arithmetic and algebra domain with a SIMULATED student (no language "
          + "model is used).");
      out.printf(Locale.ROOT, "preset %s, archive %s, %d iterations of %d parents, K = %d, seed %d%n",
          preset.name().toLowerCase(Locale.ROOT), archive.name().toLowerCase(Locale.ROOT), iterations, batch, k,
          seed);
      RunDirectory dir = RunDirectory.create(config, true, true);
      Runner.Result r;
      try (RunLock lock = RunLock.acquire(dir.root())) {
        r = runWithStopHook(dir, false, Components.Source.manifest(dir));
      }
      printTotals(r.totals());
      if (r.stoppedEarly()) {
        printArchive(dir.readCheckpoint().orElseThrow().archive());
        out.println("stopped before the budget (no export or report written); continue with: "
            + invocation() + " resume " + dir.root());
        return 0;
      }
      CellArchive a = dir.readCheckpoint().orElseThrow().archive();
      printArchive(a);
      ExportReport ex = Exports.run(dir, ExportFormat.MESSAGES, Selector.all(), 0.0, 1.0, seed,
          dir.file(RunDirectory.EXPORT).resolve("messages"), RunConfig.DEFAULT_EXPORT_NAME, true, false, null,
          dev.sparq.core.export.FileFormat.JSONL);
      Path report = dir.file(RunDirectory.REPORT);
      HtmlReport.write(dir, report);
      out.println();
      out.println("outputs in " + dir.root().toAbsolutePath().normalize() + ":");
      out.println("  report       " + report.toAbsolutePath().normalize() + "   (open in a browser)");
      out.println("  checkpoint   " + dir.file(RunDirectory.CHECKPOINT).toAbsolutePath().normalize()
          + "   (the archive and engine state)");
      out.println("  candidates   " + dir.file(RunDirectory.LOG).toAbsolutePath().normalize()
          + "   (the log of every evaluated problem with its rollouts)");
      out.println("  metrics      " + dir.file(RunDirectory.METRICS).toAbsolutePath().normalize());
      out.println("  export       " + ex.data().toAbsolutePath().normalize() + "   (" + ex.examplesWritten()
          + " training examples in chat-messages format)");
      String sparq = invocation();
      out.printf(Locale.ROOT, "done in %.1f s.%nNext: %s inspect %s%n      %s export %s --format alpaca --select qd "
          + "--budget 500%n", (System.nanoTime() - start) / 1e9, sparq, output, sparq, output);
      return 0;
    }
  }

  /**
   * Whether a URL's host is this machine: exactly {@code localhost}, an IPv4 literal in 127.0.0.0/8
   * written as four decimal numbers (0-255, no leading zeros), or the IPv6 literal {@code [::1]} (in
   * any spelling, also {@code [::ffff:127.0.0.1]}). Nothing is looked up in DNS: a name that merely
   * starts with {@code 127.} or {@code localhost} ({@code 127.attacker.example},
   * {@code 127.0.0.1.nip.io}, {@code localhost.attacker.example}) is someone else's host, and the
   * shorthand forms some resolvers accept ({@code 127.1}, {@code 0x7f.1}, {@code 0177.0.0.1}) are
   * not treated as loopback either (a run directory sparq wrote never holds them).
   */
  static boolean isLoopback(String url) {
    String host;
    try {
      host = java.net.URI.create(url).getHost();
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (host == null) {
      return false;
    }
    host = host.toLowerCase(Locale.ROOT);
    if (host.equals("localhost")) {
      return true;
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      return isIpv6Loopback(host.substring(1, host.length() - 1));
    }
    int[] v4 = ipv4(host);
    return v4 != null && v4[0] == 127;
  }

  /** The four numbers of a dotted-quad IPv4 literal (decimal, 0-255, no leading zeros), or null. */
  private static int[] ipv4(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    int[] out = new int[4];
    for (int i = 0; i < 4; i++) {
      String p = parts[i];
      if (p.isEmpty() || p.length() > 3 || p.length() > 1 && p.charAt(0) == '0') {
        return null;
      }
      for (int j = 0; j < p.length(); j++) {
        if (p.charAt(j) < '0' || p.charAt(j) > '9') {
          return null;
        }
      }
      out[i] = Integer.parseInt(p);
      if (out[i] > 255) {
        return null;
      }
    }
    return out;
  }

  /**
   * Whether the text inside {@code [...]} is the IPv6 loopback address {@code ::1}, or an
   * IPv4-mapped address ({@code ::ffff:127.x.y.z}) of 127.0.0.0/8; parsed here, without DNS. A zone
   * ({@code %eth0}) is refused.
   */
  private static boolean isIpv6Loopback(String s) {
    if (s.isEmpty() || !s.matches("[0-9a-f:.]+")) {
      return false;
    }
    int[] mapped = null;
    int lastColon = s.lastIndexOf(':');
    if (s.indexOf('.') >= 0) {
      mapped = ipv4(s.substring(lastColon + 1));
      if (mapped == null || lastColon < 0) {
        return false;
      }
      // the IPv4 tail stands for the last two groups
      s = s.substring(0, lastColon + 1) + "0:0";
    }
    int[] groups = new int[8];
    int dbl = s.indexOf("::");
    if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) {
      return false;
    }
    String[] head = dbl >= 0 ? split(s.substring(0, dbl)) : split(s);
    String[] tail = dbl >= 0 ? split(s.substring(dbl + 2)) : new String[0];
    if (head == null || tail == null || head.length + tail.length > (dbl >= 0 ? 7 : 8)
        || dbl < 0 && head.length != 8) {
      return false;
    }
    for (int i = 0; i < head.length; i++) {
      groups[i] = Integer.parseInt(head[i], 16);
    }
    for (int i = 0; i < tail.length; i++) {
      groups[8 - tail.length + i] = Integer.parseInt(tail[i], 16);
    }
    for (int i = 0; i < 5; i++) {
      if (groups[i] != 0) {
        return false;
      }
    }
    if (mapped != null) {
      return groups[5] == 0xffff && mapped[0] == 127;
    }
    return groups[5] == 0 && groups[6] == 0 && groups[7] == 1;
  }

  /** The colon-separated groups of one side of an IPv6 literal (1-4 hex digits each), or null. */
  private static String[] split(String s) {
    if (s.isEmpty()) {
      return new String[0];
    }
    String[] g = s.split(":", -1);
    for (String x : g) {
      if (x.isEmpty() || x.length() > 4 || !x.matches("[0-9a-f]+")) {
        return null;
      }
    }
    return g;
  }

  /** How to call this program again: {@code java -jar PATH} when it runs from a jar, else {@code sparq}. */
  static String invocation() {
    try {
      var src = SparqCli.class.getProtectionDomain().getCodeSource();
      if (src != null) {
        Path p = Path.of(src.getLocation().toURI());
        if (p.toString().endsWith(".jar")) {
          Path cwd = Path.of("").toAbsolutePath();
          Path shown = p.startsWith(cwd) ? cwd.relativize(p) : p;
          return "java -jar " + shown;
        }
      }
    } catch (java.net.URISyntaxException | SecurityException | IllegalArgumentException e) {
      // fall through to the plain name
    }
    return "sparq";
  }

  /** {@code sparq run}. */
  @Command(name = "run", mixinStandardHelpOptions = true,
      description = "Start a run described by a YAML or JSON configuration (its keys: configuration.md in "
          + "the documentation, or sparq config --schema).")
  static final class Run extends Running {
    @Option(names = {"-c", "--config"}, required = true, description = "run.yaml or run.json")
    Path config;

    @Option(names = {"-o", "--output"}, description = "Overrides the configuration's 'output'.")
    Path output;

    @Option(names = "--force", description = "Replace an existing run directory at the output path.")
    boolean force;

    @Option(names = "--no-report", description = "Do not write report.html at the end.")
    boolean noReport;

    @Override
    public Integer call() {
      RunConfig c = RunConfig.load(config);
      if (output != null) {
        c = c.withOutput(output);
      }
      if (c.backend().simulated()) {
        out.println("backend 'demo': the student is SIMULATED; no language model is used.");
      }
      // a wrong output path fails before any model is asked anything (seed labelling is not free)
      RunDirectory.checkOutput(c.output());
      if (!force && Files.isDirectory(c.output()) && !isEmptyDir(c.output())) {
        RunDirectory.create(c, false); // fails with the message that explains the choices
      }
      Components.Source source = Components.Source.file(config);
      // open the seeds and the model before creating the run directory, so mistakes leave nothing behind
      try (Components comp = Components.open(c, source)) {
        RunDirectory dir = RunDirectory.create(c, force);
        try (RunLock lock = RunLock.acquire(dir.root())) {
          Runner.Result r;
          try {
            r = runWithStopHook(dir, comp, false);
          } catch (StalledRunException e) {
            throw stallAdvice(e, source, c.stallLimit()); // checkpointed: the directory stays
          } catch (RuntimeException e) {
            dir.deleteIfNeverCheckpointed(); // the engine could not start: leave nothing behind
            throw e;
          }
          finish(dir, r, noReport);
        }
      }
      return 0;
    }

    private static boolean isEmptyDir(Path p) {
      try (Stream<Path> s = Files.list(p)) {
        return s.findAny().isEmpty();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** {@code sparq resume}. */
  @Command(name = "resume", mixinStandardHelpOptions = true,
      description = "Continue a run from its last checkpoint, to its budget or a new iteration limit.")
  static final class Resume extends Running {
    @Mixin
    RunDirArgument runDir;

    @Option(names = "--iterations", description = "New total iteration limit (replaces the budget's).")
    Long iterations;

    @Option(names = "--no-report", description = "Do not rewrite report.html at the end.")
    boolean noReport;

    @Option(names = "--log-records-per-shard", paramLabel = "N", description = "New records per candidate log "
        + "shard (key logRecordsPerShard, saved into DIR/run.json): after 'File too large' under a file-size "
        + "limit, a lower N lets the run continue in a new, smaller shard.")
    Long logRecordsPerShard;

    @Option(names = {"-c", "--config"}, description = "Your run.yaml or run.json: for backend openai its "
        + "backend.endpoints and backend.apiKeyEnv are used instead of those recorded in DIR/run.json.")
    Path config;

    @Option(names = "--trust-run-config", description = "Use the endpoints and API key variable recorded in "
        + "DIR/run.json (only for a run directory you created yourself).")
    boolean trustRunConfig;

    @Override
    public Integer call() {
      if (logRecordsPerShard != null && logRecordsPerShard < 1) {
        throw dev.sparq.core.ConfigException.forKey("log-records-per-shard", "must be >= 1, was "
            + logRecordsPerShard);
      }
      RunDirectory d = runDir.open();
      RunConfig.Backend backend = credentials(d, config, trustRunConfig);
      roleCredentials(d, config, trustRunConfig); // refuses before taking the lock
      try (RunLock lock = RunLock.acquire(d.root())) {
        if (iterations != null) {
          Budget b = d.config().budget().withIterations(iterations);
          d = d.withConfig(d.config().withBudget(b));
        }
        if (logRecordsPerShard != null) {
          // the log starts a new shard before writing to one that already holds this many records
          d = d.withConfig(d.config().withLogRecordsPerShard(logRecordsPerShard));
        }
        d = d.usingModels(backend, roleCredentials(d, config, trustRunConfig));
        RunStats before = d.readCheckpoint().map(cp -> cp.state().totals()).orElseThrow(() ->
            new dev.sparq.core.DataException(runDir.dir.resolve(RunDirectory.CHECKPOINT), 0, null, "no checkpoint to "
                + "resume from: the run stopped before its first checkpoint; start it again with 'sparq run -c "
                + "CONFIG -o " + runDir.dir + " --force'"));
        if (Runner.budgetUsed(d.config(), before)) {
          // only the iteration limit can be raised here: naming the limit reached keeps a user from
          // raising --iterations again and again under a candidate, rollout or token budget
          String limit = Runner.usedLimit(d.config(), before);
          out.println("the run has already used its budget: " + limit + "; " + (limit.startsWith("budget.iterations")
              ? "raise it with --iterations N"
              : "resume --iterations N sets only the iteration limit, so the run is complete"));
          return 0;
        }
        out.println("resuming " + d.root() + " at iteration " + before.iterations());
        // credentials come from --config when given; everything else (stallLimit too) from run.json
        Components.Source keys = config != null ? Components.Source.file(config) : Components.Source.manifest(d);
        Runner.Result r;
        try {
          r = runWithStopHook(d, true, keys);
        } catch (StalledRunException e) {
          throw stallAdvice(e, Components.Source.manifest(d), d.config().stallLimit());
        }
        finish(d, r, noReport);
      }
      return 0;
    }

    /**
     * As {@link #credentials}, for the blocks under {@code models}: the same rule per role, with the
     * endpoints and API key variable of {@code userConfig}'s block for that role (or its backend).
     */
    static java.util.Map<String, RunConfig.Backend.ModelBackend> roleCredentials(RunDirectory d, Path userConfig,
        boolean trust) {
      java.util.Map<String, RunConfig.Backend.ModelBackend> out = new java.util.LinkedHashMap<>();
      RunConfig user = null;
      for (java.util.Map.Entry<String, RunConfig.Backend.ModelBackend> e : d.config().stages().models().entrySet()) {
        String role = e.getKey();
        if (!(e.getValue() instanceof RunConfig.Backend.OpenAi b)) {
          out.put(role, e.getValue());
          continue;
        }
        if (userConfig != null) {
          user = user != null ? user : RunConfig.load(userConfig);
          if (!(user.model(role).orElse(null) instanceof RunConfig.Backend.OpenAi u)) {
            throw new dev.sparq.core.ConfigException(userConfig + ": key 'models." + role + "': the run's " + role
                + " uses backend 'openai', so the configuration given with --config must give that role an openai"
                + " block (or backend openai); allowed values: openai");
          }
          out.put(role, new RunConfig.Backend.OpenAi(u.endpoints(), b.model(), u.apiKeyEnv(), b.temperature(),
              b.maxTokens()));
        } else if (trust || b.apiKeyEnv().isBlank() && b.endpoints().stream().allMatch(x -> isLoopback(x.url()))) {
          out.put(role, b);
        } else {
          throw new dev.sparq.core.DataException(d.file(RunDirectory.MANIFEST), 0, "config.models." + role,
              "names endpoints " + b.endpoints().stream().map(RunConfig.EndpointConfig::url).toList()
                  + (b.apiKeyEnv().isBlank() ? "" : " and the API key variable '" + b.apiKeyEnv() + "'")
                  + "; resume takes credentials only from your own configuration: pass -c YOUR.yaml (the"
                  + " endpoints and apiKeyEnv of its block for this role are used), or --trust-run-config if you"
                  + " created this run directory yourself");
        }
      }
      return out;
    }

    /**
     * The backend to resume with. A run directory may come from someone else, and its run.json could
     * name an endpoint of theirs together with one of your secret variables; so for backend openai
     * the endpoints and API key variable come from {@code userConfig}, or from run.json only with
     * {@code trust} or when it names no key variable and only this machine's endpoints.
     */
    static RunConfig.Backend credentials(RunDirectory d, Path userConfig, boolean trust) {
      if (!(d.config().backend() instanceof RunConfig.Backend.OpenAi b)) {
        return d.config().backend();
      }
      if (userConfig != null) {
        if (!(RunConfig.load(userConfig).backend() instanceof RunConfig.Backend.OpenAi u)) {
          throw new dev.sparq.core.ConfigException(userConfig + ": key 'backend.type': the run uses backend "
              + "'openai', so the configuration given with --config must too; allowed values: openai");
        }
        return new RunConfig.Backend.OpenAi(u.endpoints(), b.model(), u.apiKeyEnv(), b.temperature(), b.maxTokens());
      }
      if (trust || b.apiKeyEnv().isBlank() && b.endpoints().stream().allMatch(e -> isLoopback(e.url()))) {
        return b;
      }
      throw new dev.sparq.core.DataException(d.file(RunDirectory.MANIFEST), 0, "config.backend",
          "names endpoints " + b.endpoints().stream().map(RunConfig.EndpointConfig::url).toList()
              + (b.apiKeyEnv().isBlank() ? "" : " and the API key variable '" + b.apiKeyEnv() + "'")
              + "; resume takes credentials only from your own configuration: pass "
              + "-c YOUR.yaml (its backend.endpoints and backend.apiKeyEnv are used), or --trust-run-config "
              + "if you created this run directory yourself");
    }
  }

  /** {@code sparq export}. */
  @Command(name = "export", mixinStandardHelpOptions = true,
      description = {"Write training data from a run (fine-tuning and RL formats).",
          "Each correct rollout of every problem with quality > 0 (inside the quality filter) becomes one example; RL formats "
          + "(grpo, verl) get one row per problem with its answer. Writes NAME.jsonl (or NAME.parquet), "
          + "stats.json and README.md, the dataset card (and dataset_info.json for LLaMA-Factory) into the output "
          + "directory (default DIR/export/FORMAT, or DIR/export/NAME with --name).",
          "While it writes, the export holds the lock file export.lock in the output directory: a second "
              + "export into the same directory is refused, naming the process that holds it."})
  static final class Export extends Base {
    @Mixin
    RunDirArgument runDir;

    @Option(names = "--format", description = "messages (TRL), prompt-completion "
        + "(TRL), grpo (TRL), verl, openai, alpaca or sharegpt (default: the run's export.format, messages).")
    String format;

    @Option(names = "--select", description = "all, random, quality (Gaussian over quality), diversity "
        + "(skill coverage) or qd (skill coverage, best quality first); default: all, or random with --budget.")
    String select;

    @Option(names = "--budget", description = "At most this many examples, chosen by --select.")
    Integer budget;

    @Option(names = "--quality-mean", defaultValue = "0.6", description = "Mean of the Gaussian over "
        + "quality that --select quality draws from (default: ${DEFAULT-VALUE}).")
    double qualityMean;

    @Option(names = "--quality-sd", defaultValue = "0.1", description = "Standard deviation of that "
        + "Gaussian (default: ${DEFAULT-VALUE}).")
    double qualitySd;

    @Option(names = "--min-quality", description = "Lowest quality kept (default: the run's export.minQuality, 0).")
    Double minQuality;

    @Option(names = "--max-quality", description = "Highest quality kept (default: the run's export.maxQuality, 1).")
    Double maxQuality;

    @Option(names = "--keep-duplicates", description = "Keep problems whose statement repeats an earlier one.")
    boolean keepDuplicates;

    @Option(names = "--reference-solutions", description = "Train on the generator's reference solutions "
        + "instead of the correct rollouts.")
    boolean referenceSolutions;

    @Option(names = "--thinking", paramLabel = "MODE", description = "What solution texts keep of a "
        + "reasoning model's thinking: keep (the stored text, <think>...</think> included; the default), "
        + "strip (only the answer after the thinking; duplicates judged on it) or field (the answer as "
        + "content, the thinking in the assistant message's reasoning_content; messages and "
        + "prompt-completion only).")
    String thinking;

    @Option(names = "--benchmark", paramLabel = "FILE", description = "A benchmark file (JSON Lines, JSON or "
        + "text); problems sharing a word n-gram with it are dropped. Repeatable; adds to export.benchmarks.")
    List<Path> benchmarks = new java.util.ArrayList<>();

    @Option(names = "--near-duplicates", description = "Also remove near-duplicates (MinHash; default: the "
        + "run's export.nearDuplicates).")
    boolean nearDuplicates;

    @Option(names = "--system", description = "A system message for every row.")
    String system;

    @Option(names = "--data-source", description = "The data_source of verl rows (default: sparq); "
        + "a name verl knows, such as lighteval/MATH, selects its built-in scorer.")
    String dataSource;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the selection (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-o", "--output"}, description = "Output directory (default: DIR/export/FORMAT, or "
        + "DIR/export/NAME with --name); a folder "
        + "holding another export is refused.")
    Path output;

    @Option(names = "--name", description = "Data file name without the extension (default: the run's "
        + "export.name, sparq).")
    String name;

    @Option(names = "--file-format", description = "jsonl or parquet (default: parquet for verl, jsonl "
        + "for the other formats).")
    String fileFormat;

    @Override
    public Integer call() {
      RunDirectory d = runDir.open();
      RunConfig.ExportConfig x = d.config().stages().export();
      ExportFormat f = Exports.format(format != null ? format : x.format());
      Integer b = budget != null ? budget : x.budget() > 0 ? Integer.valueOf(x.budget()) : null;
      Selector selector = Exports.selector(select != null ? select : x.select(), b, qualityMean, qualitySd);
      double minQ = minQuality != null ? minQuality : x.minQuality();
      double maxQ = maxQuality != null ? maxQuality : x.maxQuality();
      if (minQ > maxQ) {
        throw dev.sparq.core.ConfigException.forKey("min-quality", "must not exceed --max-quality");
      }
      String n = name != null ? name : x.name();
      // each format in its own folder, so its stats.json and dataset card never replace another's
      Path outDir = output != null ? output : d.file(RunDirectory.EXPORT).resolve(name != null ? name : f.id());
      List<Path> bench = new java.util.ArrayList<>(x.benchmarks());
      bench.addAll(benchmarks);
      ExportReport r = Exports.run(d, f, selector, minQ, maxQ, seed, outDir, n,
          !keepDuplicates && x.exactDuplicates(), referenceSolutions || x.referenceSolutions(),
          system != null ? system : x.system(), Exports.fileFormat(fileFormat, f),
          nearDuplicates || x.nearDuplicates(), bench, x.contaminationNgram(), dataSource,
          thinking == null ? Thinking.KEEP : Thinking.of(thinking));
      out.printf(Locale.ROOT, "%d examples from %d problems written to %s%n", r.examplesWritten(),
          r.problemsWritten(), r.data().toAbsolutePath().normalize());
      out.println(Terminal.line("removed: " + (r.removed().isEmpty() ? "nothing" : r.removed())));
      out.println("statistics: " + r.data().resolveSibling("stats.json").toAbsolutePath().normalize());
      return 0;
    }
  }

  /** {@code sparq config}. */
  @Command(name = "config", mixinStandardHelpOptions = true,
      description = {"Explain a run configuration or print the JSON Schema of run.yaml.",
          "--explain FILE prints the configuration with every default filled in, which model plays which "
              + "role, and the model requests and completion tokens of one iteration; --schema prints "
              + "the schema (also shipped as run.schema.json in the distribution)."})
  static final class Config extends Base {
    @Option(names = "--explain", paramLabel = "FILE", description = "The run.yaml (or .json) to explain.")
    Path explain;

    @Option(names = "--schema", description = "Print the JSON Schema of run.yaml.")
    boolean schema;

    @Override
    public Integer call() {
      if ((explain == null) == !schema) {
        throw new CommandLine.ParameterException(new CommandLine(this),
            "give exactly one of --explain FILE and --schema");
      }
      if (schema) {
        out.print(ConfigSchema.text());
      } else {
        out.print(ConfigExplain.explain(RunConfig.load(explain)));
      }
      return 0;
    }
  }

  /**
   * {@code sparq report}: writes the report of a run, by default as {@code DIR/report.html}; with
   * {@code -o FILE} anywhere else, so a run directory that cannot be written (a colleague's run, a
   * mounted archive) can be reported on, and nothing in it is touched. The output path is checked
   * before the checkpoint is read ({@link HtmlReport#checkOutput}); the file is replaced atomically.
   */
  @Command(name = "report", mixinStandardHelpOptions = true,
      description = "Write the self-contained HTML report of a run.")
  static final class Report extends Base {
    @Mixin
    RunDirArgument runDir;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Output file (default: "
        + "DIR/report.html); use it for a run directory you cannot write to. A directory or a symbolic link "
        + "there is refused; an existing file is replaced atomically.")
    Path output;

    @Override
    public Integer call() {
      RunDirectory d = runDir.open();
      Path file = output != null ? output : d.file(RunDirectory.REPORT);
      HtmlReport.checkOutput(file, output == null);
      int cells;
      try {
        cells = HtmlReport.write(d, file);
      } catch (UncheckedIOException e) {
        // the check above cannot see everything (a mount made read-only since, an ACL): the advice
        // comes with the file system's own reason
        if (output == null && HtmlReport.notWritable(e)) {
          throw new UncheckedIOException(IoMessages.describe(e) + "; write the report elsewhere with -o FILE",
              e.getCause());
        }
        throw e;
      }
      out.println("report with " + cells + " occupied cells: " + file.toAbsolutePath().normalize());
      return 0;
    }
  }

  /** {@code sparq inspect}. */
  @Command(name = "inspect", mixinStandardHelpOptions = true, description = "Print a text summary of a run "
      + "directory: settings, totals, archive, rejections, the best niches and the files.")
  static final class Inspect extends Base {
    @Mixin
    RunDirArgument runDir;

    @Option(names = "--top", defaultValue = "10", description = "Niches to list (default: ${DEFAULT-VALUE}).")
    int top;

    @Override
    public Integer call() {
      RunDirectory d = runDir.open();
      RunConfig c = d.config();
      // everything below may come from someone else's run directory (labels, status and rejection
      // keys, file names): each line goes through Terminal, so no control or bidi character reaches
      // the terminal
      line("run directory " + d.root().toAbsolutePath().normalize());
      line(String.format(Locale.ROOT, "backend %s%s, preset %s, archive %s (capacity %d), K %d, band [%.2f, %.2f], batch %d, seed %d",
          c.backend().type(), d.simulated() ? " (SIMULATED student)" : "", c.preset().name().toLowerCase(Locale.ROOT),
          c.archive().name().toLowerCase(Locale.ROOT), c.capacity(), c.k(), c.bandLow(), c.bandHigh(),
          c.batchSize(), c.seed()));
      var cp = d.readCheckpoint();
      if (cp.isEmpty()) {
        line("no checkpoint yet");
      } else {
        RunStats t = cp.get().state().totals();
        line(String.format(Locale.ROOT, "checkpoint at iteration %d (budget: %s)", t.iterations(), budget(c.budget())));
        printTotals(t);
        printArchive(cp.get().archive());
        line("archive statuses: " + t.statusCounts());
        line("rejections: " + (t.rejections().isEmpty() ? "none" : t.rejections()));
        CellArchive a = cp.get().archive();
        Tessellation tess = a.tessellation();
        List<int[]> cells = new ArrayList<>();
        for (int cell : a.occupiedCells()) {
          cells.add(new int[] {cell});
        }
        cells.sort((x, y) -> Double.compare(a.cell(y[0]).get(0).quality(), a.cell(x[0]).get(0).quality()));
        line("top cells by best quality:");
        for (int i = 0; i < Math.min(top, cells.size()); i++) {
          List<Elite> m = a.cell(cells.get(i)[0]);
          line(String.format(Locale.ROOT, "  %-48s best %.3f, %d member%s", Terminal.line(tess.label(cells.get(i)[0])),
              m.get(0).quality(), m.size(), m.size() == 1 ? "" : "s"));
        }
      }
      line("files:");
      try (Stream<Path> files = Files.list(d.root())) {
        for (Path f : files.sorted().toList()) {
          line(String.format(Locale.ROOT, "  %-18s %s", Terminal.line(f.getFileName()),
              Files.isDirectory(f) ? "(directory)" : human(Files.size(f))));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return 0;
    }

    /** Prints one line, with control and bidi characters shown escaped. */
    private void line(String s) {
      out.println(Terminal.line(s));
    }

    private static String budget(Budget b) {
      List<String> parts = new ArrayList<>();
      for (Map.Entry<String, Long> e : Map.of("iterations", b.maxIterations(), "candidates", b.maxCandidates(),
          "rollouts", b.maxRollouts(), "tokens", b.maxTokens()).entrySet()) {
        if (e.getValue() != Long.MAX_VALUE) {
          parts.add(e.getValue() + " " + e.getKey());
        }
      }
      parts.sort(null);
      return String.join(", ", parts);
    }

    private static String human(long bytes) {
      if (bytes < 1024) {
        return bytes + " B";
      }
      if (bytes < 1024 * 1024) {
        return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
      }
      return String.format(Locale.ROOT, "%.1f MiB", bytes / 1024.0 / 1024.0);
    }
  }
}
