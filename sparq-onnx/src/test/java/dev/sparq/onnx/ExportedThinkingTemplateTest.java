package dev.sparq.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.sparq.core.export.ExportFormat;
import dev.sparq.core.export.ExportReport;
import dev.sparq.core.export.Exporter;
import dev.sparq.core.export.FileFormat;
import dev.sparq.core.export.Thinking;
import dev.sparq.core.llm.ChatMessage;
import dev.sparq.core.model.AddStatus;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Difficulty;
import dev.sparq.core.model.EvaluatedCandidate;
import dev.sparq.core.model.Lineage;
import dev.sparq.core.model.Problem;
import dev.sparq.core.model.Rollout;
import dev.sparq.core.model.Validity;
import dev.sparq.onnx.jinja.Template;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exported rows of a reasoning solver rendered with real chat templates (installed by the build,
 * see {@link ChatTemplateGoldenTest}), as a trainer renders them: the training text after the
 * prompt must be what the model generates, {@code <think>\n…\n</think>\n\nanswer} for Qwen3.
 */
class ExportedThinkingTemplateTest {
  private static final String PROBLEM = "What is 2 + 2?";
  private static final String ANSWER = "So 2 + 2 = \\boxed{4}.";
  /** As Qwen3 writes it, and as it is stored when the prompt opened the block (no opening tag). */
  private static final List<String> REPLIES = List.of(
      "<think>\nAdd two and two.\n</think>\n\n" + ANSWER,
      "Count on from two: three, four.\n</think>\n\n" + ANSWER,
      "<thinking>\nCheck: 4.\n</thinking>\n" + ANSWER);
  private static final List<String> THOUGHTS = List.of("Add two and two.",
      "Count on from two: three, four.", "Check: 4.");

  @TempDir Path tmp;

  private static ChatTemplate template(String family) {
    return ChatTemplate.fromTokenizerConfig(ChatTemplateGoldenTest.modelsOf(family)
        .resolve("tokenizer_config.json"), ChatTemplateGoldenTest.FIXED, Template.Limits.DEFAULT);
  }

  /** The rows' message lists of a messages export of one problem solved three ways. */
  private List<List<Map<String, Object>>> export(Thinking mode) throws IOException {
    Problem p = new Problem(null, PROBLEM, "", "4", new Lineage(List.of(), "seed", 0), Map.of());
    List<Rollout> rs = new ArrayList<>();
    for (String r : REPLIES) {
      rs.add(Rollout.of(r, "4", true));
    }
    EvaluatedCandidate c = new EvaluatedCandidate(0, p, rs, new Difficulty(3, 3, 0.5,
        Validity.VALID), Descriptor.ofLabels("add"), AddStatus.NEW, 0.5);
    ExportReport r = Exporter.builder().candidates(List.of(c)).output(tmp.resolve(mode.id()))
        .format(ExportFormat.MESSAGES).fileFormat(FileFormat.JSONL).thinking(mode).build().run();
    List<List<Map<String, Object>>> rows = new ArrayList<>();
    for (String line : Files.readAllLines(r.data(), StandardCharsets.UTF_8)) {
      Map<String, List<Map<String, Object>>> row = ChatTemplateGoldenTest.JSON.readValue(line,
          new TypeReference<Map<String, List<Map<String, Object>>>>() {});
      rows.add(row.get("messages"));
    }
    assertEquals(REPLIES.size(), rows.size());
    return rows;
  }

  @Test
  void qwen3RendersAFieldRowAsTheThinkingTheModelGenerates() throws Exception {
    ChatTemplateGoldenTest.assumePackages();
    ChatTemplate qwen3 = template("qwen3");
    String prompt = qwen3.render(List.of(ChatMessage.user(PROBLEM)), true);
    List<List<Map<String, Object>>> field = export(Thinking.FIELD);
    List<List<Map<String, Object>>> keep = export(Thinking.KEEP);
    for (int i = 0; i < REPLIES.size(); i++) {
      String rendered = qwen3.renderMessages(field.get(i), false, false, Map.of());
      assertTrue(rendered.startsWith(prompt), rendered);
      // the training target: what Qwen3 generates after <|im_start|>assistant\n
      assertEquals("<think>\n" + THOUGHTS.get(i) + "\n</think>\n\n" + ANSWER + "<|im_end|>\n",
          rendered.substring(prompt.length()), "field, reply " + i);
      String raw = qwen3.renderMessages(keep.get(i), false, false, Map.of());
      if (i < 2) {
        // Qwen3's template itself splits a content at </think>: keep renders the same text
        assertEquals(rendered, raw, "keep, reply " + i);
      } else {
        // but it knows only </think>: other tags end up after an empty block of its own
        assertEquals("<think>\n\n</think>\n\n" + REPLIES.get(i) + "<|im_end|>\n",
            raw.substring(prompt.length()), "keep, reply " + i);
      }
    }
  }

  @Test
  void deepSeekV3ReadsNoReasoningContentSoFieldRowsLoseTheThinking() throws Exception {
    ChatTemplateGoldenTest.assumePackages();
    ChatTemplate v3 = template("deepseek_v3");
    List<List<Map<String, Object>>> field = export(Thinking.FIELD);
    List<List<Map<String, Object>>> keep = export(Thinking.KEEP);
    String fieldText = v3.renderMessages(field.get(0), false, false, Map.of());
    assertTrue(fieldText.endsWith("<｜Assistant｜>" + ANSWER + "<｜end▁of▁sentence｜>"), fieldText);
    assertFalse(fieldText.contains(THOUGHTS.get(0)), fieldText);
    // keep puts the stored reply, thinking and tags, verbatim into the assistant turn
    String keepText = v3.renderMessages(keep.get(0), false, false, Map.of());
    assertTrue(keepText.endsWith("<｜Assistant｜>" + REPLIES.get(0) + "<｜end▁of▁sentence｜>"),
        keepText);
  }
}
