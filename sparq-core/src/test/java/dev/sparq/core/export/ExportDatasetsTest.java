package dev.sparq.core.export;

import static dev.sparq.core.export.ExporterTest.cand;
import static dev.sparq.core.export.ExporterTest.rolls;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparq.core.internal.Json;
import dev.sparq.core.store.CandidateLog;
import dev.sparq.core.store.LogOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every export format, as JSON Lines and as Parquet, has the columns Hugging Face {@code datasets}
 * should see, as committed in {@code export-features.json}. The golden file is checked against the
 * rows the exporter builds here in Java, and against what {@code datasets} itself loads
 * ({@code src/test/python/export_features.py}) when python3 with {@code datasets} and
 * {@code pyarrow} is installed (skipped otherwise: {@code pip install datasets pyarrow}). Exports
 * with {@link Thinking#FIELD} have their own golden entries ({@code +field}), and the first row's
 * {@code reasoning_content} must arrive in {@code datasets} as written.
 */
class ExportDatasetsTest {
  static final String GOLDEN = "export-features.json";
  @TempDir Path tmp;

  private static JsonNode golden() throws IOException {
    try (InputStream in = ExportDatasetsTest.class.getResourceAsStream(GOLDEN)) {
      return Json.mapper().readTree(in);
    }
  }

  /** The golden key of a format with or without a system prompt, in a thinking mode. */
  private static String key(ExportFormat f, String system, Thinking thinking) {
    return f.id() + (system == null ? "" : "+system")
        + (thinking == Thinking.FIELD ? "+" + thinking.id() : "");
  }

  /** The modes whose rows differ in shape: keep, and field where the format supports it. */
  private static List<Thinking> shapes(ExportFormat f) {
    return Thinking.FIELD.supports(f) ? List.of(Thinking.KEEP, Thinking.FIELD)
        : List.of(Thinking.KEEP);
  }

  /** The features {@code datasets} gives a column holding {@code v}. */
  static JsonNode feature(Object v) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (v instanceof String) {
      return f.textNode("string");
    } else if (v instanceof Long) {
      return f.textNode("int64");
    } else if (v instanceof Double) {
      return f.textNode("float64");
    } else if (v instanceof Row r) {
      ObjectNode o = f.objectNode();
      for (int i = 0; i < r.size(); i++) {
        o.set(r.names.get(i), feature(r.values.get(i)));
      }
      return o;
    }
    return f.arrayNode().add(feature(((List<?>) v).get(0)));
  }

  @Test
  void goldenFeaturesMatchTheRowsTheExporterBuilds() throws IOException {
    JsonNode golden = golden();
    int checked = 0;
    for (ExportFormat f : ExportFormat.values()) {
      for (String system : new String[] {null, "SYS"}) {
        for (Thinking t : shapes(f)) {
          Example e = new Example("id", "p", "s", "a", 0.5, List.of(), 0, 0);
          JsonNode expected = golden.get(key(f, system, t));
          assertEquals(expected, feature(f.row(e, "p", system, 0, "sparq",
              t == Thinking.FIELD ? "r" : null)), key(f, system, t));
          checked++;
        }
      }
    }
    assertEquals(checked, golden.size(), "golden entries without a format");
  }

  @Test
  void huggingFaceDatasetsLoadsEveryFormatWithTheGoldenFeatures() throws Exception {
    Path script = Path.of("src/test/python/export_features.py").toAbsolutePath();
    Assumptions.assumeTrue(Files.isRegularFile(script), "script not found: " + script);
    Assumptions.assumeTrue(pythonWithDatasets(), "python3 with datasets and pyarrow not installed");
    Path log = tmp.resolve("log");
    try (CandidateLog l = CandidateLog.create(log, LogOptions.defaults().withFsync(false))) {
      l.accept(0, List.of(cand("What is 2+2?", 0.5, rolls("<think>\nadd\n</think>\n\nS1", "wrong",
          "S2"), "add"),
          cand("Solve x+1=3", 0.25, rolls("x=2"), "alg")));
    }
    List<String> cmd = new ArrayList<>(List.of("python3", script.toString()));
    List<String> names = new ArrayList<>();
    List<Long> rows = new ArrayList<>();
    List<String> folders = new ArrayList<>();
    List<Long> folderRows = new ArrayList<>();
    for (ExportFormat f : ExportFormat.values()) {
      for (String system : new String[] {null, "SYS"}) {
        for (Thinking t : shapes(f)) {
          for (FileFormat c : FileFormat.values()) {
            String dir = key(f, system, t) + "-" + c.id();
            ExportReport r = Exporter.builder().log(log).output(tmp.resolve(dir)).format(f)
                .systemPrompt(system).fileFormat(c).thinking(t).build().run();
            cmd.add(r.data().toString());
            names.add(dir + "/" + r.data().getFileName());
            rows.add(r.examplesWritten());
            cmd.add(tmp.resolve(dir).toString());
            folders.add(dir);
            folderRows.add(r.examplesWritten());
          }
        }
      }
    }
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD)
        .directory(tmp.toFile()).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("export_features.py took more than 300 s");
    }
    assertEquals(0, p.exitValue(), new String(out, StandardCharsets.UTF_8));
    JsonNode loaded = Json.mapper().readTree(out);
    JsonNode golden = golden();
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      String key = name.substring(0, name.lastIndexOf('-'));
      assertEquals(golden.get(key), loaded.at("/" + name.replace("/", "~1") + "/features"), name);
      assertEquals(rows.get(i).longValue(), loaded.at("/" + name.replace("/", "~1") + "/rows")
          .asLong(), name);
      // the thinking of the first rollout reaches datasets as the assistant's reasoning_content
      if (key.endsWith("+field")) {
        JsonNode first = loaded.at("/" + name.replace("/", "~1") + "/first");
        JsonNode messages = first.has("messages") ? first.get("messages") : first.get("completion");
        JsonNode assistant = messages.get(messages.size() - 1);
        assertEquals("assistant", assistant.path("role").asText(), name + ": " + first);
        assertEquals("add", assistant.path("reasoning_content").asText(), name + ": " + first);
        assertEquals("S1", assistant.path("content").asText(), name + ": " + first);
      }
    }
    // load_dataset(folder) reads the card's data_files: only the data file, with the same
    // features (with the card named dataset_card.md it read stats.json too and failed)
    for (int i = 0; i < folders.size(); i++) {
      String folder = folders.get(i);
      JsonNode one = loaded.get(folder + "/");
      assertEquals(folderRows.get(i).longValue(), one.path("rows").asLong(), folder);
      assertEquals(golden.get(folder.substring(0, folder.lastIndexOf('-'))), one.get("features"),
          folder);
    }
  }

  private static boolean pythonWithDatasets() {
    try {
      Process p = new ProcessBuilder("python3", "-c", "import datasets, pyarrow")
          .redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }
}
