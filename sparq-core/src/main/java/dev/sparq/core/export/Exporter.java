package dev.sparq.core.export;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparq.core.ConfigException;
import dev.sparq.core.internal.AtomicFiles;
import dev.sparq.core.internal.ChannelOpener;
import dev.sparq.core.internal.IoMessages;
import dev.sparq.core.internal.Json;
import dev.sparq.core.llm.ReasoningText;
import dev.sparq.core.model.EvaluatedCandidate;
import dev.sparq.core.model.Rollout;
import dev.sparq.core.store.CandidateLog;
import dev.sparq.core.store.DirectoryLock;
import dev.sparq.core.store.LogOptions;
import dev.sparq.core.store.LogReader;
import dev.sparq.core.store.LoggedCandidate;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns a candidate log into training data, streaming: the log is read record by record and never
 * held in memory.
 *
 * <p>SPARQ's rule: every correct rollout of a problem with quality &gt; 0 becomes one (problem,
 * solution) example (identical rollout texts of one problem count once); with
 * {@link Builder#referenceSolutions(boolean)} the generator's reference solution is used instead;
 * RL formats ({@link ExportFormat#problemRows()}) get one row per problem with its ground-truth
 * answer. A reasoning model's thinking in a rollout text is kept, stripped or moved to a key of
 * its own as {@link Builder#thinking(Thinking)} says. The pipeline, in order, with the name each
 * step's removals are counted under:
 * <ol>
 *   <li>{@code quality_zero}: quality &lt;= 0 (SPARQ's rule);
 *   <li>{@code quality_band}: quality outside {@link Builder#qualityBand(double, double)};
 *   <li>{@code contaminated}: shares a word n-gram with a {@link Benchmark} (counted per benchmark);
 *   <li>{@code duplicate_exact}: same normalised statement as an earlier kept problem;
 *   <li>{@code duplicate_near}: MinHash-LSH near duplicate of an earlier kept problem;
 *   <li>{@code duplicate_text}: duplicate according to the {@link TextDeduplicator} of
 *       {@link Builder#textDeduplicator(TextDeduplicator)} (for example embedding similarity);
 *   <li>{@code no_correct_rollout} / {@code no_reference_solution}: nothing to train on;
 *       {@code rollout_text_not_logged} when the record has correct rollouts but the log did not
 *       keep their texts ({@link dev.sparq.core.store.LogOptions#withRolloutTexts});
 *   <li>{@code not_selected}: examples the {@link Selector} left out.
 * </ol>
 * Memory: duplicate removal keeps a hash set of 8-byte keys per kept problem (about 16 bytes at the
 * set's load factor) and, for near duplicates, one such key per LSH band; benchmarks' n-gram hashes
 * likewise; selectors as described on {@link Selector}. Everything is deterministic for a given
 * {@link Builder#seed(long)}.
 *
 * <pre>{@code
 * ExportReport r = Exporter.builder()
 *     .log(runDir.resolve("log")).output(Path.of("out")).name("sparq-math")
 *     .format(ExportFormat.MESSAGES).qualityBand(0.2, 0.9)
 *     .selector(Selector.qualityDiversity(50_000)).seed(7)
 *     .build().run();
 * }</pre>
 * Output files in the output directory: {@code <name>.jsonl} (or {@code <name>.parquet}, see
 * {@link Builder#fileFormat(FileFormat)}), {@code stats.json},
 * {@code README.md} (the dataset card) and, for formats LLaMA-Factory reads, {@code dataset_info.json};
 * and {@value #LOCK_FILE}, the lock every export holds while it writes there (see {@link #run()}).
 */
public final class Exporter {
  static final int MAX_ROLLOUTS = 4093;

  /** Distinct skill sets counted for the statistics (memory bound); more are not counted. */
  static final int MAX_TRACKED_SKILL_SETS = 100_000;

  private final Builder b;
  private final List<long[]> benchmarkSets = new ArrayList<>();
  private final List<LongHashSet> benchmarkHashes = new ArrayList<>();

  private Exporter(Builder b) {
    this.b = b;
    for (Benchmark bench : b.benchmarks) {
      LongHashSet set = new LongHashSet(1024);
      for (String t : bench.texts()) {
        for (long g : TextHashing.ngrams(TextHashing.tokenHashes(t), b.ngram)) {
          set.add(g);
        }
      }
      benchmarkHashes.add(set);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Encodes (record seq, rollout index) as one sortable key. */
  static long key(long seq, int rollout) {
    return seq * (MAX_ROLLOUTS + 3) + (rollout + 2);
  }

  /**
   * The lock file in an export folder: a {@link DirectoryLock} that every export holds while it
   * writes there, the library's {@link #run()} as well as {@code sparq export}, so two exports into
   * one folder (two threads, two processes, a program and the command line) never interleave. It is
   * an operating-system lock, released when the process ends however it ends, and the file names its
   * holder. It is not part of the dataset and may be deleted when no export runs.
   */
  public static final String LOCK_FILE = "export.lock";

  /** The files an export stages besides its data file, whose stale temporaries it removes. */
  private static final List<String> STAGED = List.of("stats.json", DatasetCard.FILE, "dataset_info.json");

  /**
   * Creates the export folder {@code dir} if needed and takes its {@link #LOCK_FILE}, for a caller
   * that checks the folder itself before it exports (as {@code sparq export} does) and then calls
   * {@link #run(DirectoryLock)} with the lock.
   *
   * @throws dev.sparq.core.DataException naming the lock file and its holder when another export
   *     (of this or another process) holds it
   */
  public static DirectoryLock lockOutput(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the export folder " + dir + ": " + IoMessages.describe(e), e);
    }
    return DirectoryLock.acquire(dir.resolve(LOCK_FILE), "the export folder " + dir);
  }

  /**
   * Runs the export and writes the output files, holding the output folder's {@link #LOCK_FILE}
   * while it writes. The data file is written under a temporary name of its own ({@code
   * .NAME.jsonl.<pid>.<hex>.tmp}) and renamed into place with the statistics and the card once all
   * are on disk; a failed export removes its temporaries, and an export removes those that an
   * export killed in this folder left, once it holds the lock.
   *
   * @throws dev.sparq.core.DataException naming the lock file and its holder when another export
   *     writes into the same folder now; the folder is then left as it is
   */
  public ExportReport run() {
    return run(null);
  }

  /**
   * Runs the export while the caller holds the output folder's lock ({@link #lockOutput}); with
   * {@code null} it takes the lock itself, as {@link #run()}.
   *
   * @param held the lock of this exporter's output folder, taken with {@link #lockOutput}
   * @throws IllegalArgumentException when {@code held} is not the lock of the output folder, or has
   *     been released
   */
  public ExportReport run(DirectoryLock held) {
    if (held != null) {
      Path mine = b.output.resolve(LOCK_FILE).toAbsolutePath().normalize();
      if (!held.file().toAbsolutePath().normalize().equals(mine) || !held.isHeld()) {
        throw new IllegalArgumentException("export: the lock given is not the held lock " + mine
            + " of the output folder (it is " + held.file() + (held.isHeld() ? "" : ", released") + ")");
      }
    }
    if (b.candidates == null) {
      return run(b.log, held);
    }
    // Candidates held in memory go through a private, temporary candidate log, so that both sources
    // share one export path (selection, de-duplication, formats) and give identical files.
    Path dir = null;
    try {
      dir = Files.createTempDirectory("sparq-export-");
      try (CandidateLog log = CandidateLog.create(dir.resolve("log"),
          LogOptions.defaults().withFsync(false))) {
        for (EvaluatedCandidate c : b.candidates) {
          log.append(c);
        }
      }
      return run(dir.resolve("log"), held);
    } catch (IOException e) {
      throw new UncheckedIOException("export: cannot stage the in-memory candidates in "
          + (dir != null ? dir : "a temporary folder") + ": " + e.getMessage(), e);
    } finally {
      deleteQuietly(dir);
    }
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException ignored) {
          // a left-over temporary file is harmless
        }
      });
    } catch (IOException ignored) {
      // same
    }
  }

  private ExportReport run(Path logSource, DirectoryLock held) {
    // a wrong log path fails here, before anything is written to the output folder
    LogReader.open(logSource, 0).close();
    DatasetCard.checkReplaceable(b.output);
    if (held != null) {
      return writeLocked(logSource);
    }
    try (DirectoryLock lock = lockOutput(b.output)) {
      return writeLocked(logSource);
    }
  }

  /** Writes the export; the caller holds the output folder's lock. */
  private ExportReport writeLocked(Path logSource) {
    FileFormat container = fileFormat();
    Path data = b.output.resolve(b.name + "." + container.extension());
    // no other export writes here now: temporaries of these files are what a killed export left
    AtomicFiles.removeStale(data);
    for (String f : STAGED) {
      AtomicFiles.removeStale(b.output.resolve(f));
    }
    removeLegacyTemporary(data);
    // again under the lock: an export that finished meanwhile may have written the card
    DatasetCard.checkReplaceable(b.output);
    Path tmp = null;
    List<AtomicFiles.Staged> staged = new ArrayList<>();
    try {
      Files.createDirectories(b.output);
      AtomicFiles.refuseLinks(data);
      tmp = AtomicFiles.temporaryFor(data);
      Counters counters = new Counters();
      Stats stats = new Stats();
      try (RowSink g = container == FileFormat.PARQUET ? new ParquetSink(tmp, template())
          : new JsonSink(tmp, b.channels)) {
        Pass1 pass = new Pass1(counters);
        if (!(b.selector instanceof Selector.Budgeted)) {
          try (LogReader log = LogReader.open(logSource, b.maxRecords);
              Pump<LoggedCandidate> pump = new Pump<>(log, pass::admit, b.background)) {
            LoggedCandidate c;
            while ((c = pump.next()) != null) {
              for (Example e : pass.accept(c)) {
                write(g, e, stats);
              }
            }
            counters.read = log.recordsRead();
            counters.torn = log.tornLines();
            requireRecords(log);
          }
        } else {
          SelectionStrategy strategy = SelectionStrategy.of(b.selector, b.seed);
          try (LogReader log = LogReader.open(logSource, b.maxRecords);
              Pump<LoggedCandidate> pump = new Pump<>(log, pass::admit, b.background)) {
            LoggedCandidate c;
            while ((c = pump.next()) != null) {
              for (Example e : pass.accept(c)) {
                strategy.offer(key(e.seq(), e.rollout()), e.quality(), e.skills());
              }
            }
            counters.read = log.recordsRead();
            counters.torn = log.tornLines();
            requireRecords(log);
          }
          long[] selected = strategy.select();
          Arrays.sort(selected);
          try (LogReader log = LogReader.open(logSource, b.maxRecords);
              Pump<LoggedCandidate> pump = new Pump<>(log,
                  v -> anySelected(selected, v.seq()) ? v.decode() : null, b.background)) {
            LoggedCandidate c;
            while ((c = pump.next()) != null) {
              for (Example e : expand(c)) {
                if (Arrays.binarySearch(selected, key(e.seq(), e.rollout())) >= 0) {
                  write(g, e, stats);
                }
              }
            }
          }
        }
        pass.finish();
      } catch (java.nio.file.FileSystemException | com.fasterxml.jackson.core.JsonProcessingException e) {
        throw e; // already names its file, or is not about the disk
      } catch (IOException e) {
        // a failed write says only "No space left on device": name the file
        java.nio.file.FileSystemException named = new java.nio.file.FileSystemException(
            tmp.toString(), null, e.getMessage());
        named.initCause(e);
        throw named;
      }
      Map<String, Long> removed = new LinkedHashMap<>(counters.removed);
      removed.put("not_selected", counters.candidates - stats.written);
      Map<String, Long> contamination = new LinkedHashMap<>();
      for (int i = 0; i < b.benchmarks.size(); i++) {
        contamination.put(b.benchmarks.get(i).name(), counters.perBenchmark[i]);
      }
      Optional<ObjectNode> info = b.format.llamaFactoryEntry(data.getFileName().toString(),
          b.systemPrompt != null);
      Optional<Path> infoPath = Optional.empty();
      if (info.isPresent()) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.set(b.name, info.get());
        infoPath = Optional.of(b.output.resolve("dataset_info.json"));
        byte[] infoBytes = Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        staged.add(AtomicFiles.stage(infoPath.get(), out -> out.write(infoBytes), b.channels));
      }
      ExportReport report = new ExportReport(counters.read, counters.torn, counters.candidates,
          stats.problems, stats.written, removed, contamination, stats.histogram,
          new TreeMap<>(stats.skills), stats.skillSets.size(), data, infoPath, b.thinking);
      byte[] statsBytes = Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(report.toJson());
      staged.add(AtomicFiles.stage(b.output.resolve("stats.json"), out -> out.write(statsBytes),
          b.channels));
      byte[] card = DatasetCard.render(b, report, Files.size(tmp)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      staged.add(AtomicFiles.stage(b.output.resolve(DatasetCard.FILE), out -> out.write(card),
          b.channels));
      // every file is on disk under a temporary name: only now are they renamed into place, so a
      // full disk while writing any of them leaves the previous export as it was (a new data file
      // beside the old statistics and card would look like a complete export)
      Files.move(tmp, data, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      tmp = null;
      for (AtomicFiles.Staged f : staged) {
        f.commit();
      }
      return report;
    } catch (IOException e) {
      throw new UncheckedIOException("export to " + b.output + " failed: " + IoMessages.describe(e), e);
    } finally {
      staged.forEach(AtomicFiles.Staged::discard);
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // the failure itself is the one to report
        }
      }
    }
  }

  /**
   * Removes {@code NAME.jsonl.tmp} (or {@code NAME.parquet.tmp}), the one fixed temporary name that
   * earlier versions wrote the data file under, which a killed export of such a version may have
   * left; never through a link. The caller holds the folder's lock.
   */
  private static void removeLegacyTemporary(Path data) {
    Path legacy = data.resolveSibling(data.getFileName() + ".tmp");
    try {
      if (Files.isRegularFile(legacy, LinkOption.NOFOLLOW_LINKS)) {
        Files.deleteIfExists(legacy);
      }
    } catch (IOException ignored) {
      // harmless; the export itself no longer writes there
    }
  }

  /** Whether any selected key belongs to record {@code seq}. */
  private static boolean anySelected(long[] sorted, long seq) {
    int i = Arrays.binarySearch(sorted, key(seq, -2));
    if (i >= 0) {
      return true;
    }
    int at = -i - 1;
    return at < sorted.length && sorted[at] <= key(seq, MAX_ROLLOUTS);
  }

  /** The data file's container: as set, or {@link FileFormat#defaultFor(ExportFormat)}. */
  FileFormat fileFormat() {
    return b.fileFormat != null ? b.fileFormat : FileFormat.defaultFor(b.format);
  }

  /** A row of the export's shape, from which the Parquet schema is derived. */
  private Row template() {
    Example e = new Example("id", "p", "s", "a", 0.5, List.of(), 0, Example.PROBLEM);
    return b.format.row(e, "p", b.systemPrompt, 0, b.dataSource,
        b.thinking == Thinking.FIELD ? "" : null);
  }

  private void write(RowSink g, Example e, Stats stats) throws IOException {
    String prompt = b.promptTemplate.replace("{problem}", e.problem());
    if (b.thinking == Thinking.FIELD) {
      // the thinking leaves the content for a key of its own; a reference solution has none
      ReasoningText.Split split = ReasoningText.split(e.solution());
      Example answer = new Example(e.id(), e.problem(), split.answer(), e.answer(), e.quality(),
          e.skills(), e.seq(), e.rollout());
      g.write(b.format.row(answer, prompt, b.systemPrompt, stats.written, b.dataSource,
          split.thinking()));
    } else {
      g.write(b.format.row(e, prompt, b.systemPrompt, stats.written, b.dataSource));
    }
    stats.written++;
    if (e.seq() != stats.lastSeq) {
      stats.problems++;
      stats.lastSeq = e.seq();
    }
    int bin = (int) Math.floor(e.quality() * 10);
    stats.histogram[Math.max(0, Math.min(9, bin))]++;
    for (String s : e.skills()) {
      stats.skills.merge(s, 1L, Long::sum);
    }
    if (stats.skillSets.size() < MAX_TRACKED_SKILL_SETS) {
      stats.skillSets.add(String.join("|", e.skills()));
    }
  }

  /**
   * Whether a record has correct rollouts whose texts the log did not keep
   * ({@link dev.sparq.core.store.RolloutTexts}).
   */
  private static boolean textNotLogged(EvaluatedCandidate c) {
    for (Rollout r : c.rollouts()) {
      if (r.correct() && r.text().isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /** The examples a record yields (before any filter), in rollout order. */
  List<Example> expand(LoggedCandidate lc) {
    EvaluatedCandidate c = lc.candidate();
    String statement = c.problem().statement();
    double q = c.difficulty().quality();
    List<String> skills = c.descriptor().labels();
    if (b.format.problemRows()) {
      return List.of(new Example(c.problem().id(), statement, "", c.problem().answer(), q, skills,
          lc.seq(), Example.PROBLEM));
    }
    if (b.reference) {
      String s = solutionText(c.problem().solution());
      return s.isBlank() ? List.of() : List.of(new Example(c.problem().id(), statement, s,
          c.problem().answer(), q, skills, lc.seq(), Example.REFERENCE));
    }
    List<Example> out = new ArrayList<>(2);
    List<Rollout> rs = c.rollouts();
    if (rs.size() > MAX_ROLLOUTS) {
      throw new ConfigException("record " + lc.seq() + " has " + rs.size() + " rollouts; the exporter "
          + "supports at most " + MAX_ROLLOUTS);
    }
    Set<String> seen = null;
    for (int i = 0; i < rs.size(); i++) {
      Rollout r = rs.get(i);
      if (!r.correct() || r.text().isEmpty()) {
        // an empty text is one the log did not keep (LogOptions.withRolloutTexts): nothing to train on
        continue;
      }
      String text = r.text();
      if (b.thinking != Thinking.KEEP) {
        String answer = ReasoningText.answer(text);
        if (answer.isBlank()) {
          // no answer after the thinking (a log graded before thinking was split off may hold such
          // a rollout as correct): nothing to write as the answer
          continue;
        }
        if (b.thinking == Thinking.STRIP) {
          text = answer; // duplicates are judged on what is written
        }
      }
      if (!out.isEmpty()) {
        if (seen == null) {
          seen = new HashSet<>();
          for (Example e : out) {
            seen.add(e.solution());
          }
        }
        if (!seen.add(text)) {
          continue;
        }
      }
      out.add(new Example(c.problem().id(), statement, text, c.problem().answer(), q, skills,
          lc.seq(), i));
    }
    return out;
  }

  /**
   * The solution text an example holds: with {@link Thinking#STRIP} only the visible answer, so
   * that duplicates are judged on what is written; otherwise the text as stored ({@link
   * Thinking#FIELD} splits it when the row is written).
   */
  private String solutionText(String stored) {
    return b.thinking == Thinking.STRIP ? ReasoningText.split(stored).answer() : stored;
  }

  /** Where rows go: a JSON Lines or a Parquet file. */
  private interface RowSink extends AutoCloseable {
    void write(Row row) throws IOException;

    @Override
    void close() throws IOException;
  }

  /** With {@link Builder#expectRecords}: a log that ended early is an error, not a shorter log. */
  private void requireRecords(LogReader log) {
    if (b.requireRecords) {
      log.requireRecords(b.maxRecords);
    }
  }

  private static final class JsonSink implements RowSink {
    private final OutputStream out;
    private final JsonGenerator g;

    private final java.nio.channels.FileChannel channel;

    JsonSink(Path file, ChannelOpener opener) throws IOException {
      // a fresh temporary of this export's own: never another writer's file
      this.channel = opener.open(file, java.nio.file.StandardOpenOption.CREATE_NEW,
          java.nio.file.StandardOpenOption.WRITE,
          LinkOption.NOFOLLOW_LINKS);
      this.out = new BufferedOutputStream(dev.sparq.core.internal.Streams.nonClosing(
          java.nio.channels.Channels.newOutputStream(channel)), 1 << 16);
      this.g = Json.mapper().getFactory().createGenerator(out);
      g.setRootValueSeparator(null);
    }

    @Override
    public void write(Row row) throws IOException {
      row.writeJson(g);
      g.writeRaw('\n');
    }

    @Override
    public void close() throws IOException {
      try (channel) {
        g.close(); // flushes into out, which does not close the channel
        out.flush();
        channel.force(true); // on disk before it is renamed into place
      }
    }
  }

  private static final class ParquetSink implements RowSink {
    private final ParquetRows rows;

    ParquetSink(Path file, Row template) throws IOException {
      this.rows = new ParquetRows(file, template);
    }

    @Override
    public void write(Row row) throws IOException {
      rows.write(row);
    }

    @Override
    public void close() throws IOException {
      rows.close();
    }
  }

  private static final class Counters {
    final Map<String, Long> removed = new LinkedHashMap<>();
    long[] perBenchmark;
    long candidates;
    long read;
    long torn;
  }

  private static final class Stats {
    long written;
    long problems;
    long lastSeq = -1;
    final long[] histogram = new long[10];
    final Map<String, Long> skills = new TreeMap<>();
    final Set<String> skillSets = new HashSet<>();
  }

  /** The filtering pass: applies every filter and expands the surviving records into examples. */
  private final class Pass1 {
    private final Counters counters;
    private final LongHashSet exact = new LongHashSet(1 << 12);
    private final LongHashSet near = new LongHashSet(1 << 12);
    private long qualityZero;
    private long qualityBand;

    Pass1(Counters counters) {
      this.counters = counters;
      counters.perBenchmark = new long[b.benchmarks.size()];
      for (String k : new String[] {"quality_zero", "quality_band", "contaminated", "duplicate_exact",
          "duplicate_near", b.textDedup == null ? null : "duplicate_text",
          b.format.problemRows() ? null
              : b.reference ? "no_reference_solution" : "no_correct_rollout"}) {
        if (k != null) {
          counters.removed.put(k, 0L);
        }
      }
    }

    private void remove(String reason) {
      counters.removed.merge(reason, 1L, Long::sum);
    }

    /**
     * The quality filters, on the reader thread: decodes only records that pass them. Its counts
     * are published by {@link #finish()}.
     */
    LoggedCandidate admit(LogReader.RecordView view) {
      double q = view.quality();
      if (!(q > 0)) {
        qualityZero++;
        return null;
      }
      if (q < b.minQuality || q > b.maxQuality) {
        qualityBand++;
        return null;
      }
      return view.decode();
    }

    /** Adds the reader thread's counts (call after the reader is done). */
    void finish() {
      counters.removed.merge("quality_zero", qualityZero, Long::sum);
      counters.removed.merge("quality_band", qualityBand, Long::sum);
    }

    /** The remaining filters and the expansion into examples, on the caller's thread. */
    List<Example> accept(LoggedCandidate lc) {
      EvaluatedCandidate c = lc.candidate();
      String statement = c.problem().statement();
      long[] tokens = null;
      if (!benchmarkHashes.isEmpty()) {
        tokens = TextHashing.tokenHashes(statement);
        long[] grams = TextHashing.ngrams(tokens, b.ngram);
        boolean hit = false;
        for (int i = 0; i < benchmarkHashes.size(); i++) {
          LongHashSet set = benchmarkHashes.get(i);
          for (long gram : grams) {
            if (set.contains(gram)) {
              counters.perBenchmark[i]++;
              hit = true;
              break;
            }
          }
        }
        if (hit) {
          remove("contaminated");
          return List.of();
        }
      }
      long exactKey = 0;
      if (b.exactDedup) {
        exactKey = TextHashing.normalisedHash(statement);
        if (exact.contains(exactKey)) {
          remove("duplicate_exact");
          return List.of();
        }
      }
      long[] bandKeys = null;
      if (b.nearBands > 0) {
        if (tokens == null) {
          tokens = TextHashing.tokenHashes(statement);
        }
        bandKeys = TextHashing.bandKeys(TextHashing.ngrams(tokens, b.shingle), b.nearBands,
            b.nearRows, b.seed);
        for (long k : bandKeys) {
          if (near.contains(k)) {
            remove("duplicate_near");
            return List.of();
          }
        }
      }
      if (b.textDedup != null && b.textDedup.isDuplicate(statement)) {
        remove("duplicate_text");
        return List.of();
      }
      List<Example> out = expand(lc);
      if (out.isEmpty()) {
        remove(b.reference ? "no_reference_solution"
            : textNotLogged(c) ? "rollout_text_not_logged" : "no_correct_rollout");
        return out;
      }
      if (b.exactDedup) {
        exact.add(exactKey);
      }
      if (bandKeys != null) {
        for (long k : bandKeys) {
          near.add(k);
        }
      }
      if (b.textDedup != null) {
        b.textDedup.add(statement);
      }
      counters.candidates += out.size();
      return out;
    }
  }

  /** Builder of {@link Exporter}. Required: {@link #log(Path)} and {@link #output(Path)}. */
  public static final class Builder {
    /** Opens the files the export writes (tests simulate a full disk with it). */
    ChannelOpener channels = ChannelOpener.DEFAULT;
    Path log;
    List<EvaluatedCandidate> candidates;
    long maxRecords = Long.MAX_VALUE;
    boolean requireRecords;
    Path output;
    String name = "sparq";
    ExportFormat format = ExportFormat.MESSAGES;
    FileFormat fileFormat;
    boolean reference;
    double minQuality = Double.NEGATIVE_INFINITY;
    double maxQuality = Double.POSITIVE_INFINITY;
    boolean exactDedup = true;
    int nearBands;
    int nearRows;
    int shingle = 3;
    TextDeduplicator textDedup;
    final List<Benchmark> benchmarks = new ArrayList<>();
    int ngram = 13;
    Selector selector = Selector.all();
    String promptTemplate = "{problem}";
    String systemPrompt;
    long seed;
    boolean background = true;
    String dataSource = "sparq";
    Thinking thinking = Thinking.KEEP;

    private Builder() {}

    /**
     * What the solution texts keep of a reasoning model's thinking (default {@link Thinking#KEEP}:
     * the rollout text as stored, {@code <think>…</think>} included). {@link Thinking#STRIP} writes
     * only the visible answer and judges duplicate texts on it; {@link Thinking#FIELD} writes the
     * answer as the assistant's {@code content} and the thinking in its {@code reasoning_content}
     * key, for {@link ExportFormat#MESSAGES} and {@link ExportFormat#PROMPT_COMPLETION} only.
     * {@link #build()} refuses a mode the format does not support ({@link Thinking#supports}).
     */
    public Builder thinking(Thinking mode) {
      this.thinking = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /**
     * The {@code data_source} written into {@link ExportFormat#VERL} rows (default {@code sparq}).
     * verl chooses its built-in scoring function by this name, so naming a dataset it knows (for
     * example {@code lighteval/MATH} for boxed answers) reuses that scorer; otherwise configure a
     * custom reward function in verl.
     */
    public Builder dataSource(String name) {
      this.dataSource = java.util.Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Read and decode the log on a background thread while filtering and writing on the caller's
     * (default true; the output is the same either way).
     */
    public Builder backgroundReader(boolean background) {
      this.background = background;
      return this;
    }

    /** The candidate log: a log directory or one shard. Either this or {@link #candidates}. */
    public Builder log(Path log) {
      this.log = Objects.requireNonNull(log, "log");
      return this;
    }

    /**
     * Exports candidates held in memory instead of a candidate log, for example
     * {@link dev.sparq.core.engine.Sparq#candidates()} of a run without a run directory. The files
     * written are the same as for a log holding these candidates in this order. Either this or
     * {@link #log}.
     */
    public Builder candidates(java.util.Collection<EvaluatedCandidate> candidates) {
      this.candidates = List.copyOf(Objects.requireNonNull(candidates, "candidates"));
      return this;
    }

    /** Reads only the first {@code n} records (for example a checkpoint's record count). */
    public Builder maxRecords(long n) {
      this.maxRecords = n;
      this.requireRecords = false;
      return this;
    }

    /**
     * Reads exactly the first {@code n} records, as {@link #maxRecords}, and fails when the log holds
     * fewer: for a log whose record count is known (a run directory's checkpoint counts them), a
     * shard cut short or a compressed shard with damaged bytes would otherwise be read as the torn
     * tail a crash leaves, and the export would silently miss the records after it. The
     * {@link dev.sparq.core.DataException} names the shard and the line where reading stopped; no
     * file of the export is written.
     */
    public Builder expectRecords(long n) {
      if (n < 0) {
        throw new IllegalArgumentException("expectRecords must be >= 0, got " + n);
      }
      this.maxRecords = n;
      this.requireRecords = true;
      return this;
    }

    /** Writes the JSON data file and the small files through {@code opener} (tests). */
    Builder channels(ChannelOpener opener) {
      this.channels = Objects.requireNonNull(opener, "opener");
      return this;
    }

    /** The output directory (created if needed). */
    public Builder output(Path dir) {
      this.output = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /**
     * The dataset name: the data file is {@code <name>.jsonl} or {@code <name>.parquet} (default
     * {@code sparq}).
     */
    public Builder name(String name) {
      if (name == null || !name.matches("[A-Za-z0-9._-]+")) {
        throw ConfigException.forKey("name", "must be letters, digits, '.', '_' or '-', was " + name);
      }
      this.name = name;
      return this;
    }

    /** The row layout (default {@link ExportFormat#MESSAGES}). */
    public Builder format(ExportFormat format) {
      this.format = Objects.requireNonNull(format, "format");
      return this;
    }

    /**
     * The data file's container: {@link FileFormat#JSONL} ({@code <name>.jsonl}) or
     * {@link FileFormat#PARQUET} ({@code <name>.parquet}). {@code null} (the default) picks
     * {@link FileFormat#defaultFor(ExportFormat)}: Parquet for {@link ExportFormat#VERL}, which
     * verl reads, JSON Lines for the others.
     */
    public Builder fileFormat(FileFormat fileFormat) {
      this.fileFormat = fileFormat;
      return this;
    }

    /** Use the generator's reference solution instead of the correct rollouts (default false). */
    public Builder referenceSolutions(boolean reference) {
      this.reference = reference;
      return this;
    }

    /** Keep problems with {@code min <= quality <= max} (on top of quality &gt; 0). */
    public Builder qualityBand(double min, double max) {
      if (!(min <= max)) {
        throw ConfigException.forKey("qualityBand", "need min <= max, got " + min + ", " + max);
      }
      this.minQuality = min;
      this.maxQuality = max;
      return this;
    }

    /** Remove problems whose normalised statement was already kept (default true). */
    public Builder exactDuplicates(boolean remove) {
      this.exactDedup = remove;
      return this;
    }

    /**
     * Remove near duplicates by MinHash LSH over word 3-gram shingles: {@code bands} bands of
     * {@code rows} rows; a pair with Jaccard similarity s collides with probability
     * {@code 1-(1-s^rows)^bands} (8 x 8: about 0.77 at the 50% point). 0 bands turns it off.
     */
    public Builder nearDuplicates(int bands, int rows) {
      if (bands < 0 || (bands > 0 && rows < 1)) {
        throw ConfigException.forKey("nearDuplicates", "need bands >= 0 and rows >= 1");
      }
      this.nearBands = bands;
      this.nearRows = rows;
      return this;
    }

    /**
     * Also remove problems that {@code dedup} reports as duplicates of an earlier kept problem
     * (counted as {@code duplicate_text}, after the exact and MinHash filters). It is asked in log
     * order and told only about kept problems; it keeps that state, so give each export a fresh one.
     * {@code null} (the default) turns it off.
     */
    public Builder textDeduplicator(TextDeduplicator dedup) {
      this.textDedup = dedup;
      return this;
    }

    /** Drop problems sharing a word n-gram with this benchmark. */
    public Builder benchmark(Benchmark benchmark) {
      this.benchmarks.add(Objects.requireNonNull(benchmark, "benchmark"));
      return this;
    }

    /** The n of the contamination n-grams (default 13; shorter texts are compared whole). */
    public Builder contaminationNgram(int n) {
      if (n < 1) {
        throw ConfigException.forKey("contaminationNgram", "must be >= 1, was " + n);
      }
      this.ngram = n;
      return this;
    }

    public Builder selector(Selector selector) {
      this.selector = Objects.requireNonNull(selector, "selector");
      return this;
    }

    /** The user message: {@code {problem}} is replaced by the statement (default {@code {problem}}). */
    public Builder promptTemplate(String template) {
      if (template == null || !template.contains("{problem}")) {
        throw ConfigException.forKey("promptTemplate", "must contain {problem}");
      }
      this.promptTemplate = template;
      return this;
    }

    /** An optional system message for every row. */
    public Builder systemPrompt(String system) {
      this.systemPrompt = system;
      return this;
    }

    /** Seed of the selectors and hashing (default 0). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Exporter build() {
      if (log == null && candidates == null) {
        throw ConfigException.forKey("log", "is required (or candidates(...) for candidates in memory)");
      }
      if (log != null && candidates != null) {
        throw ConfigException.forKey("log", "and candidates(...) are exclusive: export one source at a time");
      }
      if (output == null) {
        throw ConfigException.forKey("output", "is required");
      }
      thinking.check(format);
      return new Exporter(this);
    }
  }
}
