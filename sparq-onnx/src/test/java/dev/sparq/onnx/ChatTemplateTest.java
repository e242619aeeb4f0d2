package dev.sparq.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.ModelException;
import dev.sparq.core.llm.ChatMessage;
import dev.sparq.onnx.testing.TinyDecoder;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Golden renderings of the well-known template styles, written here in their public formats. */
class ChatTemplateTest {
  static final List<ChatMessage> CONVO = List.of(
      ChatMessage.system("You solve math."),
      ChatMessage.user("What is 2+2?"),
      ChatMessage.assistant("4"),
      ChatMessage.user("  And 3+3?  "));

  static final String LLAMA3 = "{% set loop_messages = messages %}"
      + "{% for message in loop_messages %}"
      + "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'"
      + " + message['content'] | trim + '<|eot_id|>' %}"
      + "{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}"
      + "{{ content }}"
      + "{% endfor %}"
      + "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";

  static final String GEMMA = "{{ bos_token }}{% if messages[0]['role'] == 'system' %}"
      + "{{ raise_exception('System role not supported') }}{% endif %}"
      + "{% for message in messages %}"
      + "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
      + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}"
      + "{% endif %}"
      + "{% if (message['role'] == 'assistant') %}{% set role = 'model' %}"
      + "{% else %}{% set role = message['role'] %}{% endif %}"
      + "{{ '<start_of_turn>' + role + '\\n' + message['content'] | trim + '<end_of_turn>\\n' }}"
      + "{% endfor %}"
      + "{% if add_generation_prompt %}{{'<start_of_turn>model\\n'}}{% endif %}";

  /** Block tags on their own indented lines vanish entirely under trim_blocks + lstrip_blocks. */
  static final String MULTILINE = "{% for message in messages %}\n"
      + "  {% if message['role'] == 'user' %}\n"
      + "U: {{ message['content'] }}\n"
      + "  {% else %}\n"
      + "{{ message['role'] | upper }}: {{ message['content'] }}\n"
      + "  {% endif %}\n"
      + "{% endfor %}\n"
      + "{% if add_generation_prompt %}\n"
      + "A:\n"
      + "{% endif %}\n";

  @Test
  void chatMl() {
    ChatTemplate t = new ChatTemplate(TinyDecoder.CHATML, null, "<|im_end|>");
    assertEquals("<|im_start|>system\nYou solve math.<|im_end|>\n"
        + "<|im_start|>user\nWhat is 2+2?<|im_end|>\n"
        + "<|im_start|>assistant\n4<|im_end|>\n"
        + "<|im_start|>user\n  And 3+3?  <|im_end|>\n"
        + "<|im_start|>assistant\n", t.render(CONVO, true));
    assertEquals("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
        + "<|im_start|>user\nhi<|im_end|>\n", t.render(List.of(ChatMessage.user("hi")), false));
  }

  @Test
  void llama3() {
    ChatTemplate t = new ChatTemplate(LLAMA3, "<|begin_of_text|>", "<|eot_id|>");
    assertEquals("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou solve math.<|eot_id|>"
        + "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>"
        + "<|start_header_id|>assistant<|end_header_id|>\n\n4<|eot_id|>"
        + "<|start_header_id|>user<|end_header_id|>\n\nAnd 3+3?<|eot_id|>"
        + "<|start_header_id|>assistant<|end_header_id|>\n\n", t.render(CONVO, true));
  }

  @Test
  void trimAndLstripBlocks() {
    ChatTemplate t = new ChatTemplate(MULTILINE, "", "");
    assertEquals("SYSTEM: You solve math.\nU: What is 2+2?\nASSISTANT: 4\nU:   And 3+3?  \nA:\n",
        t.render(CONVO, true));
  }

  @Test
  void gemma() {
    ChatTemplate t = new ChatTemplate(GEMMA, "<bos>", "<eos>");
    assertEquals("<bos><start_of_turn>user\nWhat is 2+2?<end_of_turn>\n"
        + "<start_of_turn>model\n4<end_of_turn>\n"
        + "<start_of_turn>user\nAnd 3+3?<end_of_turn>\n"
        + "<start_of_turn>model\n", t.render(CONVO.subList(1, 4), true));
  }

  @Test
  void raiseExceptionIsAnError() {
    ChatTemplate t = new ChatTemplate(GEMMA, "<bos>", "<eos>");
    ModelException e = assertThrows(ModelException.class, () -> t.render(CONVO, true));
    assertTrue(e.getMessage().contains("System role not supported"), e.getMessage());
    ModelException alt = assertThrows(ModelException.class, () -> t.render(
        List.of(ChatMessage.user("a"), ChatMessage.user("b")), true));
    assertTrue(alt.getMessage().contains("must alternate"), alt.getMessage());
  }

  @Test
  void syntaxErrorsAreErrors() {
    ModelException e = assertThrows(ModelException.class,
        () -> new ChatTemplate("{% for m in messages %}{{ m.content }}", "", ""));
    assertTrue(e.getMessage().contains("missing end tag"), e.getMessage());
  }

  @Test
  void strftimeNowUsesTheClock() {
    Clock clock = Clock.fixed(Instant.parse("2026-03-05T14:07:09Z"), ZoneOffset.UTC);
    ChatTemplate t = new ChatTemplate("Today: {{ strftime_now('%d %b %Y') }} {{ strftime_now('%H:%M') }}",
        "", "", clock);
    assertEquals("Today: 05 Mar 2026 14:07", t.render(CONVO, false));
  }

  @Test
  void toJsonIsPythonStyle() {
    ChatTemplate t = new ChatTemplate("{{ messages[1] | tojson }}|{{ messages[3]['content'] | tojson }}", "", "");
    assertEquals("{\"role\": \"user\", \"content\": \"What is 2+2?\"}|\"  And 3+3?  \"",
        t.render(CONVO, false));
    ChatTemplate u = new ChatTemplate("{{ messages[0] | tojson(indent=2) }}", "", "");
    assertEquals("{\n  \"role\": \"system\",\n  \"content\": \"You solve math.\"\n}",
        u.render(CONVO, false));
    ChatTemplate v = new ChatTemplate("{{ 'é\"\\n' | tojson }}", "", "");
    assertEquals("\"é\\\"\\n\"", v.render(CONVO, false));
  }

  @Test
  void namedTemplatesOfATokenizerConfigAreChosenAsTransformersChoosesThem(@TempDir java.nio.file.Path
      tmp) throws java.io.IOException {
    java.nio.file.Path cfg = tmp.resolve("tokenizer_config.json");
    java.nio.file.Files.writeString(cfg, "{\"bos_token\": \"<B>\", \"chat_template\": ["
        + "{\"name\": \"default\", \"template\": \"{{ bos_token }}D{{ messages | length }}\"},"
        + "{\"name\": \"tool_use\", \"template\": \"T{{ tools | length }}\"},"
        + "{\"name\": \"rag\", \"template\": \"R{{ documents | length }}\"}]}");
    Clock clock = Clock.systemUTC();
    var limits = dev.sparq.onnx.jinja.Template.Limits.DEFAULT;
    var msgs = List.of(Map.of("role", "user", "content", "hi"));
    ChatTemplate dflt = ChatTemplate.fromTokenizerConfig(cfg, clock, limits);
    assertEquals("<B>D1", dflt.renderMessages(msgs, true, false, Map.of()));
    // transformers: with tools and no template named, the one named tool_use
    assertEquals("T2", dflt.renderMessages(msgs, true, false, Map.of("tools", List.of(1, 2))));
    ChatTemplate rag = ChatTemplate.fromTokenizerConfig(cfg, "rag", clock, limits);
    assertEquals("R3", rag.renderMessages(msgs, true, false,
        Map.of("documents", List.of(1, 2, 3), "tools", List.of(1))));
    assertEquals("T0", ChatTemplate.fromTokenizerConfig(cfg, "tool_use", clock, limits)
        .renderMessages(msgs, true, false, Map.of("tools", List.of())));
    assertEquals("<B>D1", ChatTemplate.fromTokenizerConfig(cfg, "default", clock, limits)
        .renderMessages(msgs, true, false, Map.of("tools", List.of(1))));
    ModelException none = assertThrows(ModelException.class,
        () -> ChatTemplate.fromTokenizerConfig(cfg, "nope", clock, limits));
    assertTrue(none.getMessage().contains("[default, tool_use, rag]"), none.getMessage());

    java.nio.file.Files.writeString(cfg, "{\"chat_template\": [{\"name\": \"rag\","
        + " \"template\": \"R\"}]}");
    ModelException noDefault = assertThrows(ModelException.class,
        () -> ChatTemplate.fromTokenizerConfig(cfg, clock, limits));
    assertTrue(noDefault.getMessage().contains("none named 'default'"), noDefault.getMessage());
    assertEquals("R", ChatTemplate.fromTokenizerConfig(cfg, "rag", clock, limits)
        .renderMessages(msgs, false, false, Map.of()));

    java.nio.file.Files.writeString(cfg, "{\"chat_template\": \"P\"}");
    assertEquals("P", ChatTemplate.fromTokenizerConfig(cfg, "default", clock, limits)
        .renderMessages(msgs, false, false, Map.of("tools", List.of(1))));
  }
}
