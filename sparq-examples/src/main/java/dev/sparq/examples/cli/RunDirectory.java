package dev.sparq.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparq.core.DataException;
import dev.sparq.core.internal.AtomicFiles;
import dev.sparq.core.internal.Json;
import dev.sparq.core.internal.StrictJson;
import dev.sparq.core.internal.UntrustedFiles;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.engine.EngineState;
import dev.sparq.core.model.EvaluatedCandidate;
import dev.sparq.core.store.CandidateLog;
import dev.sparq.core.store.CandidateSummary;
import dev.sparq.core.store.LogReader;
import dev.sparq.core.store.SparqRun;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * run.json          format tag, the effective configuration, whether the student is simulated,
 *                   and what actually ran (backend, model, endpoints, device; see recordRuntime)
 * checkpoint.json   engine state, archive and log position at the last checkpoint (written atomically)
 * log/              the candidate log: every evaluated child with its rollouts (SPARQ's archive A)
 * metrics.jsonl     one line per iteration: archive statistics and totals
 * report.html       the report, written by {@code sparq report} and at the end of a run
 * export/           training files written by {@code sparq export}
 * run.lock          the lock a running process holds ({@link RunLock})
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
   * {@code replace} is set, in which case an existing run directory there is deleted first (only when
   * its {@code run.json} is a sparq manifest, and never while another process holds its lock).
   */
  public static RunDirectory create(RunConfig config, boolean replace) {
    return create(config, replace, false);
  }

  /**
   * As {@link #create(RunConfig, boolean)}; with {@code onlySimulated} an existing run is replaced only
   * when it is itself a demo run (simulated student), so {@code sparq demo} never deletes a model run.
   */
  public static RunDirectory create(RunConfig config, boolean replace, boolean onlySimulated) {
    Path root = config.output();
    checkOutput(root);
    try {
      if (Files.isDirectory(root) && !isEmpty(root)) {
        if (!replace) {
          throw new DataException(root, 0, null, "the output directory is not empty; " + notEmptyHint(root));
        }
        JsonNode manifest = readManifest(root.resolve(MANIFEST), "refusing to replace a directory that is "
            + "not a sparq run directory");
        if (onlySimulated && !manifest.path("simulatedStudent").asBoolean(false)) {
          throw new DataException(root.resolve(MANIFEST), 0, "simulatedStudent", "refusing to replace a run "
              + "of backend '" + manifest.path("config").path("backend").path("type").asText("?")
              + "' with a demo; choose another directory with -o");
        }
        try (RunLock lock = RunLock.acquire(root)) {
          deleteContents(root);
        }
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

  /**
   * Checks, without creating anything, that a run directory can be made at {@code root}: it is an
   * existing directory that may be written to, or it is absent and its nearest existing ancestor is
   * such a directory. Commands call this before opening any model, so a wrong output path fails at
   * once instead of after the seeds were sent to a model. (Whether the directory is empty is checked
   * by {@link #create}.)
   *
   * @throws DataException naming {@code root} and what is wrong: it is a file, not a directory; its
   *     parent is a file; it is a broken symbolic link; or a directory on the way cannot be written
   */
  public static void checkOutput(Path root) {
    String hint = "; choose another 'output' (or pass -o DIR)";
    if (Files.exists(root)) {
      if (!Files.isDirectory(root)) {
        throw new DataException(root, 0, null, "cannot use this as the run directory: it " + notADirectory(root)
            + hint);
      }
      if (!Files.isWritable(root)) {
        throw new DataException(root, 0, null, "cannot use this as the run directory: it is not writable" + hint);
      }
      return;
    }
    if (Files.isSymbolicLink(root)) {
      throw new DataException(root, 0, null, "cannot create the run directory: it is a symbolic link to a "
          + "missing target" + hint);
    }
    Path parent = root.toAbsolutePath().normalize().getParent();
    while (parent != null && !Files.exists(parent)) {
      parent = parent.getParent();
    }
    if (parent == null) {
      return; // nothing on the way exists: let creation report what the file system says
    }
    Path shown = shown(root, parent);
    if (!Files.isDirectory(parent)) {
      throw new DataException(root, 0, null, "cannot create the run directory: its parent " + shown + " "
          + notADirectory(parent) + hint);
    }
    if (!Files.isWritable(parent)) {
      throw new DataException(root, 0, null, "cannot create the run directory: its parent " + shown
          + " is not writable" + hint);
    }
  }

  /** What an existing path that is not a directory is. */
  private static String notADirectory(Path p) {
    return Files.isRegularFile(p) ? "is a file, not a directory" : "exists but is not a directory";
  }

  /** {@code ancestor} as the user would recognise it: relative when {@code root} was given relative. */
  private static Path shown(Path root, Path ancestor) {
    if (root.isAbsolute()) {
      return ancestor;
    }
    Path cwd = Path.of("").toAbsolutePath();
    return ancestor.startsWith(cwd) && !ancestor.equals(cwd) ? cwd.relativize(ancestor) : ancestor;
  }

  /** What to do about a non-empty output directory, depending on what it holds. */
  private static String notEmptyHint(Path root) {
    if (Files.isRegularFile(root.resolve(MANIFEST)) && !Files.exists(root.resolve(CHECKPOINT))) {
      return "it holds a run that stopped before its first checkpoint, which cannot be resumed; pass --force "
          + "to start it again, or choose another 'output'";
    }
    return "choose another 'output', continue it with 'sparq resume " + root + "', or pass --force to replace it";
  }

  /**
   * Reads a manifest that must carry our format tag; {@code refusal} starts the message when it does
   * not (missing, unreadable, not JSON, another format).
   */
  private static JsonNode readManifest(Path manifest, String refusal) {
    if (!Files.isRegularFile(manifest, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      throw new DataException(manifest.getParent(), 0, null, refusal + " (no " + MANIFEST + ")");
    }
    JsonNode tree;
    try {
      if (Files.size(manifest) > MAX_MANIFEST_BYTES) {
        throw new DataException(manifest, 0, null, refusal + ": the file is larger than "
            + MAX_MANIFEST_BYTES + " bytes");
      }
      tree = StrictJson.mapper().readTree(UntrustedFiles.readAllBytes(manifest, MAX_MANIFEST_BYTES,
          UntrustedFiles.Links.REFUSE, MANIFEST));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw StrictJson.error(manifest, refusal + ": not valid JSON", e);
    } catch (IOException e) {
      throw new DataException(manifest, 0, null, refusal + ": cannot read it", e);
    }
    if (tree == null || !FORMAT.equals(tree.path("format").asText())) {
      throw new DataException(manifest, 0, "format", refusal + ": expected '" + FORMAT + "', was "
          + (tree == null || tree.get("format") == null ? "missing" : tree.get("format")));
    }
    return tree;
  }

  /** This run's run.json, read as every file of a run directory is ({@link UntrustedFiles}). */
  private byte[] manifestBytes() {
    return UntrustedFiles.readAllBytes(file(MANIFEST), MAX_MANIFEST_BYTES, UntrustedFiles.Links.REFUSE, MANIFEST);
  }

  /** The largest run.json read (a manifest is a few KiB). */
  static final long MAX_MANIFEST_BYTES = 1 << 20;

  /** Opens an existing run directory. */
  public static RunDirectory open(Path root) {
    Path manifest = root.resolve(MANIFEST);
    if (!Files.isRegularFile(manifest)) {
      throw new DataException(root, 0, null, "not a sparq run directory: " + MANIFEST + " is missing");
    }
    JsonNode tree = readManifest(manifest, "not a sparq run directory");
    if (!tree.path("config").isObject()) {
      throw new DataException(manifest, 0, "config", "is missing");
    }
    RunConfig config = RunConfig.fromTree(tree.get("config"), manifest.toString(), null).withOutput(root);
    return new RunDirectory(root, config);
  }

  /** This run with a changed configuration (for example a larger budget), saved in the manifest. */
  public RunDirectory withConfig(RunConfig changed) {
    try {
      ObjectNode manifest = (ObjectNode) Json.mapper().readTree(manifestBytes());
      manifest.set("config", changed.toTree());
      writeAtomically(file(MANIFEST), out -> Json.mapper().writerWithDefaultPrettyPrinter()
          .writeValue(out, manifest));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot update " + file(MANIFEST), e);
    }
    return new RunDirectory(root, changed.withOutput(root));
  }

  /**
   * Records in run.json, under {@code runtime}, what this process actually runs: per model, its
   * backend, model, endpoints (without credentials) and, for onnx, the requested device and the
   * execution provider and device actually used (see {@link Components#runtime}). Written when a run
   * starts or resumes (a resume records its own process); run.json files without it, from older
   * versions, still open.
   */
  public void recordRuntime(JsonNode runtime) {
    try {
      ObjectNode manifest = (ObjectNode) Json.mapper().readTree(manifestBytes());
      manifest.set("runtime", runtime);
      writeAtomically(file(MANIFEST), out -> Json.mapper().writerWithDefaultPrettyPrinter()
          .writeValue(out, manifest));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot update " + file(MANIFEST), e);
    }
  }

  /**
   * What run.json records about what actually ran ({@link #recordRuntime}), or empty for a run
   * directory written before it was recorded (or when run.json cannot be read any more).
   */
  public Optional<JsonNode> runtime() {
    try {
      JsonNode r = Json.mapper().readTree(manifestBytes()).get("runtime");
      return r != null && r.path("models").isArray() ? Optional.of(r) : Optional.empty();
    } catch (IOException | DataException e) {
      return Optional.empty();
    }
  }

  /**
   * This run with another backend for this process only (run.json is not changed): {@code sparq
   * resume} uses it to take endpoints and API key variable from the user's own configuration.
   */
  public RunDirectory usingBackend(RunConfig.Backend backend) {
    return usingModels(backend, config.stages().models());
  }

  /**
   * This run with other model blocks ({@code backend} and {@code models}), for this process only (the
   * manifest is unchanged); every other setting, the stages included, stays as recorded.
   */
  public RunDirectory usingModels(RunConfig.Backend backend, java.util.Map<String, RunConfig.Backend.ModelBackend> models) {
    return new RunDirectory(root, config.withModels(backend, models));
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
    if (!Files.exists(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) { // a link is refused by Checkpoint.read
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
    if (Files.exists(file(CHECKPOINT), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      deleteTree(root);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root, e);
    }
  }

  /** Appends one metrics line (never through a symbolic link). */
  public void appendMetrics(MetricsRow row) {
    Path f = file(METRICS);
    try (OutputStream w = Files.newOutputStream(f, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
        StandardOpenOption.WRITE, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      w.write(Json.mapper().writeValueAsBytes(row));
      w.write('\n');
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to " + f, e);
    }
  }

  /**
   * All metrics lines, in order. A last line without its newline that does not parse (a crash or a
   * full disk while appending) is torn and skipped, as in the candidate log; a malformed complete line
   * is an error naming the file and line.
   */
  public List<MetricsRow> metrics() {
    tornMetrics = 0;
    List<MetricsRow> out = new ArrayList<>();
    Path f = file(METRICS);
    if (!Files.exists(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return out;
    }
    // never through a link, never a FIFO or device, at most MAX_METRICS_BYTES
    byte[] bytes = UntrustedFiles.readAllBytes(f, MAX_METRICS_BYTES, UntrustedFiles.Links.REFUSE, METRICS);
    int start = 0;
    long n = 0;
    while (start < bytes.length) {
      int end = start;
      while (end < bytes.length && bytes[end] != '\n') {
        end++;
      }
      n++;
      boolean terminated = end < bytes.length;
      String line = new String(bytes, start, end - start, StandardCharsets.UTF_8);
      start = end + 1;
      if (line.isBlank()) {
        continue;
      }
      try {
        out.add(StrictJson.mapper().readValue(line, MetricsRow.class));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        if (!terminated) {
          tornMetrics++;
          break; // torn tail: dropped, rewritten away on resume
        }
        throw StrictJson.error(f, n, "not a metrics record", e);
      }
    }
    return out;
  }

  private long tornMetrics;

  /** The largest metrics.jsonl read (256 MiB; a line per iteration is a few hundred bytes). */
  static final long MAX_METRICS_BYTES = 256L << 20;

  /** Torn last metrics lines skipped by {@link #metrics()} so far. */
  public long tornMetricsLines() {
    return tornMetrics;
  }

  /**
   * Streams every logged candidate up to the last checkpoint to {@code consumer}, in log order, one
   * record in memory at a time.
   */
  public void forEachCandidate(Consumer<EvaluatedCandidate> consumer) {
    Optional<SavedCheckpoint> cp = readCheckpoint();
    if (cp.isPresent()) {
      forEachCandidate(cp.get(), consumer);
    }
  }

  /**
   * Whether there is a log to read for {@code cp}: false for a checkpoint that counts no record and
   * has no log folder; a checkpoint that counts records without one is a {@link DataException} (a
   * copy of the run directory that left {@code log/} out), never read as an empty log.
   */
  private boolean hasLog(SavedCheckpoint cp) {
    UntrustedFiles.refuseLinksBelow(root, file(LOG)); // a linked log/ folder would be read elsewhere
    if (Files.isDirectory(file(LOG))) {
      return true;
    }
    if (cp.records() > 0) {
      throw new DataException(file(LOG), 0, null, "the checkpoint counts " + cp.records()
          + " logged candidates but the run directory has no " + LOG + " folder (was it left out of a copy?)");
    }
    return false;
  }

  /**
   * Streams every logged candidate up to checkpoint {@code cp} (already read, so a caller that needs
   * the checkpoint too reads it once) to {@code consumer}, in log order, one record in memory at a
   * time. A log that holds fewer records than the checkpoint counts (cut short, or a gzip shard with
   * damaged bytes) is a {@link DataException} naming the shard and the line where it stops.
   */
  public void forEachCandidate(SavedCheckpoint cp, Consumer<EvaluatedCandidate> consumer) {
    if (!hasLog(cp)) {
      return;
    }
    try (LogReader log = LogReader.open(file(LOG), cp.records())) {
      while (log.hasNext()) {
        consumer.accept(log.next().candidate());
      }
      log.requireRecords(cp.records()); // a log cut short or damaged is named, not read as shorter
    }
  }

  /**
   * Streams the scalar fields of every logged candidate up to checkpoint {@code cp} to {@code
   * consumer}, in log order, without decoding any text ({@link LogReader.RecordView#summary()}): for
   * readers such as the report that use no statement, solution or rollout text.
   */
  public void forEachSummary(SavedCheckpoint cp, Consumer<CandidateSummary> consumer) {
    if (!hasLog(cp)) {
      return;
    }
    try (LogReader log = LogReader.open(file(LOG), cp.records())) {
      LogReader.RecordView v;
      while ((v = log.nextView()) != null) {
        consumer.accept(v.summary());
      }
      log.requireRecords(cp.records());
    }
  }

  /** Drops metrics lines of iterations at or after {@code iterations} (written after the last checkpoint). */
  public void truncateMetrics(long iterations) {
    Path f = file(METRICS);
    if (!Files.exists(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
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

  /** Writes a file through a temporary sibling and an atomic move (see {@link AtomicFiles}). */
  static void writeAtomically(Path target, AtomicFiles.Body body) throws IOException {
    AtomicFiles.write(target, body);
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isEmpty();
    }
  }

  /** Deletes everything in {@code root} but the lock file, without following links. */
  private static void deleteContents(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        if (!p.equals(root) && !p.equals(root.resolve(RunLock.FILE))) {
          Files.delete(p);
        }
      }
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
