package dev.sparq.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparq.core.DataException;
import dev.sparq.core.internal.Json;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.engine.EngineState;
import dev.sparq.core.model.EvaluatedCandidate;
import dev.sparq.core.store.CandidateLog;
import dev.sparq.core.store.LogReader;
import dev.sparq.core.store.SparqRun;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The files of one run, all in one directory:
 * <pre>
 * run.json          format tag, the effective configuration, whether the student is simulated
 * checkpoint.json   engine state, archive and log position at the last checkpoint (written atomically)
 * log/              the candidate log: every evaluated child with its rollouts (SPARQ's archive A)
 * metrics.jsonl     one line per iteration: archive statistics and totals
 * report.html       the report, written by {@code sparq report} and at the end of a run
 * export/           training files written by {@code sparq export}
 * </pre>
 * The checkpoint and the log are sparq-core's storage ({@link SparqRun}, {@link CandidateLog}); on
 * resume, log records and metrics lines written after the last checkpoint are dropped.
 */
public final class RunDirectory {
  /** The manifest file name. */
  public static final String MANIFEST = "run.json";
  /** The checkpoint file name. */
  public static final String CHECKPOINT = SparqRun.CHECKPOINT;
  /** The candidate log folder name. */
  public static final String LOG = SparqRun.LOG;
  /** The per-iteration metrics file name. */
  public static final String METRICS = "metrics.jsonl";
  /** The report file name. */
  public static final String REPORT = "report.html";
  /** The export folder name. */
  public static final String EXPORT = "export";
  /** The format tag of {@code run.json}. */
  public static final String FORMAT = "sparq-run";

  private final Path root;
  private final RunConfig config;

  private RunDirectory(Path root, RunConfig config) {
    this.root = root;
    this.config = config;
  }

  /**
   * An archive and engine state saved together, with the number of log records they cover.
   *
   * @param archive the archive
   * @param state the engine state
   * @param records log records written up to the checkpoint
   */
  public record SavedCheckpoint(CellArchive archive, EngineState state, long records) {}

  /**
   * Creates a run directory for {@code config}. The directory must be absent or empty, unless
   * {@code replace} is set, in which case an existing run directory there is deleted first.
   */
  public static RunDirectory create(RunConfig config, boolean replace) {
    Path root = config.output();
    try {
      if (Files.isDirectory(root) && !isEmpty(root)) {
        if (!replace) {
          throw new DataException(root, 0, null, "the output directory is not empty; choose another "
              + "'output', continue it with 'sparq resume " + root + "', or pass --force to replace it");
        }
        if (!Files.exists(root.resolve(MANIFEST))) {
          throw new DataException(root, 0, null, "refusing to replace a directory that is not a sparq "
              + "run directory (no " + MANIFEST + ")");
        }
        deleteTree(root);
      }
      Files.createDirectories(root);
      ObjectNode manifest = Json.mapper().createObjectNode();
      manifest.put("format", FORMAT);
      manifest.put("version", 1);
      manifest.put("simulatedStudent", config.backend().simulated());
      manifest.set("config", config.toTree());
      writeAtomically(root.resolve(MANIFEST), out -> Json.mapper().writerWithDefaultPrettyPrinter()
          .writeValue(out, manifest));
      return new RunDirectory(root, config);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create run directory " + root, e);
    }
  }

  /** Opens an existing run directory. */
  public static RunDirectory open(Path root) {
    Path manifest = root.resolve(MANIFEST);
    if (!Files.isRegularFile(manifest)) {
      throw new DataException(root, 0, null, "not a sparq run directory: " + MANIFEST + " is missing");
    }
    JsonNode tree;
    try {
      tree = Json.mapper().readTree(manifest.toFile());
    } catch (IOException e) {
      throw new DataException(manifest, 0, null, "not valid JSON: " + e.getMessage(), e);
    }
    if (tree == null || !FORMAT.equals(tree.path("format").asText())) {
      throw new DataException(manifest, 0, "format", "expected '" + FORMAT + "'");
    }
    if (!tree.path("config").isObject()) {
      throw new DataException(manifest, 0, "config", "is missing");
    }
    RunConfig config = RunConfig.fromTree(tree.get("config"), manifest.toString(), null).withOutput(root);
    return new RunDirectory(root, config);
  }

  /** This run with a changed configuration (for example a larger budget), saved in the manifest. */
  public RunDirectory withConfig(RunConfig changed) {
    try {
      ObjectNode manifest = (ObjectNode) Json.mapper().readTree(file(MANIFEST).toFile());
      manifest.set("config", changed.toTree());
      writeAtomically(file(MANIFEST), out -> Json.mapper().writerWithDefaultPrettyPrinter()
          .writeValue(out, manifest));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot update " + file(MANIFEST), e);
    }
    return new RunDirectory(root, changed.withOutput(root));
  }

  /** The directory. */
  public Path root() {
    return root;
  }

  /** The configuration the run was created with. */
  public RunConfig config() {
    return config;
  }

  /** A file of the run. */
  public Path file(String name) {
    return root.resolve(name);
  }

  /** Whether the student is the demo's simulation. */
  public boolean simulated() {
    return config.backend().simulated();
  }

  /** The last checkpoint, if one was written. */
  public Optional<SavedCheckpoint> readCheckpoint() {
    Path f = file(CHECKPOINT);
    if (!Files.exists(f)) {
      return Optional.empty();
    }
    dev.sparq.core.store.Checkpoint cp = dev.sparq.core.store.Checkpoint.read(f);
    if (cp.archive() == null) {
      throw new DataException(f, 0, "archive", "the checkpoint holds a custom archive's state (a"
          + " library run); the sparq command reads only CellArchive checkpoints");
    }
    return Optional.of(new SavedCheckpoint(cp.archive(), cp.state(), cp.log().records()));
  }

  /** Deletes the directory when no checkpoint was ever written (a run that could not start). */
  public void deleteIfNeverCheckpointed() {
    if (Files.exists(file(CHECKPOINT))) {
      return;
    }
    try {
      deleteTree(root);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root, e);
    }
  }

  /** Appends one metrics line. */
  public void appendMetrics(MetricsRow row) {
    try (Writer w = Files.newBufferedWriter(file(METRICS), StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      w.write(Json.mapper().writeValueAsString(row));
      w.write('\n');
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to " + file(METRICS), e);
    }
  }

  /** All metrics lines, in order. */
  public List<MetricsRow> metrics() {
    List<MetricsRow> out = new ArrayList<>();
    Path f = file(METRICS);
    if (!Files.exists(f)) {
      return out;
    }
    try (BufferedReader in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
      String line;
      long n = 0;
      while ((line = in.readLine()) != null) {
        n++;
        if (line.isBlank()) {
          continue;
        }
        try {
          out.add(Json.mapper().readValue(line, MetricsRow.class));
        } catch (IOException e) {
          throw new DataException(f, n, null, "not a metrics record: " + e.getMessage().split("\n")[0], e);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + f, e);
    }
    return out;
  }

  /**
   * Streams every logged candidate up to the last checkpoint to {@code consumer}, in log order, one
   * record in memory at a time.
   */
  public void forEachCandidate(Consumer<EvaluatedCandidate> consumer) {
    Optional<SavedCheckpoint> cp = readCheckpoint();
    if (cp.isEmpty() || !Files.isDirectory(file(LOG))) {
      return;
    }
    try (LogReader log = LogReader.open(file(LOG), cp.get().records())) {
      while (log.hasNext()) {
        consumer.accept(log.next().candidate());
      }
    }
  }

  /** Drops metrics lines of iterations at or after {@code iterations} (written after the last checkpoint). */
  public void truncateMetrics(long iterations) {
    Path f = file(METRICS);
    if (!Files.exists(f)) {
      return;
    }
    List<MetricsRow> keep = new ArrayList<>();
    for (MetricsRow r : metrics()) {
      if (r.iteration() < iterations) {
        keep.add(r);
      }
    }
    try {
      writeAtomically(f, out -> {
        for (MetricsRow r : keep) {
          out.write(Json.mapper().writeValueAsBytes(r));
          out.write('\n');
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot rewrite " + f, e);
    }
  }

  interface Body {
    void write(OutputStream out) throws IOException;
  }

  /** Writes a file through a temporary sibling and an atomic move. */
  static void writeAtomically(Path target, Body body) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      body.write(out);
    }
    try {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isEmpty();
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
