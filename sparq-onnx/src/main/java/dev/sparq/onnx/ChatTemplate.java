package dev.sparq.onnx;

import dev.sparq.core.ModelException;
import dev.sparq.core.llm.ChatMessage;
import dev.sparq.onnx.jinja.Template;
import dev.sparq.onnx.jinja.TemplateException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Hugging Face chat template ({@code chat_template} of {@code tokenizer_config.json}) rendered
 * exactly as Python {@code transformers.apply_chat_template} renders it, by this module's own
 * Jinja2 interpreter ({@link Template}): {@code trim_blocks} and {@code lstrip_blocks} on, the
 * {@code -}/{@code +} whitespace markers, Python printing of {@code True}/{@code None}/lists/dicts,
 * Python string methods, slices, {@code namespace}, loop controls, {@code raise_exception},
 * {@code strftime_now} and a {@code tojson} with Python's spacing.
 *
 * <p>The template sees {@code messages} (maps with {@code role} and {@code content}, plus
 * whatever else the caller put in a raw message, such as {@code tool_calls}),
 * {@code add_generation_prompt}, {@code tools} and {@code documents} ({@code None} unless given),
 * every named special token of the model ({@code bos_token}, {@code eos_token},
 * {@code unk_token}, {@code pad_token}, ...) and the caller's variables (for example
 * {@code enable_thinking}), which override special tokens of the same name.
 *
 * <p>Message content is data: it is never parsed as template code. A template that raises, fails
 * to parse or goes over its render budget throws {@link ModelException} whose message names the
 * template and the line; it never returns partial output. Thread-safe.
 */
public final class ChatTemplate {
  private final String name;
  private final String source;
  private final Template template;
  private final Map<String, String> specialTokens;
  private final Clock clock;
  private final Template.Limits limits;
  /** The template a render with {@code tools} uses instead of this one; null for this one. */
  private final ChatTemplate toolUse;

  /**
   * @param name how errors name the template (for example the model directory)
   * @param source the Jinja source
   * @param specialTokens named special tokens ({@code bos_token} to its text, ...)
   * @param clock clock of {@code strftime_now}
   * @param limits render budgets
   * @throws ModelException when the template does not parse
   */
  public ChatTemplate(String name, String source, Map<String, String> specialTokens, Clock clock,
      Template.Limits limits) {
    this.name = Objects.requireNonNull(name, "name");
    this.source = Objects.requireNonNull(source, "template");
    this.specialTokens = Map.copyOf(new LinkedHashMap<>(specialTokens));
    this.clock = Objects.requireNonNull(clock, "clock");
    this.limits = Objects.requireNonNull(limits, "limits");
    this.toolUse = null;
    try {
      this.template = Template.parse(name, source);
    } catch (TemplateException e) {
      throw new ModelException("chat template " + e.getMessage(), e);
    }
  }

  /**
   * A template with only {@code bos_token} and {@code eos_token}, default budgets.
   *
   * @param template the Jinja source
   * @param bosToken value of {@code bos_token} (null or empty when the model has none)
   * @param eosToken value of {@code eos_token}
   * @param clock clock of {@code strftime_now}
   */
  public ChatTemplate(String template, String bosToken, String eosToken, Clock clock) {
    this("chat_template", template, tokens(bosToken, eosToken), clock, Template.Limits.DEFAULT);
  }

  /** A template with the system clock. */
  public ChatTemplate(String template, String bosToken, String eosToken) {
    this(template, bosToken, eosToken, Clock.systemUTC());
  }

  private static Map<String, String> tokens(String bos, String eos) {
    Map<String, String> m = new HashMap<>();
    if (bos != null) {
      m.put("bos_token", bos);
    }
    if (eos != null) {
      m.put("eos_token", eos);
    }
    return m;
  }

  /**
   * The chat template of a {@code tokenizer_config.json} file with the file's named special tokens,
   * chosen as {@code transformers} chooses it: a plain {@code chat_template} string, or from a
   * list of named templates ({@code [{"name": "default", "template": ...}, {"name": "tool_use",
   * ...}]}, as Cohere Command R ships) the one named {@code default}, except that a render given
   * {@code tools} uses the one named {@code tool_use} when there is one.
   *
   * @throws ModelException when the file cannot be read, is not JSON, has no chat template, or has
   *     a list without a {@code default} template
   */
  public static ChatTemplate fromTokenizerConfig(java.nio.file.Path file, Clock clock,
      Template.Limits limits) {
    return fromTokenizerConfig(file, null, clock, limits);
  }

