package dev.sparq.examples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.archive.CellArchive;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Loads reports in a real headless Chromium: no console errors, the page's script finished
 * ({@code data-render="ok"}), one drawn element per occupied cell, and a screenshot. Skipped only when
 * no Chromium is installed ({@code .ci/run} installs it).
 */
class HtmlReportChromiumTest {
  private static Path browser;

  @TempDir
  Path tmp;

  @BeforeAll
  static void findBrowser() {
    Optional<Path> b = Chromium.find();
    Assumptions.assumeTrue(b.isPresent(), "chromium is not installed (apt-get install -y chromium, as .ci/run "
        + "does); skipping the browser tests of the HTML report");
    browser = b.get();
  }

  static Path screenshots() throws IOException {
    return Files.createDirectories(Path.of("target", "report-screenshots"));
  }

  private Path demo(String archive) {
    Path out = tmp.resolve("run-" + archive);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    // "single": the dynamic_uniform preset, whose archive is one cell holding the top T
    String[] args = archive.equals("single")
        ? new String[] {"demo", "-o", out.toString(), "--iterations", "8", "--preset", "dynamic_uniform",
            "--progress", "none"}
        : new String[] {"demo", "-o", out.toString(), "--iterations", "8", "--archive", archive,
            "--progress", "none"};
    int status = SparqCli.execute(args, ps, ps);
    assertEquals(0, status, bytes.toString(StandardCharsets.UTF_8));
    return out;
  }

