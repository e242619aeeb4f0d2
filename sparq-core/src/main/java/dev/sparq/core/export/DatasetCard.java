package dev.sparq.core.export;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders the export folder's {@code README.md}: a Hugging Face dataset card with YAML metadata.
 * It must be called {@code README.md}: that is the file {@code datasets.load_dataset(folder)} and
 * the Hub read, and its {@code configs}/{@code data_files} header is what keeps them from loading
 * {@code stats.json} and {@code dataset_info.json} as data.
 */
final class DatasetCard {
  /** The card's file name in the export folder. */
  public static final String FILE = "README.md";

  /** The line that marks a card as this exporter's own, so a later export may replace it. */
  static final String MARK = "<!-- dataset card written by SPARQ for Java's exporter; the next"
      + " export to this folder replaces it -->";

  private DatasetCard() {}

  /**
   * Refuses an output folder whose {@code README.md} is not a card this exporter wrote (a user's
   * own README), before anything is written.
   */
  static void checkReplaceable(java.nio.file.Path output) {
    java.nio.file.Path readme = output.resolve(FILE);
    if (!java.nio.file.Files.isRegularFile(readme)) {
      return;
    }
    try (java.io.BufferedReader in = java.nio.file.Files.newBufferedReader(readme,
        java.nio.charset.StandardCharsets.UTF_8)) {
      // the mark is within the first lines of every card (after a YAML header of ~15 lines)
      for (int i = 0; i < 64; i++) {
        String line = in.readLine();
        if (line == null) {
          break;
        }
        if (line.equals(MARK)) {
          return;
        }
      }
    } catch (java.io.IOException e) {
      // unreadable (for example not UTF-8): not ours
    }
    throw new dev.sparq.core.DataException(readme, 0, null, "exists and is not a dataset card"
        + " written by an export; the export writes its card as README.md, so choose an output"
        + " folder that does not hold your own README.md");
  }

  /**
   * The card of an export.
   *
   * @param dataBytes the size of the data file in bytes
   */
  static String render(Exporter.Builder b, ExportReport r, long dataBytes) {
    StringBuilder s = new StringBuilder();
    long n = r.examplesWritten();
    s.append("---\n");
    s.append("language:\n- en\n");
    s.append("task_categories:\n- text-generation\n");
    s.append("tags:\n- math\n- synthetic\n- sparq\n");
    s.append("size_categories:\n- ").append(sizeCategory(n)).append('\n');
    // datasets caches load_dataset(folder) under the folder's name and a hash of this header
    // alone (the configs hold the file name, not its content), so without these numbers a folder
    // exported again, or another export in a folder of the same name, loads the first one's
    // cached rows. The row count and file size make the hash follow the data, and datasets
    // checks the row count when it reads the file.
    s.append("dataset_info:\n  splits:\n  - name: train\n    num_examples: ").append(n)
        .append("\n  download_size: ").append(dataBytes).append('\n');
    s.append("configs:\n- config_name: default\n  data_files: ").append(r.data().getFileName())
        .append('\n');
    s.append("---\n\n");
    s.append(MARK).append("\n\n");
    s.append("# ").append(b.name).append("\n\n");
    s.append("Synthetic math problems evolved with SPARQ for Java (quality-diversity generation, "
        + "difficulty measured by solve rate) and exported from the run's candidate log.\n\n");
    s.append("- Format: `").append(b.format.id()).append("` (see the SPARQ for Java export guide)\n");
    s.append("- Rows: ").append(n).append(" from ").append(r.problemsWritten()).append(" problems\n");
    s.append("- Solutions: ").append(b.format.problemRows() ? "none (prompt and ground-truth answer)"
        : b.reference ? "the generator's reference solution" : "correct solver rollouts").append('\n');
    if (!b.format.problemRows()) {
      s.append("- Thinking: `").append(b.thinking.id()).append("` (").append(switch (b.thinking) {
        case KEEP -> "solution texts as the solver wrote them, a reasoning model's thinking included";
        case STRIP -> "only the visible answer; a reasoning model's thinking removed";
        case FIELD -> "the visible answer as `content`, the thinking in `" + Thinking.KEY
            + "` of the assistant message";
      }).append(")\n");
    }
    s.append("- Selector: `").append(b.selector.rule()).append('`');
    if (b.selector instanceof Selector.Budgeted budgeted) {
      s.append(", budget ").append(budgeted.budget());
    }
    if (b.selector instanceof Selector.Gaussian gaussian) {
      s.append(", mean ").append(gaussian.mean()).append(", sd ").append(gaussian.sd());
    }
    s.append(", seed ").append(b.seed).append('\n');
    if (b.minQuality > Double.NEGATIVE_INFINITY || b.maxQuality < Double.POSITIVE_INFINITY) {
      s.append("- Quality band: [").append(b.minQuality).append(", ").append(b.maxQuality)
          .append("]\n");
    }
    s.append("- Log records read: ").append(r.recordsRead()).append("\n\n");
    s.append("## Filtering\n\n| step | removed |\n|---|---|\n");
    for (Map.Entry<String, Long> e : r.removed().entrySet()) {
      s.append("| ").append(e.getKey()).append(" | ").append(e.getValue()).append(" |\n");
    }
    if (!r.contamination().isEmpty()) {
      s.append("\n## Contamination check\n\nProblems sharing a word ").append(b.ngram)
          .append("-gram with a benchmark were removed.\n\n| benchmark | problems flagged |\n|---|---|\n");
      r.contamination().forEach((k, v) -> s.append("| ").append(k).append(" | ").append(v)
          .append(" |\n"));
    }
    s.append("\n## Quality\n\n| quality | rows |\n|---|---|\n");
    long[] h = r.qualityHistogram();
    for (int i = 0; i < h.length; i++) {
      s.append(String.format(Locale.ROOT, "| %.1f-%.1f | %d |%n", i / 10.0, (i + 1) / 10.0, h[i]));
    }
    s.append("\n## Skills\n\n").append(r.skills().size()).append(" skills in ").append(r.skillSets())
        .append(" skill sets.\n\n| skill | rows |\n|---|---|\n");
    List<Map.Entry<String, Long>> top = r.skills().entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
            .thenComparing(Map.Entry.comparingByKey()))
        .limit(30).toList();
    for (Map.Entry<String, Long> e : top) {
      s.append("| ").append(e.getKey()).append(" | ").append(e.getValue()).append(" |\n");
    }
    s.append("\nProblems and solutions were written by language models and checked only by "
        + "agreement with the intended answer; review before use.\n");
    return s.toString();
  }

  private static String sizeCategory(long n) {
    if (n < 1_000) {
      return "n<1K";
    } else if (n < 10_000) {
      return "1K<n<10K";
    } else if (n < 100_000) {
      return "10K<n<100K";
    } else if (n < 1_000_000) {
      return "100K<n<1M";
    } else if (n < 10_000_000) {
      return "1M<n<10M";
    }
    return "10M<n<100M";
  }
}