  /**
   * The chat template named {@code templateName} of a {@code tokenizer_config.json} file (as
   * {@code apply_chat_template(chat_template="rag")} chooses it), with the file's named special
   * tokens. A plain {@code chat_template} string is named {@code default}.
   *
   * @param templateName the name of a template in the file's list ({@code default},
   *     {@code tool_use}, {@code rag}, ...); null chooses as
   *     {@link #fromTokenizerConfig(java.nio.file.Path, Clock, Template.Limits)} does
   * @throws ModelException when the file cannot be read, is not JSON, or has no template of that
   *     name (the message lists the names it has)
   */
  public static ChatTemplate fromTokenizerConfig(java.nio.file.Path file, String templateName,
      Clock clock, Template.Limits limits) {
    com.fasterxml.jackson.databind.JsonNode cfg;
    try {
      cfg = ModelDirectory.readModelJson(file);
    } catch (ModelDirectory.ModelFileException e) {
      throw new ModelException(file + ": cannot read tokenizer config: " + e.getMessage(), e);
    }
    Map<String, String> named = ModelDirectory.chatTemplatesOf(cfg);
    if (named.isEmpty()) {
      throw new ModelException(file + ": field 'chat_template' is missing");
    }
    Map<String, String> special = ModelDirectory.specialTokensOf(cfg);
    String name = file.toString();
    if (templateName != null) {
      String src = named.get(templateName);
      if (src == null) {
        throw new ModelException(file + ": no chat template named '" + templateName
            + "' (it has " + named.keySet() + ")");
      }
      return new ChatTemplate(name, src, special, clock, limits);
    }
    String src = named.get("default");
    if (src == null) {
      throw new ModelException(file + ": several chat templates and none named 'default'; choose"
          + " one of " + named.keySet());
    }
    ChatTemplate t = new ChatTemplate(name, src, special, clock, limits);
    String toolUse = named.get("tool_use");
    return toolUse == null ? t
        : new ChatTemplate(t, new ChatTemplate(name, toolUse, special, clock, limits));
  }

  /** {@code base} that renders with {@code toolUse} when given {@code tools}. */
  private ChatTemplate(ChatTemplate base, ChatTemplate toolUse) {
    this.name = base.name;
    this.source = base.source;
    this.template = base.template;
    this.specialTokens = base.specialTokens;
    this.clock = base.clock;
    this.limits = base.limits;
    this.toolUse = toolUse;
  }

  /** The Jinja source. */
  public String source() {
    return source;
  }

  /** How errors name this template. */
  public String name() {
    return name;
  }

  /** The named special tokens passed to every render. */
  public Map<String, String> specialTokens() {
    return specialTokens;
  }

  /** Renders a conversation. */
  public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
    return render(messages, addGenerationPrompt, Map.of());
  }

  /**
   * Renders a conversation with extra template variables (for example
   * {@code enable_thinking=false}, {@code tools}, {@code date_string}).
   */
  public String render(List<ChatMessage> messages, boolean addGenerationPrompt,
      Map<String, ?> variables) {
    List<Map<String, Object>> msgs = new ArrayList<>();
    for (ChatMessage m : messages) {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("role", m.role().wireName());
      map.put("content", m.content());
      msgs.add(map);
    }
    return renderMessages(msgs, addGenerationPrompt, false, variables);
  }

  /**
   * Renders raw messages (maps as in the Hugging Face chat format, which may carry
   * {@code tool_calls}, {@code reasoning_content}, list content and so on).
   *
   * @param messages the conversation
   * @param addGenerationPrompt whether to open an assistant turn at the end
   * @param continueFinalMessage whether to end the prompt inside the last message so that the
   *     model continues it (an assistant prefill), as {@code transformers} does
   * @param variables extra variables; a {@code tools} or {@code documents} entry here is passed
   *     as that variable
   * @throws ModelException when the template raises, fails, or goes over a budget
   * @throws IllegalArgumentException when a message or variable holds an unsupported value type
   */
  public String renderMessages(List<? extends Map<String, ?>> messages,
      boolean addGenerationPrompt, boolean continueFinalMessage, Map<String, ?> variables) {
    if (toolUse != null && variables.get("tools") != null) {
      return toolUse.renderMessages(messages, addGenerationPrompt, continueFinalMessage, variables);
    }
    List<Object> msgs = new ArrayList<>(messages);
    String finalContent = null;
    if (continueFinalMessage) {
      if (messages.isEmpty() || !(messages.get(messages.size() - 1).get("content")
          instanceof String c)) {
        throw new ModelException("chat template " + name + ": continue_final_message needs a last"
            + " message with text content");
      }
      finalContent = c;
      Map<String, Object> last = new LinkedHashMap<>(messages.get(messages.size() - 1));
      last.put("content", c + CONTINUE_TAG);
      msgs.set(msgs.size() - 1, last);
    }
    Map<String, Object> vars = new LinkedHashMap<>(specialTokens);
    vars.put("tools", null);
    vars.put("documents", null);
    vars.putAll(variables);
    vars.put("messages", msgs);
    vars.put("add_generation_prompt", addGenerationPrompt);
    String out;
    try {
      out = template.render(vars, clock, limits);
    } catch (TemplateException e) {
      throw new ModelException("chat template " + e.getMessage(), e);
    }
    if (finalContent != null) {
      String tag = CONTINUE_TAG.strip();
      if (!out.contains(finalContent.strip()) || !out.contains(tag)) {
        throw new ModelException("chat template " + name + ": continue_final_message is set but"
            + " the template drops the final message");
      }
      int at = out.lastIndexOf(tag);
      out = out.startsWith(CONTINUE_TAG, at) ? out.substring(0, at)
          : out.substring(0, at).stripTrailing();
    }
    return out;
  }

  private static final String CONTINUE_TAG = "CONTINUE_FINAL_MESSAGE_TAG ";
}
