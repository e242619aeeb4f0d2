package dev.sparq.onnx;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sparq.core.ModelException;
import dev.sparq.onnx.jinja.Template;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * 10,000 random conversations through every real template of the golden corpus: each one renders,
 * or fails with a {@link ModelException} that names the template; no other exception escapes.
 */
class ChatTemplateRandomTest {
  static final String[] ROLES = {"system", "user", "assistant", "tool", "user", "assistant"};
  static final String[] PIECES = {"hello", " ", "\n", "\t", "{{ bos_token }}", "{% if true %}",
      "{% endif %}", "{#", "#}", "e^{{i\\pi}}", "}}", "{%", "%}", "<think>", "</think>",
      "<tool_response>", "\u00a0", "\u3000", "😀", "日本", "\u202e", "\\", "\"", "'", "\u0000",
      "<|im_end|>", "<|eot_id|>", "<start_of_turn>", "{\"a\": 1}", "raise_exception('x')"};

  static String text(SplittableRandom r) {
    StringBuilder sb = new StringBuilder();
    int n = r.nextInt(6);
    for (int i = 0; i < n; i++) {
      sb.append(PIECES[r.nextInt(PIECES.length)]);
    }
    return sb.toString();
  }

  static Object content(SplittableRandom r) {
    int k = r.nextInt(20);
    if (k == 0) {
      return null;
    }
    if (k == 1) {
      List<Object> parts = new ArrayList<>();
      parts.add(Map.of("type", "text", "text", text(r)));
      if (r.nextBoolean()) {
        parts.add(Map.of("type", "image"));
      }
      return parts;
    }
    return text(r);
  }

  static List<Map<String, Object>> conversation(SplittableRandom r) {
    List<Map<String, Object>> out = new ArrayList<>();
    int n = r.nextInt(7);
    for (int i = 0; i < n; i++) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("role", ROLES[r.nextInt(ROLES.length)]);
      m.put("content", content(r));
      if (m.get("role").equals("assistant") && r.nextInt(5) == 0) {
        Map<String, Object> args = Map.of("city", text(r));
        m.put("tool_calls", List.of(Map.of("type", "function", "function",
            Map.of("name", "f", "arguments", r.nextBoolean() ? args : "{\"city\": 1}"))));
      }
      if (r.nextInt(8) == 0) {
        m.put("reasoning_content", text(r));
      }
      out.add(m);
    }
    return out;
  }

  @Test
  void randomConversationsRenderOrFailNamingTheTemplate() throws Exception {
    ChatTemplateGoldenTest.assumePackages();
    for (String fam : ChatTemplateGoldenTest.families()) {
      Path cfg = ChatTemplateGoldenTest.modelsOf(fam).resolve("tokenizer_config.json");
      ChatTemplate t = ChatTemplate.fromTokenizerConfig(cfg, ChatTemplateGoldenTest.FIXED,
          Template.Limits.DEFAULT);
      SplittableRandom r = new SplittableRandom(fam.hashCode());
      int rendered = 0;
      for (int i = 0; i < 10_000; i++) {
        List<Map<String, Object>> convo = conversation(r);
        Map<String, Object> vars = new LinkedHashMap<>();
        if (r.nextBoolean()) {
          vars.put("enable_thinking", r.nextBoolean());
        }
        if (r.nextInt(4) == 0) {
          vars.put("tools", List.of(Map.of("type", "function", "function",
              Map.of("name", "f", "parameters", Map.of("type", "object")))));
        }
        boolean cont = !convo.isEmpty() && r.nextInt(10) == 0
            && convo.get(convo.size() - 1).get("content") instanceof String;
        try {
          String out = t.renderMessages(convo, !cont && r.nextBoolean(), cont, vars);
          assertFalse(out == null);
          rendered++;
        } catch (ModelException e) {
          assertTrue(e.getMessage().contains(cfg.toString()), e.getMessage());
        } catch (RuntimeException e) {
          fail(fam + " case " + i + ": " + e + " for " + convo, e);
        }
      }
      // Strict templates render few random conversations: Command R+ (roles must alternate, a
      // system message only first, content.strip() on every message) renders about one in ten,
      // as Python transformers does for the same distribution.
      assertTrue(rendered > 500, fam + ": only " + rendered + " of 10000 rendered");
    }
  }
}