  static int count(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  @ParameterizedTest
  @ValueSource(strings = {"skills", "grid", "cvt", "single"})
  void reportLoadsWithoutErrorsAndDrawsOneElementPerOccupiedCell(String archive) throws Exception {
    Path run = demo(archive);
    Path report = run.resolve("report.html");
    String html = Files.readString(report);
    assertFalse(html.matches("(?s).*<script[^>]*\\bsrc=.*"), "no external scripts");
    assertFalse(html.matches("(?s).*<link[^>]*>.*"), "no external styles or fonts");
    assertFalse(html.contains("@import") || html.contains("url("), "no external resources in CSS");

    Chromium.Run dom = Chromium.run(browser, report, tmp, "--dump-dom");
    assertEquals(0, dom.status(), dom.stderr());
    assertEquals(java.util.List.of(), dom.consoleLines(), "console output from the page");
    assertTrue(dom.stdout().contains("data-render=\"ok\""), "the page's script did not finish:\n"
        + dom.stdout().substring(0, Math.min(3000, dom.stdout().length())));
    assertTrue(dom.stdout().contains("<pre id=\"errors\" hidden=\"\"></pre>"), "errors were written into the page");

    CellArchive a = dev.sparq.examples.cli.RunDirectory.open(run).readCheckpoint().orElseThrow().archive();
    int occupied = a.occupiedCells().length;
    assertTrue(archive.equals("single") ? occupied == 1 : occupied > 3, "occupied " + occupied);
    assertEquals(occupied, count(dom.stdout(), "\\sdata-cell=\"\\d+\""), "drawn cells");
    // each occupied cell is drawn exactly once
    for (int cell : a.occupiedCells()) {
      assertEquals(1, count(dom.stdout(), "\\sdata-cell=\"" + cell + "\""), "cell " + cell);
    }

    Path shot = screenshots().resolve("report-" + archive + ".png");
    Files.deleteIfExists(shot);
    Chromium.Run s = Chromium.run(browser, report, tmp, "--window-size=1280,2400",
        "--screenshot=" + shot.toAbsolutePath());
    assertEquals(0, s.status(), s.stderr());
    byte[] png = Files.readAllBytes(shot);
    assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
    assertTrue(png.length > 20_000, "screenshot too small to show the charts: " + png.length);
  }

  @Test
  void theCheckCatchesAPageWithAScriptError() throws Exception {
    Path run = demo("skills");
    Path broken = tmp.resolve("broken.html");
    Files.writeString(broken, Files.readString(run.resolve("report.html"))
        .replace("var D = JSON.parse(", "var D = notDefinedAnywhere() || JSON.parse("));
    Chromium.Run dom = Chromium.run(browser, broken, tmp, "--dump-dom");
    assertFalse(dom.stdout().contains("data-render=\"ok\""));
    assertTrue(dom.stdout().contains("notDefinedAnywhere"), "the error is written into the page");
    Path thrown = tmp.resolve("thrown.html");
    Files.writeString(thrown, "<!DOCTYPE html><html><body><script>undefinedCall();</script></body></html>");
    Chromium.Run t = Chromium.run(browser, thrown, tmp, "--dump-dom");
    assertFalse(t.consoleLines().isEmpty(), "an uncaught error must show in the console log:\n" + t.stderr());
  }

  @Test
  void problemTextIsEscapedAndNeverRuns() throws Exception {
    Path run = demo("skills");
    Path archiveFile = run.resolve("checkpoint.json");
    String evil = "<img src=x onerror=\"document.title='pwned'\"><script>document.title='pwned'</script> & \"q\"";
    // replace every statement in the checkpointed archive with hostile text, then re-render the report
    String json = Files.readString(archiveFile);
    String jsonEvil = json.replaceAll("\"statement\":\"([^\"\\\\]|\\\\.)*\"",
        Matcher.quoteReplacement("\"statement\":" + dev.sparq.core.internal.Json.mapper().writeValueAsString(evil)));
    assertFalse(jsonEvil.equals(json));
    Files.writeString(archiveFile, jsonEvil);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    assertEquals(0, SparqCli.execute(new String[] {"report", run.toString()}, ps, ps));
    String html = Files.readString(run.resolve("report.html"));
    assertTrue(html.contains("<td class=\"stmt\">&lt;img src=x onerror=&quot;document.title=&#39;pwned&#39;&quot;&gt;"
        + "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt; &amp; &quot;q&quot;</td>"), "escaped in the table");
    assertFalse(html.contains("<script>document.title"), "raw script in the report");
    assertFalse(html.contains("<img src=x"), "raw img in the report");
    Chromium.Run dom = Chromium.run(browser, run.resolve("report.html"), tmp, "--dump-dom");
    assertTrue(dom.stdout().contains("data-render=\"ok\""));
    assertFalse(dom.stdout().contains("<title>pwned"), "injected script ran");
    Files.copy(run.resolve("report.html"), screenshots().resolve("escaped.html"), StandardCopyOption.REPLACE_EXISTING);
  }

  /** The mantissa of a tick step: 1, 2 or 5 for a "nice" step. */
  static double mantissa(double step) {
    return step / Math.pow(10, Math.floor(Math.log10(step) + 1e-9));
  }

  /**
   * Issue 19's report defects, checked on the page as Chromium drew it: axis ticks at 1-2-5 steps
   * (no 47.97 or 0.11), a numeric colour scale with values, counts printed as integers (no 2.000),
   * and the grid heatmap as wide as its panel.
   */
  @ParameterizedTest
  @ValueSource(strings = {"grid", "cvt", "skills"})
  void axesAreNiceCountsAreIntegersAndTheScaleHasValues(String archive) throws Exception {
    Path run = demo(archive);
    Chromium.Run dom = Chromium.run(browser, run.resolve("report.html"), tmp, "--window-size=1280,2400",
        "--dump-dom");
    assertEquals(0, dom.status(), dom.stderr());
    String page = dom.stdout();
    assertTrue(page.contains("data-render=\"ok\""), "the page's script did not finish");

    // every chart's tick labels: evenly spaced by 1, 2 or 5 times a power of ten, no surplus digits
    int charts = 0;
    java.util.List<java.util.List<String>> axes = new java.util.ArrayList<>();
    for (String chart : page.split("<svg")) {
      for (String axis : new String[] {"x", "y"}) {
        java.util.List<String> labels = new java.util.ArrayList<>();
        Matcher m = Pattern.compile("class=\"tick-" + axis + "\"[^>]*>([^<]*)</text>").matcher(chart);
        while (m.find()) {
          labels.add(m.group(1));
        }
        axes.add(labels);
      }
    }
    for (java.util.List<String> labels : axes) {
      if (labels.size() < 2) {
        continue;
      }
      charts++;
      double step = Double.parseDouble(labels.get(1)) - Double.parseDouble(labels.get(0));
      double mant = mantissa(Math.abs(step));
      assertTrue(Math.abs(mant - 1) < 1e-6 || Math.abs(mant - 2) < 1e-6 || Math.abs(mant - 5) < 1e-6,
          "tick step " + step + " in " + labels);
      int decimals = (int) Math.max(0, -Math.floor(Math.log10(Math.abs(step)) + 1e-9));
      for (int i = 0; i < labels.size(); i++) {
        String l = labels.get(i);
        assertEquals(Double.parseDouble(labels.get(0)) + i * step, Double.parseDouble(l), Math.abs(step) * 1e-6,
            "ticks not evenly spaced: " + labels);
        int d = l.contains(".") ? l.length() - l.indexOf('.') - 1 : 0;
        assertEquals(decimals, d, "digits of tick " + l + " for step " + step);
      }
    }
    assertTrue(charts >= 5, "charts with ticks: " + charts);

    // the colour scale: an SVG with labelled values from 0 to 1
    assertTrue(page.contains("data-scale=\"quality\""), "no colour scale");
    java.util.List<String> scale = new java.util.ArrayList<>();
    Matcher sm = Pattern.compile("class=\"scale-tick\"[^>]*>([^<]*)</text>").matcher(page);
    while (sm.find()) {
      scale.add(sm.group(1));
    }
    assertEquals(java.util.List.of("0.0", "0.2", "0.4", "0.6", "0.8", "1.0"), scale);

    // counts are integers: the summary cards (all but the QD score) and the last values of count charts
    Matcher cm = Pattern.compile("<div class=\"card\"><b>([^<]*)</b><span>([^<]*)</span>").matcher(page);
    int cards = 0;
    while (cm.find()) {
      if (!cm.group(2).equals("QD score")) {
        cards++;
        assertTrue(cm.group(1).matches("\\d+"), cm.group(2) + " printed as " + cm.group(1));
      }
    }
    assertEquals(7, cards, "count cards");
    assertTrue(page.matches("(?s).*class=\"last-value\">rollouts: \\d+</text>.*"), "rollouts not an integer");
    assertFalse(page.matches("(?s).*class=\"last-value\">occupied niches: \\d+\\.\\d+.*"),
        "occupied niches not an integer");

    if (archive.equals("grid")) {
      Matcher w = Pattern.compile("data-box-width=\"(\\d+)\" data-chart-width=\"(\\d+)\"").matcher(page);
      assertTrue(w.find(), "the heatmap did not record its width");
      int box = Integer.parseInt(w.group(1));
      int chart = Integer.parseInt(w.group(2));
      assertTrue(box > 900, "panel width at a 1280-pixel window: " + box);
      assertTrue(Math.abs(box - chart) <= 1, "heatmap " + chart + " px wide in a " + box + " px panel");
    }
  }
}
