package dev.sparq.examples.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparq.core.DataException;
import dev.sparq.core.internal.Json;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.archive.CvtTessellation;
import dev.sparq.core.archive.GridTessellation;
import dev.sparq.core.archive.SingleCellTessellation;
import dev.sparq.core.archive.Tessellation;
import dev.sparq.core.engine.RunStats;
import dev.sparq.core.model.Difficulty;
import dev.sparq.core.model.Elite;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes the report of a run as one self-contained HTML file: no external scripts, styles or fonts.
 * The data is embedded as JSON and drawn by inline JavaScript into SVG (and a canvas for CVT
 * backgrounds):
 * <ul>
 *   <li>the archive: a heatmap for grid archives, centroids over a nearest-centroid map for CVT
 *       archives, a ranked niche chart for skill-set (categorical) archives; every occupied cell is
 *       one element with a {@code data-cell} attribute;
 *   <li>the solve-rate histogram of every evaluated candidate;
 *   <li>QD score, coverage (or occupied cells) and rollouts spent over iterations;
 *   <li>rejection reasons;
 *   <li>a table of sample problems per niche (HTML-escaped on the server side).
 * </ul>
 * When the page has drawn everything it sets {@code data-render="ok"} on the root element; any script
 * error is written into the {@code #errors} element and sets {@code data-render="error"}.
 */
public final class HtmlReport {
  /** Niches shown in the sample table. */
  static final int SAMPLE_NICHES = 25;
  /** Members shown per niche in the sample table. */
  static final int SAMPLES_PER_NICHE = 3;

  private HtmlReport() {}

  /**
   * Checks, before the checkpoint is read (at the paper's scale that takes a while), that the report
   * can be written to {@code out}, in the way {@link RunDirectory#checkOutput} checks a run
   * directory: {@code out} must not be a directory, a symbolic link or another non-regular file, its
   * folder must not be a symbolic link, and the nearest existing folder on its way must be a
   * directory that may be written to. Nothing is created.
   *
   * @param out the report file
   * @param isDefault whether {@code out} is the run directory's own {@code report.html} (no
   *     {@code -o}): the refusal of a run directory that cannot be written (a read-only mount,
   *     another user's run) then says to write the report elsewhere with {@code -o FILE}
   * @throws DataException naming {@code out} (or its folder) and what is wrong
   */
  public static void checkOutput(Path out, boolean isDefault) {
    String hint = isDefault ? "; write the report elsewhere with -o FILE" : "; choose another -o FILE";
    if (Files.isSymbolicLink(out)) {
      throw new DataException(out, 0, null, "refusing to write the report through a symbolic link (remove the "
          + "link)" + hint);
    }
    if (Files.isDirectory(out)) {
      throw new DataException(out, 0, null, "is a directory; the report is one file"
          + (isDefault ? hint : ": give -o the file name, for example " + out.resolve(RunDirectory.REPORT)));
    }
    if (Files.exists(out) && !Files.isRegularFile(out)) {
      throw new DataException(out, 0, null, "exists but is not a regular file, so the report cannot replace it"
          + hint);
    }
    Path parent = out.toAbsolutePath().getParent();
    if (parent == null) {
      return; // the root of the file system: let the write report what the file system says
    }
    if (Files.isSymbolicLink(parent)) {
      throw new DataException(parent, 0, null, "refusing to write the report into a directory that is a "
          + "symbolic link (remove the link)" + hint);
    }
    Path existing = parent.normalize();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return;
    }
    if (!Files.isDirectory(existing)) {
      throw new DataException(out, 0, null, "cannot write the report: " + existing + " is not a directory" + hint);
    }
    if (!Files.isWritable(existing)) {
      throw new DataException(out, 0, null, isDefault
          ? "cannot write the report: the run directory " + existing + " is not writable (a read-only mount or "
              + "another user's run); write the report elsewhere with -o FILE, for example: sparq report "
              + existing + " -o report.html"
          : "cannot write the report: the directory " + existing + " is not writable" + hint);
    }
  }

  /**
   * Whether {@code e}, a failed write of the report, failed because its directory cannot be written
   * to: permission denied, or a read-only file system ({@code EROFS}, which the JDK reports as a
   * {@link java.nio.file.FileSystemException} with the reason "Read-only file system").
   */
  static boolean notWritable(Throwable e) {
    Throwable c = e;
    for (int depth = 0; c != null && depth < 16; depth++, c = c.getCause()) { // a cycle of causes ends
      if (c instanceof java.nio.file.AccessDeniedException) {
        return true;
      }
      if (c instanceof java.nio.file.FileSystemException f && f.getReason() != null
          && f.getReason().toLowerCase(Locale.ROOT).contains("read-only file system")) {
        return true;
      }
    }
    return false;
  }

  /** Writes the report of {@code dir} to {@code out}; returns the number of drawn (occupied) cells. */
  public static int write(RunDirectory dir, Path out) {
    RunDirectory.SavedCheckpoint cp = dir.readCheckpoint().orElseThrow(() -> new DataException(dir.root(), 0,
        null, "the run has no checkpoint yet (" + RunDirectory.CHECKPOINT + "), so there is nothing to report"));
    String html = html(dir, cp, false);
    try {
      Files.createDirectories(out.toAbsolutePath().getParent());
      // atomically: a full disk leaves the previous report, never an empty one; never through a link
      dev.sparq.core.internal.AtomicFiles.writeString(out, html);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + out, e);
    }
    return cp.archive().occupiedCells().length;
  }

  /**
   * The report's HTML; {@code fullDecode} reads the candidate log as before (see {@link
   * #data(RunDirectory, RunDirectory.SavedCheckpoint, boolean)}).
   */
  static String html(RunDirectory dir, RunDirectory.SavedCheckpoint cp, boolean fullDecode) {
    // one checkpoint read for the whole report: at the paper's scale it holds ~50K elites (100-200 MB),
    // and the report used to read it three times (and could mix two checkpoints of a running run)
    return render(data(dir, cp, fullDecode), dir, cp);
  }

  static ObjectNode data(RunDirectory dir, RunDirectory.SavedCheckpoint cp) {
    return data(dir, cp, false);
  }

  /**
   * The report's data; {@code fullDecode} reads the log as before (every record decoded with its
   * texts) instead of its scalar fields only, for the test and benchmark that compare the two.
   */
  static ObjectNode data(RunDirectory dir, RunDirectory.SavedCheckpoint cp, boolean fullDecode) {
    ObjectNode d = Json.mapper().createObjectNode();
    RunStats t = cp.state().totals();
    d.put("title", dir.root().getFileName() == null ? "run" : dir.root().getFileName().toString());
    d.put("simulated", dir.simulated());
    ObjectNode s = d.putObject("summary");
    s.put("iterations", t.iterations());
    s.put("candidates", t.candidates());
    s.put("evaluated", t.evaluated());
    s.put("rollouts", t.rollouts());
    s.put("added", t.added());
    s.put("rejected", t.rejectedTotal());
    s.put("tokens", t.tokens());
    d.set("archive", archiveView(cp.archive(), dir));
    ArrayNode m = d.putArray("metrics");
    for (MetricsRow r : dir.metrics()) {
      m.add(Json.mapper().valueToTree(r));
    }
    ObjectNode rej = d.putObject("rejections");
    t.rejections().forEach(rej::put);
    ObjectNode st = d.putObject("statuses");
    t.statusCounts().forEach(st::put);
    // solve rates of every evaluated candidate, and the operators that made them
    int k = dir.config().k();
    int bins = k <= 32 ? k + 1 : 21;
    long[] hist = new long[bins];
    TreeMap<String, long[]> ops = new TreeMap<>();
    // the scalar fields only: decoding the rollout texts (almost all of a 20 GB log) cost most of the
    // report's time and allocation, and the report shows none of them
    java.util.function.BiConsumer<Difficulty, String> count = (diff, operator) -> {
      if (diff.measured()) {
        double sr = diff.solveRate();
        int b = (int) Math.min(bins - 1, Math.floor(sr * (bins - 1) + 1e-9));
        hist[b]++;
      }
      long[] o = ops.computeIfAbsent(operator, x -> new long[2]);
      o[0]++;
      if (diff.quality() > 0) {
        o[1]++;
      }
    };
    if (fullDecode) {
      dir.forEachCandidate(cp, c -> count.accept(c.difficulty(), c.problem().lineage().operator()));
    } else {
      dir.forEachSummary(cp, c -> count.accept(c.difficulty(), c.operator()));
    }
    ArrayNode h = d.putArray("solveRates");
    for (long v : hist) {
      h.add(v);
    }
    ObjectNode on = d.putObject("operators");
    ops.forEach((name, v) -> on.putArray(name).add(v[0]).add(v[1]));
    ObjectNode band = d.putObject("band");
    band.put("low", dir.config().bandLow());
    band.put("high", dir.config().bandHigh());
    return d;
  }

  private static ObjectNode archiveView(CellArchive a, RunDirectory dir) {
    ObjectNode v = Json.mapper().createObjectNode();
    Tessellation t = a.tessellation();
    v.put("capacity", a.capacity());
    v.put("members", a.size());
    ArrayNode names = v.putArray("measureNames");
    if (dir.config().backend().simulated()) {
      SimulatedDomain.get().measures().forEach(names::add);
    }
    if (t instanceof GridTessellation g) {
      v.put("kind", "grid");
      ArrayNode b = v.putArray("bins");
      ArrayNode lo = v.putArray("lower");
      ArrayNode hi = v.putArray("upper");
      for (int i = 0; i < g.dimensions(); i++) {
        b.add(g.bins()[i]);
        lo.add(g.lower()[i]);
        hi.add(g.upper()[i]);
      }
    } else if (t instanceof CvtTessellation c) {
      v.put("kind", "cvt");
      ArrayNode cs = v.putArray("centroids");
      for (double[] p : c.centroids()) {
        ArrayNode pt = cs.addArray();
        pt.add(p[0]).add(p.length > 1 ? p[1] : 0);
      }
    } else if (t instanceof SingleCellTessellation) {
      v.put("kind", "single");
    } else {
      v.put("kind", "niches");
    }
    ArrayNode cells = v.putArray("cells");
    for (int cell : a.occupiedCells()) {
      List<Elite> members = a.cell(cell);
      if (members.isEmpty()) {
        continue;
      }
      ObjectNode o = cells.addObject();
      o.put("cell", cell);
      o.put("label", t.label(cell));
      o.put("members", members.size());
      double sum = 0;
      for (Elite e : members) {
        sum += e.quality();
      }
      o.put("best", members.get(0).quality());
      o.put("mean", sum / members.size());
      if (t instanceof GridTessellation g) {
        ArrayNode bi = o.putArray("bins");
        for (int x : g.binsOf(cell)) {
          bi.add(x);
        }
      }
    }
    return v;
  }

  /**
   * Escapes text for HTML element content and attribute values. Control characters (other than tab
   * and newline) and the invisible bidirectional and zero-width formatting characters (such as
   * U+202E, which reverses the text after it) are shown escaped as {@code \\u202E}, so generated
   * text cannot disguise itself in the report.
   */
  public static String escape(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> {
          if (hidden(c)) {
            sb.append(String.format(java.util.Locale.ROOT, "\\u%04X", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.toString();
  }

  /** Characters that are invisible or reorder text: controls, bidi controls, zero-width marks. */
  static boolean hidden(char c) {
    if (c == '\n' || c == '\t') {
      return false;
    }
    return Character.isISOControl(c)
        || c >= '\u200B' && c <= '\u200F' // zero-width space/joiners, LRM, RLM
        || c >= '\u202A' && c <= '\u202E' // LRE, RLE, PDF, LRO, RLO
        || c >= '\u2066' && c <= '\u2069' // LRI, RLI, FSI, PDI
        || c == '\u061C' || c == '\uFEFF';
  }

  /** JSON that is safe inside a {@code <script>} element. */
  static String scriptJson(Object value) {
    try {
      String json = Json.mapper().writeValueAsString(value).replace("<", "\\u003c").replace(">", "\\u003e")
          .replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029");
      // bidi and zero-width characters inside strings become the visible text \\u202E (an escaped
      // backslash in JSON), as in the server-rendered tables
      StringBuilder sb = new StringBuilder(json.length());
      for (int i = 0; i < json.length(); i++) {
        char c = json.charAt(i);
        if (c >= 0x7F && hidden(c)) {
          sb.append(String.format(java.util.Locale.ROOT, "\\\\u%04X", (int) c));
        } else {
          sb.append(c);
        }
      }
      return sb.toString();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String fmt(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.3f", v) : "-";
  }

  static String sampleTable(RunDirectory dir, CellArchive a) {
    Tessellation t = a.tessellation();
    List<int[]> ranked = new ArrayList<>();
    for (int cell : a.occupiedCells()) {
      ranked.add(new int[] {cell});
    }
    ranked.sort(Comparator.<int[]>comparingDouble(c -> -a.cell(c[0]).get(0).quality())
        .thenComparingInt(c -> -a.cell(c[0]).size()).thenComparingInt(c -> c[0]));
    StringBuilder sb = new StringBuilder();
    sb.append("<table class=\"samples\"><thead><tr><th>niche</th><th>problem</th><th>answer</th>"
        + "<th>quality</th><th>solved</th><th>made by</th></tr></thead><tbody>\n");
    int shown = 0;
    for (int[] c : ranked) {
      if (shown++ >= SAMPLE_NICHES) {
        break;
      }
      List<Elite> members = a.cell(c[0]);
      int rows = Math.min(SAMPLES_PER_NICHE, members.size());
      for (int i = 0; i < rows; i++) {
        Elite e = members.get(i);
        sb.append("<tr>");
        if (i == 0) {
          sb.append("<td rowspan=\"").append(rows).append("\" class=\"niche\">")
              .append(escape(t.label(c[0]))).append("<br><small>").append(members.size())
              .append(" member").append(members.size() == 1 ? "" : "s").append("</small></td>");
        }
        var d = e.difficulty();
        sb.append("<td class=\"stmt\">").append(escape(e.problem().statement())).append("</td>")
            .append("<td><code>").append(escape(e.problem().answer())).append("</code></td>")
            .append("<td>").append(fmt(e.quality())).append("</td>")
            .append("<td>").append(d.measured() ? d.correct() + "/" + d.rollouts() : "seed").append("</td>")
            .append("<td>").append(escape(e.problem().lineage().operator())).append(" (gen ")
            .append(e.problem().lineage().generation()).append(")</td></tr>\n");
      }
    }
    return sb.append("</tbody></table>").toString();
  }

  /**
   * The header table of what ran: one row per model with its roles, backend, model, endpoints and
   * device (for onnx the device actually used, with the requested one when they differ). Every value
   * is escaped; a run directory written before run.json recorded it says so.
   */
  static String runtimeTable(RunDirectory dir) {
    java.util.Optional<com.fasterxml.jackson.databind.JsonNode> rt = dir.runtime();
    if (rt.isEmpty() || rt.get().path("models").isEmpty()) {
      return "<p class=\"runtime\">Backend, model and device: not recorded (run.json from an older "
          + "version)</p>";
    }
    StringBuilder sb = new StringBuilder("<table class=\"runtime\"><thead><tr><th>Roles</th><th>Backend</th>"
        + "<th>Model</th><th>Endpoint(s)</th><th>Device</th></tr></thead><tbody>\n");
    for (com.fasterxml.jackson.databind.JsonNode m : rt.get().path("models")) {
      List<String> roles = new ArrayList<>();
      m.path("roles").forEach(r -> roles.add(r.asText()));
      List<String> endpoints = new ArrayList<>();
      m.path("endpoints").forEach(e -> endpoints.add(Components.withoutCredentials(e.asText())));
      String device = m.path("device").asText("unknown");
      String requested = m.path("requestedDevice").asText("");
      if (!requested.isEmpty() && !requested.equalsIgnoreCase(device)) {
        device += " (requested " + requested + ")";
      }
      if (m.hasNonNull("executionProvider")) {
        device += ", " + m.get("executionProvider").asText();
      }
      sb.append("<tr><td>").append(escape(String.join(", ", roles)))
          .append("</td><td class=\"backend\">").append(escape(m.path("backend").asText("?")))
          .append("</td><td class=\"model\"><code>").append(escape(m.path("model").asText("?")))
          .append("</code></td><td class=\"endpoints\">")
          .append(endpoints.isEmpty() ? "&ndash;" : escape(String.join(", ", endpoints)))
          .append("</td><td class=\"device\">").append(escape(device)).append("</td></tr>\n");
    }
    return sb.append("</tbody></table>").toString();
  }

  private static String render(ObjectNode data, RunDirectory dir, RunDirectory.SavedCheckpoint cp) {
    String template = template();
    RunStats t = cp.state().totals();
    Map<String, String> vars = new TreeMap<>();
    vars.put("TITLE", escape("SPARQ report: " + data.get("title").asText()));
    vars.put("NOTICE", dir.simulated()
        ? "<p class=\"notice\"><b>Simulated student.</b> This run used the built-in demo domain: the "
            + "problems are generated by rules and the &ldquo;student&rdquo; is a random simulation whose "
            + "chance of a slip grows with the number and size of solution steps. No language model was "
            + "involved.</p>"
        : "");
    vars.put("RUNTIME", runtimeTable(dir));
    vars.put("CONFIG", escape(Json.mapper().valueToTree(dir.config().toTree()).toPrettyString()));
    vars.put("SAMPLES", sampleTable(dir, cp.archive()));
    vars.put("DATA", scriptJson(data));
    vars.put("ITERATIONS", Long.toString(t.iterations()));
    // one pass, so text inside the values is never scanned for placeholders
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{\\{([A-Z]+)}}").matcher(template);
    StringBuilder out = new StringBuilder(template.length() + 4096);
    while (m.find()) {
      String v = vars.get(m.group(1));
      if (v == null) {
        throw new IllegalStateException("report template has an unknown placeholder " + m.group());
      }
      m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(v));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String template() {
    try (InputStream in = HtmlReport.class.getResourceAsStream("report.html")) {
      if (in == null) {
        throw new IllegalStateException("report template missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
