package dev.sparq.core.export;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparq.core.internal.Json;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What an export did: counts at every step, the quality histogram and skill coverage of the written
 * examples, and the contamination found per benchmark. Written as {@code stats.json}.
 *
 * @param recordsRead log records read (per pass)
 * @param tornLines torn last lines skipped in the log
 * @param candidateExamples examples that passed every filter (before the selector)
 * @param problemsWritten distinct problems in the output
 * @param examplesWritten rows written
 * @param removed records removed by each filter, in pipeline order, and examples the selector left
 *     out ({@code not_selected})
 * @param contamination problems flagged per benchmark name (a problem can match several)
 * @param qualityHistogram written examples per quality decile {@code [0,0.1) ... [0.9,1.0]}
 * @param skills written examples per skill label
 * @param skillSets distinct skill sets among written examples (counted up to 100,000)
 * @param data the data file
 * @param datasetInfo the LLaMA-Factory {@code dataset_info.json}, when the format has an entry
 * @param thinking what the solution texts kept of a reasoning model's thinking ({@link
 *     Exporter.Builder#thinking(Thinking)})
 */
public record ExportReport(
    long recordsRead,
    long tornLines,
    long candidateExamples,
    long problemsWritten,
    long examplesWritten,
    Map<String, Long> removed,
    Map<String, Long> contamination,
    long[] qualityHistogram,
    Map<String, Long> skills,
    long skillSets,
    Path data,
    Optional<Path> datasetInfo,
    Thinking thinking) {

  /** Keeps its own copy of the histogram, so the report does not change with the caller's array. */
  public ExportReport {
    qualityHistogram = qualityHistogram.clone();
    Objects.requireNonNull(thinking, "thinking");
  }

  /** A report of an export that kept the thinking ({@link Thinking#KEEP}), as before the option. */
  public ExportReport(long recordsRead, long tornLines, long candidateExamples, long problemsWritten,
      long examplesWritten, Map<String, Long> removed, Map<String, Long> contamination,
      long[] qualityHistogram, Map<String, Long> skills, long skillSets, Path data,
      Optional<Path> datasetInfo) {
    this(recordsRead, tornLines, candidateExamples, problemsWritten, examplesWritten, removed,
        contamination, qualityHistogram, skills, skillSets, data, datasetInfo, Thinking.KEEP);
  }

  /** A copy of the written examples per quality decile. */
  @Override
  public long[] qualityHistogram() {
    return qualityHistogram.clone();
  }

  /** Equal when every count and path is equal (the histogram compared by content). */
  @Override
  public boolean equals(Object o) {
    return o instanceof ExportReport r && recordsRead == r.recordsRead && tornLines == r.tornLines
        && candidateExamples == r.candidateExamples && problemsWritten == r.problemsWritten
        && examplesWritten == r.examplesWritten && skillSets == r.skillSets
        && removed.equals(r.removed) && contamination.equals(r.contamination)
        && Arrays.equals(qualityHistogram, r.qualityHistogram) && skills.equals(r.skills)
        && Objects.equals(data, r.data) && datasetInfo.equals(r.datasetInfo)
        && thinking == r.thinking;
  }

  @Override
  public int hashCode() {
    return Objects.hash(recordsRead, tornLines, candidateExamples, problemsWritten, examplesWritten,
        removed, contamination, Arrays.hashCode(qualityHistogram), skills, skillSets, data,
        datasetInfo, thinking);
  }

  /** The counts, with the histogram's values (not the array's identity). */
  @Override
  public String toString() {
    return "ExportReport[recordsRead=" + recordsRead + ", tornLines=" + tornLines
        + ", candidateExamples=" + candidateExamples + ", problemsWritten=" + problemsWritten
        + ", examplesWritten=" + examplesWritten + ", removed=" + removed + ", contamination="
        + contamination + ", qualityHistogram=" + Arrays.toString(qualityHistogram) + ", skills="
        + skills + ", skillSets=" + skillSets + ", data=" + data + ", datasetInfo=" + datasetInfo
        + ", thinking=" + thinking + "]";
  }

  /** The report as the JSON object written to {@code stats.json}. */
  public ObjectNode toJson() {
    ObjectNode o = Json.mapper().createObjectNode();
    o.put("records_read", recordsRead);
    o.put("torn_lines", tornLines);
    o.put("candidate_examples", candidateExamples);
    o.put("problems_written", problemsWritten);
    o.put("examples_written", examplesWritten);
    o.put("thinking", thinking.id());
    ObjectNode r = o.putObject("removed");
    removed.forEach(r::put);
    ObjectNode c = o.putObject("contamination");
    contamination.forEach(c::put);
    ObjectNode h = o.putObject("quality_histogram");
    ArrayNode edges = h.putArray("edges");
    for (int i = 0; i <= qualityHistogram.length; i++) {
      edges.add(i / (double) qualityHistogram.length);
    }
    ArrayNode counts = h.putArray("counts");
    for (long v : qualityHistogram) {
      counts.add(v);
    }
    ObjectNode s = o.putObject("skills");
    s.put("distinct", skills.size());
    s.put("skill_sets", skillSets);
    ObjectNode sc = s.putObject("counts");
    skills.forEach(sc::put);
    return o;
  }
}
