package dev.sparq.examples.cli;

import dev.sparq.core.ConfigException;
import dev.sparq.core.DataException;
import dev.sparq.core.internal.UntrustedFiles;
import dev.sparq.core.store.DirectoryLock;
import dev.sparq.core.export.ExportFormat;
import dev.sparq.core.export.ExportReport;
import dev.sparq.core.export.Exporter;
import dev.sparq.core.export.FileFormat;
import dev.sparq.core.export.Selector;
import dev.sparq.core.export.Thinking;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code sparq export} options mapped onto sparq-core's {@link Exporter}. An export holds the
 * export folder's lock ({@link Exporter#LOCK_FILE}, the same as the library's) while it writes, so
 * two exports into one folder never interleave, and removes what an export killed there left behind.
 */
final class Exports {
  private Exports() {}

  /**
   * The lock file in an export folder, {@link Exporter#LOCK_FILE}: the library's exporter takes it
   * for every export, and {@code sparq export} takes it through {@link Exporter#lockOutput} before its
   * own checks of the folder.
   */
  static final String LOCK = Exporter.LOCK_FILE;

  /** Formats by command-line name. */
  static List<String> formatNames() {
    List<String> out = new ArrayList<>();
    for (ExportFormat f : ExportFormat.values()) {
      out.add(f.id().replace('_', '-'));
    }
    return out;
  }

  static ExportFormat format(String name) {
    String n = name.toLowerCase(Locale.ROOT).replace('-', '_');
    for (ExportFormat f : ExportFormat.values()) {
      if (f.id().equals(n)) {
        return f;
      }
    }
    throw ConfigException.forKey("format", "'" + name + "' is not allowed; allowed values: "
        + String.join(", ", formatNames()));
  }

  /** The data file's container by command-line name; {@code null} gives the format's default. */
  static FileFormat fileFormat(String name, ExportFormat format) {
    if (name == null) {
      return FileFormat.defaultFor(format);
    }
    for (FileFormat f : FileFormat.values()) {
      if (f.id().equals(name.toLowerCase(Locale.ROOT))) {
        return f;
      }
    }
    throw ConfigException.forKey("file-format", "'" + name + "' is not allowed; allowed values: "
        + "jsonl, parquet");
  }

  static Selector selector(String select, Integer budget, double mean, double sd) {
    String s = select == null ? (budget == null ? "all" : "random") : select.toLowerCase(Locale.ROOT);
    if (!s.equals("all") && budget == null) {
      throw ConfigException.forKey("budget", "is required with --select " + s);
    }
    if (budget != null && budget < 1) {
      throw ConfigException.forKey("budget", "must be >= 1, was " + budget);
    }
    return switch (s) {
      case "all" -> Selector.all();
      case "random" -> Selector.random(budget);
      case "quality" -> Selector.gaussian(mean, sd, budget);
      case "diversity" -> Selector.diversity(budget);
      case "qd" -> Selector.qualityDiversity(budget);
      default -> throw ConfigException.forKey("select", "'" + select + "' is not allowed; allowed values: "
          + "all, random, quality, diversity, qd");
    };
  }

