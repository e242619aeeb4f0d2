package dev.sparq.core.export;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders {@code dataset_card.md}: a Hugging Face dataset card with YAML metadata. */
final class DatasetCard {
  private DatasetCard() {}

  static String render(Exporter.Builder b, ExportReport r) {
    StringBuilder s = new StringBuilder();
    long n = r.examplesWritten();
    s.append("---\n");
    s.append("language:\n- en\n");
    s.append("task_categories:\n- text-generation\n");
    s.append("tags:\n- math\n- synthetic\n- sparq\n");
    s.append("size_categories:\n- ").append(sizeCategory(n)).append('\n');
    s.append("configs:\n- config_name: default\n  data_files: ").append(r.data().getFileName())
        .append('\n');
    s.append("---\n\n");
    s.append("# ").append(b.name).append("\n\n");
    s.append("Synthetic math problems evolved with SPARQ for Java (quality-diversity generation, "
        + "difficulty measured by solve rate) and exported from the run's candidate log.\n\n");
    s.append("- Format: `").append(b.format.id()).append("` (see the SPARQ for Java export guide)\n");
    s.append("- Rows: ").append(n).append(" from ").append(r.problemsWritten()).append(" problems\n");
    s.append("- Solutions: ").append(b.format.problemRows() ? "none (prompt and ground-truth answer)"
        : b.reference ? "the generator's reference solution" : "correct solver rollouts").append('\n');
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
