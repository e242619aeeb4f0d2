package dev.sparq.examples.cli;

import dev.sparq.core.ConfigException;
import dev.sparq.core.DataException;
import dev.sparq.core.export.ExportFormat;
import dev.sparq.core.export.ExportReport;
import dev.sparq.core.export.Exporter;
import dev.sparq.core.export.FileFormat;
import dev.sparq.core.export.Selector;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The {@code sparq export} options mapped onto sparq-core's {@link Exporter}. */
final class Exports {
  private Exports() {}

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

  /** Exports the run's log up to its last checkpoint. */
  static ExportReport run(RunDirectory d, ExportFormat format, Selector selector, double min, double max,
      long seed, Path outDir, String name, boolean dedup, boolean reference, String system,
      FileFormat fileFormat) {
    RunDirectory.SavedCheckpoint cp = d.readCheckpoint().orElseThrow(() -> new DataException(d.root(), 0, null,
        "the run has no checkpoint yet, so there is nothing to export"));
    Exporter.Builder b = Exporter.builder()
        .log(d.file(RunDirectory.LOG))
        .maxRecords(cp.records())
        .output(outDir)
        .name(name)
        .format(format)
        .fileFormat(fileFormat)
        .qualityBand(min, max)
        .exactDuplicates(dedup)
        .referenceSolutions(reference)
        .selector(selector)
        .seed(seed);
    if (system != null) {
      b.systemPrompt(system);
    }
    return b.build().run();
  }
}
