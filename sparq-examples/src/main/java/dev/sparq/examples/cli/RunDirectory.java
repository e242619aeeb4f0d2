package dev.sparq.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparq.core.DataException;
import dev.sparq.core.Json;
import dev.sparq.core.archive.ArchiveJson;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.engine.CandidateSink;
import dev.sparq.core.engine.EngineState;
import dev.sparq.core.model.EvaluatedCandidate;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
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
 * archive.json      the archive at the last checkpoint (ArchiveJson format)
 * state.json        the engine state at the last checkpoint (seed and totals)
 * metrics.jsonl     one line per iteration: archive statistics and totals
 * candidates.jsonl  every evaluated child with its rollouts (SPARQ's archive A)
 * report.html       the report, written by {@code sparq report} and at the end of a run
 * export/           training files written by {@code sparq export}
 * </pre>
 * Checkpoints are written to a temporary file and moved into place, so a crash leaves the previous
 * checkpoint intact; on resume, log lines after the checkpoint are dropped.
 */
public final class RunDirectory {
  /** The manifest file name. */
  public static final String MANIFEST = "run.json";
  /** The archive checkpoint file name. */
  public static final String ARCHIVE = "archive.json";
  /** The engine state file name. */
  public static final String STATE = "state.json";
  /** The per-iteration metrics file name. */
  public static final String METRICS = "metrics.jsonl";
  /** The candidate log file name. */
  public static final String CANDIDATES = "candidates.jsonl";
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

  /** An archive and engine state saved together. */
  public record Checkpoint(CellArchive archive, EngineState state) {}

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
      manifest.put("simulatedStudent", config.backend().type().equals("demo"));
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

  /** The directory. */
  public Path root() {
    return root;
  }

  /** The configuration the run was created with. */
  public RunConfig config() {
    return config;
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

  /** A file of the run. */
  public Path file(String name) {
    return root.resolve(name);
  }

  /** Whether the student is the demo's simulation. */
  public boolean simulated() {
    return config.backend().type().equals("demo");
  }

  /** Saves a checkpoint: the archive, then the state (each written atomically). */
  public void writeCheckpoint(CellArchive archive, EngineState state) {
    try {
      writeAtomically(file(ARCHIVE), out -> ArchiveJson.write(archive, out));
      writeAtomically(file(STATE), out -> Json.mapper().writeValue(out, state));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write checkpoint in " + root, e);
    }
  }

  /** The last checkpoint, if one was written. */
  public Optional<Checkpoint> readCheckpoint() {
    Path a = file(ARCHIVE);
    Path s = file(STATE);
    if (!Files.exists(a) || !Files.exists(s)) {
      return Optional.empty();
    }
    try (InputStream in = Files.newInputStream(a)) {
      CellArchive archive = ArchiveJson.read(in);
      EngineState state = Json.mapper().readValue(s.toFile(), EngineState.class);
      return Optional.of(new Checkpoint(archive, state));
    } catch (IOException | RuntimeException e) {
      throw new DataException(a, 0, null, "cannot read the checkpoint: " + e.getMessage(), e);
    }
  }

  /** Deletes the directory when no checkpoint was ever written (a run that could not start). */
  public void deleteIfNeverCheckpointed() {
    if (Files.exists(file(STATE))) {
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
    readLines(METRICS, (line, n) -> out.add(Json.mapper().readValue(line, MetricsRow.class)));
    return out;
  }

  /** Streams every logged candidate to {@code consumer}, in log order. */
  public void forEachCandidate(Consumer<EvaluatedCandidate> consumer) {
    readLines(CANDIDATES, (line, n) -> consumer.accept(Json.mapper().readValue(line, EvaluatedCandidate.class)));
  }

  /** A sink that appends to the candidate log. */
  public CandidateSink candidateSink() {
    return new JsonlCandidateSink(file(CANDIDATES));
  }

  /**
   * Drops metrics and candidate lines of iterations at or after {@code iterations} (written after the
   * last checkpoint by a run that stopped early).
   */
  public void truncateAfter(long iterations) {
    for (String name : List.of(METRICS, CANDIDATES)) {
      Path f = file(name);
      if (!Files.exists(f)) {
        continue;
      }
      Path tmp = file(name + ".tmp");
      try (BufferedReader in = Files.newBufferedReader(f, StandardCharsets.UTF_8);
          Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        String line;
        while ((line = in.readLine()) != null) {
          if (line.isBlank()) {
            continue;
          }
          JsonNode n;
          try {
            n = Json.mapper().readTree(line);
          } catch (IOException e) {
            continue; // a line cut short by a crash
          }
          if (n.path("iteration").asLong(Long.MAX_VALUE) < iterations) {
            out.write(line);
            out.write('\n');
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot truncate " + f, e);
      }
      try {
        Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot replace " + f, e);
      }
    }
  }

  private interface LineHandler {
    void handle(String line, long lineNumber) throws IOException;
  }

  private void readLines(String name, LineHandler handler) {
    Path f = file(name);
    if (!Files.exists(f)) {
      return;
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
          handler.handle(line, n);
        } catch (IOException e) {
          throw new DataException(f, n, null, "not a valid record: " + e.getMessage().split("\n")[0], e);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + f, e);
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