  /**
   * Fails when {@code outDir} already holds another export, next to a {@code stats.json}: a data
   * file ({@code .jsonl} or {@code .parquet}) other than {@code name} with this file format's
   * extension, or a dataset card ({@code README.md}) of another row format. Writing there would
   * overwrite that export's statistics and card, or leave its data file beside the new one. The
   * same name, row format and file format replaces the export as a whole.
   */
  static void refuseOtherExport(Path outDir, String name, ExportFormat format, FileFormat fileFormat) {
    Path stats = outDir.resolve("stats.json");
    if (!Files.exists(stats, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    String target = name + "." + fileFormat.extension();
    List<String> others = new ArrayList<>();
    try (Stream<Path> s = Files.list(outDir)) {
      s.map(p -> p.getFileName().toString())
          .filter(f -> (f.endsWith(".jsonl") || f.endsWith(".parquet")) && !f.equals(target))
          .sorted().forEach(others::add);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + outDir, e);
    }
    String was = cardFormat(outDir.resolve("README.md"));
    if (others.isEmpty() && (was == null || was.equals(format.id()))) {
      return;
    }
    String what = others.isEmpty() ? "a '" + was + "' export" : "the export " + others
        + (was != null ? " ('" + was + "')" : "");
    throw new DataException(stats, 0, null, "this folder already holds " + what + "; exporting '"
        + format.id() + "' as '" + target + "' here would overwrite its stats.json and README.md"
        + " (the dataset card) or leave its data beside the new one. Choose another --output"
        + (others.isEmpty() ? "" : ", or --name " + others.get(0).replaceAll("\\.(jsonl|parquet)$", "")
        + " with its format to replace it"));
  }

  /** The line of a dataset card that records its row format. */
  private static final java.util.regex.Pattern CARD_FORMAT =
      java.util.regex.Pattern.compile("^- Format: `([^`]+)`");

  /** The row format a dataset card records ({@code - Format: `id`}), or null. */
  private static String cardFormat(Path card) {
    if (!Files.isRegularFile(card, LinkOption.NOFOLLOW_LINKS)) {
      return null;
    }
    try (Stream<String> lines = Files.lines(card, java.nio.charset.StandardCharsets.UTF_8)) {
      return lines.limit(64).map(CARD_FORMAT::matcher).filter(java.util.regex.Matcher::find)
          .map(m -> m.group(1)).findFirst().orElse(null);
    } catch (IOException | java.io.UncheckedIOException e) {
      return null; // unreadable: the exporter's own README check decides
    }
  }

  /** Exports the run's log up to its last checkpoint. */
  static ExportReport run(RunDirectory d, ExportFormat format, Selector selector, double min, double max,
      long seed, Path outDir, String name, boolean dedup, boolean reference, String system,
      FileFormat fileFormat) {
    return run(d, format, selector, min, max, seed, outDir, name, dedup, reference, system, fileFormat, false,
        List.of(), 13, null);
  }

  /** The largest benchmark file read for the contamination check. */
  static final long MAX_BENCHMARK_BYTES = 256L << 20;

  /**
   * Exports the run's log up to its last checkpoint, with near-duplicate removal (MinHash, 8 bands
   * of 8 rows) and the contamination check against benchmark files (each at most 256 MiB);
   * {@code dataSource}, when not null, is the verl {@code data_source} of the rows.
   *
   * <p>The run directory is only read. Once the options, the checkpoint and the benchmark files have
   * been checked, {@code outDir} is created and its {@link #LOCK} taken for the export's duration: a
   * second export into the same folder, from this or another process, fails with a
   * {@link DataException} naming the lock file and its holder (process id, host, start time). Holding
   * the lock, the exporter removes the temporaries of a killed export.
   */
  static ExportReport run(RunDirectory d, ExportFormat format, Selector selector, double min, double max,
      long seed, Path outDir, String name, boolean dedup, boolean reference, String system,
      FileFormat fileFormat, boolean near, List<Path> benchmarks, int ngram, String dataSource) {
    return run(d, format, selector, min, max, seed, outDir, name, dedup, reference, system, fileFormat, near,
        benchmarks, ngram, dataSource, Thinking.KEEP);
  }

  /**
   * As above, with what the solution texts keep of a reasoning model's thinking
   * ({@link Exporter.Builder#thinking}); a mode the format does not support is refused before
   * anything is read or written.
   */
  static ExportReport run(RunDirectory d, ExportFormat format, Selector selector, double min, double max,
      long seed, Path outDir, String name, boolean dedup, boolean reference, String system,
      FileFormat fileFormat, boolean near, List<Path> benchmarks, int ngram, String dataSource,
      Thinking thinking) {
    thinking.check(format);
    RunDirectory.SavedCheckpoint cp = d.readCheckpoint().orElseThrow(() -> new DataException(d.root(), 0, null,
        "the run has no checkpoint yet, so there is nothing to export"));
    // a linked export/ (or export/NAME) folder would carry the files outside the run directory
    UntrustedFiles.refuseLinksBelow(d.root(), outDir);
    refuseOtherExport(outDir, name, format, fileFormat);
    Exporter.Builder b = Exporter.builder()
        .log(d.file(RunDirectory.LOG))
        .expectRecords(cp.records()) // a log cut short is named, not exported as a shorter one
        .output(outDir)
        .name(name)
        .format(format)
        .fileFormat(fileFormat)
        .qualityBand(min, max)
        .exactDuplicates(dedup)
        .referenceSolutions(reference)
        .thinking(thinking)
        .selector(selector)
        .seed(seed);
    if (system != null) {
      b.systemPrompt(system);
    }
    if (dataSource != null) {
      b.dataSource(dataSource);
    }
    if (near) {
      b.nearDuplicates(8, 8);
    }
    b.contaminationNgram(ngram);
    for (Path p : benchmarks) {
      try {
        if (!Files.exists(p)) {
          throw new DataException(p, 0, null, "benchmark file not found");
        }
        // a FIFO or device exists but is refused as what it is ("not found" said before)
        dev.sparq.core.internal.UntrustedFiles.requireRegularFile(p,
            dev.sparq.core.internal.UntrustedFiles.Links.FOLLOW, "benchmark file");
        if (Files.size(p) > MAX_BENCHMARK_BYTES) {
          throw new DataException(p, 0, null, "benchmark file is " + Files.size(p) + " bytes; at most "
              + MAX_BENCHMARK_BYTES + " (256 MiB) are read");
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + p, e);
      }
      b.benchmark(dev.sparq.core.export.Benchmark.load(p.getFileName().toString(), p));
    }
    // everything above only read: the folder and its lock are made once the export is known to be valid
    try (DirectoryLock lock = Exporter.lockOutput(outDir)) {
      // again under the lock: an export that finished meanwhile may have put another export here
      refuseOtherExport(outDir, name, format, fileFormat);
      // the exporter removes, under this lock, the temporaries a killed export left
      return b.build().run(lock);
    }
  }
}
