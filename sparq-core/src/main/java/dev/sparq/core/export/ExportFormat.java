package dev.sparq.core.export;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The training-file layouts the exporter writes: one row per example, as a JSON object per line or
 * as a Parquet record with the same columns ({@link FileFormat}). The exact shapes are in
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
   * Builds one row.
   *
   * @param prompt the user message (the problem in the prompt template)
   * @param system the system message, or null
   * @param index 0-based row index in the output
   * @param dataSource the {@code data_source} of verl rows
   */
  Row row(Example e, String prompt, String system, long index, String dataSource) {
    return row(e, prompt, system, index, dataSource, null);
  }

  /**
   * Builds one row whose assistant message also carries {@code reasoning}, the thinking, under
   * {@link Thinking#KEY} (only {@link #MESSAGES} and {@link #PROMPT_COMPLETION}; {@code null}: no
   * such key, as {@link #row(Example, String, String, long, String)}). In {@link #MESSAGES} every
   * message of the list carries the key, empty for the system and user messages: a list's
   * elements share one shape in Parquet and in {@code datasets}.
   */
  Row row(Example e, String prompt, String system, long index, String dataSource,
      String reasoning) {
    if (reasoning != null && this != MESSAGES && this != PROMPT_COMPLETION) {
      throw new IllegalArgumentException(id() + " rows have no reasoning key");
    }
    Row r = new Row();
    switch (this) {
      case MESSAGES, OPENAI -> r.put("messages", messages(system, "user", prompt, "assistant",
          e.solution(), reasoning));
      case PROMPT_COMPLETION -> {
        r.put("prompt", messages(system, "user", prompt, null, null));
        // the completion list holds the assistant message alone: it carries the key (if any)
        r.put("completion", List.of(message("assistant", e.solution(), reasoning)));
      }
      case GRPO -> {
        r.put("prompt", messages(system, "user", prompt, null, null));
        r.put("answer", e.answer());
      }
      case VERL -> {
        r.put("data_source", dataSource);
        r.put("prompt", messages(system, "user", prompt, null, null));
        r.put("ability", "math");
        r.put("reward_model", new Row().put("style", "rule").put("ground_truth", e.answer()));
        r.put("extra_info", new Row().put("index", index).put("id", e.id())
            .put("quality", e.quality()));
      }
      case ALPACA -> {
        r.put("instruction", prompt);
        r.put("input", "");
        r.put("output", e.solution());
        if (system != null) {
          r.put("system", system);
        }
      }
      case SHAREGPT -> {
        r.put("conversations", List.of(new Row().put("from", "human").put("value", prompt),
            new Row().put("from", "gpt").put("value", e.solution())));
        if (system != null) {
          r.put("system", system);
        }
      }
      default -> throw new IllegalStateException(name());
    }
    return r;
  }

  /** The optional system message, then one or two role/content messages. */
  private static List<Row> messages(String system, String role1, String content1, String role2,
      String content2) {
    return messages(system, role1, content1, role2, content2, null);
  }

  /** As above; a non-null {@code reasoning} goes to the second message, "" to the others. */
  private static List<Row> messages(String system, String role1, String content1, String role2,
      String content2, String reasoning) {
    List<Row> out = new ArrayList<>(3);
    if (system != null) {
      out.add(message("system", system, reasoning == null ? null : ""));
    }
    out.add(message(role1, content1, reasoning == null ? null : ""));
    if (role2 != null) {
      out.add(message(role2, content2, reasoning));
    }
    return out;
  }

  private static Row message(String role, String content, String reasoning) {
    Row m = new Row().put("role", role).put("content", content);
    return reasoning == null ? m : m.put(Thinking.KEY, reasoning);
  }

  /**
   * The LLaMA-Factory {@code dataset_info.json} entry for a file in this format without a system
   * message in its rows, when LLaMA-Factory can read the format for supervised fine-tuning
   * (messages, OpenAI, Alpaca, ShareGPT).
   */
  public Optional<ObjectNode> llamaFactoryEntry(String fileName) {
    return llamaFactoryEntry(fileName, false);
  }

  /**
   * As {@link #llamaFactoryEntry(String)}; {@code withSystem} says whether the rows carry a
   * {@code system} field (an export with a system prompt). Alpaca and ShareGPT map the column only
   * then: LLaMA-Factory's converters read a mapped column from every row and fail with a
   * {@code KeyError} where it is missing.
   */
  public Optional<ObjectNode> llamaFactoryEntry(String fileName, boolean withSystem) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode e = f.objectNode();
    e.put("file_name", fileName);
    switch (this) {
      case ALPACA -> {
        ObjectNode c = e.putObject("columns");
        c.put("prompt", "instruction");
        c.put("query", "input");
        c.put("response", "output");
        if (withSystem) {
          c.put("system", "system");
        }
      }
      case SHAREGPT -> {
        e.put("formatting", "sharegpt");
        ObjectNode c = e.putObject("columns");
        c.put("messages", "conversations");
        if (withSystem) {
          c.put("system", "system");
        }
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
