package dev.sparq.core.export;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Optional;

/**
 * The training-file layouts the exporter writes, one JSON object per line. The exact shapes are in
 * {@code src-docs/export.md}; {@code [sys]} marks the optional system message.
 */
public enum ExportFormat {
  /**
   * TRL conversational language modelling:
   * {@code {"messages":[[sys,]{"role":"user","content":P},{"role":"assistant","content":S}]}}.
   */
  MESSAGES(false),
  /**
   * TRL conversational prompt-completion:
   * {@code {"prompt":[[sys,]{"role":"user","content":P}],"completion":[{"role":"assistant","content":S}]}}.
   */
  PROMPT_COMPLETION(false),
  /**
   * TRL GRPO rows, one per problem: {@code {"prompt":[[sys,]{"role":"user","content":P}],"answer":A}};
   * the {@code answer} column reaches the reward functions as a keyword argument.
   */
  GRPO(true),
  /**
   * verl RL rows, one per problem: {@code {"data_source":D,"prompt":[...],"ability":"math",
   * "reward_model":{"style":"rule","ground_truth":A},"extra_info":{"index":i,"id":..,"quality":q}}};
   * D is {@code "sparq"} unless {@link Exporter.Builder#dataSource(String)} says otherwise (verl
   * picks its scoring function by this name).
   */
  VERL(true),
  /** OpenAI chat fine-tuning: {@code {"messages":[[sys,]user,assistant]}} (string contents). */
  OPENAI(false),
  /** Alpaca: {@code {"instruction":P,"input":"","output":S}} (plus {@code "system"} when given). */
  ALPACA(false),
  /**
   * ShareGPT: {@code {"conversations":[{"from":"human","value":P},{"from":"gpt","value":S}]}}
   * (plus {@code "system"} when given).
   */
  SHAREGPT(false);

  private final boolean problemRows;

  ExportFormat(boolean problemRows) {
    this.problemRows = problemRows;
  }

  /** Whether rows are per problem (prompt + ground truth) rather than per solution. */
  public boolean problemRows() {
    return problemRows;
  }

  /** The lower-case name used in file names and on the command line. */
  public String id() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * Writes one row.
   *
   * @param prompt the user message (the problem in the prompt template)
   * @param system the system message, or null
   * @param index 0-based row index in the output
   * @param dataSource the {@code data_source} of verl rows
   */
  void write(JsonGenerator g, Example e, String prompt, String system, long index,
      String dataSource) throws IOException {
    g.writeStartObject();
    switch (this) {
      case MESSAGES, OPENAI -> {
        g.writeArrayFieldStart("messages");
        message(g, "system", system);
        message(g, "user", prompt);
        message(g, "assistant", e.solution());
        g.writeEndArray();
      }
      case PROMPT_COMPLETION -> {
        g.writeArrayFieldStart("prompt");
        message(g, "system", system);
        message(g, "user", prompt);
        g.writeEndArray();
        g.writeArrayFieldStart("completion");
        message(g, "assistant", e.solution());
        g.writeEndArray();
      }
      case GRPO -> {
        g.writeArrayFieldStart("prompt");
        message(g, "system", system);
        message(g, "user", prompt);
        g.writeEndArray();
        g.writeStringField("answer", e.answer());
      }
      case VERL -> {
        g.writeStringField("data_source", dataSource);
        g.writeArrayFieldStart("prompt");
        message(g, "system", system);
        message(g, "user", prompt);
        g.writeEndArray();
        g.writeStringField("ability", "math");
        g.writeObjectFieldStart("reward_model");
        g.writeStringField("style", "rule");
        g.writeStringField("ground_truth", e.answer());
        g.writeEndObject();
        g.writeObjectFieldStart("extra_info");
        g.writeNumberField("index", index);
        g.writeStringField("id", e.id());
        g.writeNumberField("quality", e.quality());
        g.writeEndObject();
      }
      case ALPACA -> {
        g.writeStringField("instruction", prompt);
        g.writeStringField("input", "");
        g.writeStringField("output", e.solution());
        if (system != null) {
          g.writeStringField("system", system);
        }
      }
      case SHAREGPT -> {
        g.writeArrayFieldStart("conversations");
        g.writeStartObject();
        g.writeStringField("from", "human");
        g.writeStringField("value", prompt);
        g.writeEndObject();
        g.writeStartObject();
        g.writeStringField("from", "gpt");
        g.writeStringField("value", e.solution());
        g.writeEndObject();
        g.writeEndArray();
        if (system != null) {
          g.writeStringField("system", system);
        }
      }
      default -> throw new IllegalStateException(name());
    }
    g.writeEndObject();
  }

  private static void message(JsonGenerator g, String role, String content) throws IOException {
    if (content == null) {
      return;
    }
    g.writeStartObject();
    g.writeStringField("role", role);
    g.writeStringField("content", content);
    g.writeEndObject();
  }

  /**
   * The LLaMA-Factory {@code dataset_info.json} entry for a file in this format, when LLaMA-Factory
   * can read the format for supervised fine-tuning (messages, OpenAI, Alpaca, ShareGPT).
   */
  public Optional<ObjectNode> llamaFactoryEntry(String fileName) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode e = f.objectNode();
    e.put("file_name", fileName);
    switch (this) {
      case ALPACA -> {
        ObjectNode c = e.putObject("columns");
        c.put("prompt", "instruction");
        c.put("query", "input");
        c.put("response", "output");
        c.put("system", "system");
      }
      case SHAREGPT -> {
        e.put("formatting", "sharegpt");
        ObjectNode c = e.putObject("columns");
        c.put("messages", "conversations");
        c.put("system", "system");
      }
      case MESSAGES, OPENAI -> {
        e.put("formatting", "sharegpt");
        ObjectNode c = e.putObject("columns");
        c.put("messages", "messages");
        ObjectNode t = e.putObject("tags");
        t.put("role_tag", "role");
        t.put("content_tag", "content");
        t.put("user_tag", "user");
        t.put("assistant_tag", "assistant");
        t.put("system_tag", "system");
      }
      default -> {
        return Optional.empty();
      }
    }
    return Optional.of(e);
  }
}
