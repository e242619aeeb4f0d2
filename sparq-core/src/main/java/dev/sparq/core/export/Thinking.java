package dev.sparq.core.export;

import dev.sparq.core.ConfigException;
import dev.sparq.core.llm.ReasoningText;
import java.util.Locale;

/**
 * What an export does with a reasoning model's thinking in the solution texts it writes
 * ({@link Exporter.Builder#thinking(Thinking)}). A rollout's stored text is the model's whole reply,
 * thinking included ({@code <think>…</think>answer}, see {@link ReasoningText}); the reference
 * solution ({@link Exporter.Builder#referenceSolutions(boolean)}) is the generator's parsed
 * solution, which has no thinking.
 */
public enum Thinking {
  /** The stored text as it is, thinking and its tags included (the default). */
  KEEP,
  /**
   * Only the visible answer, {@link ReasoningText#split(String)}{@code .answer()}, for training a
   * model that does not think. Identical texts of one problem count once after stripping, so two
   * rollouts that thought differently but answered alike give one row.
   */
  STRIP,
  /**
   * The visible answer as the assistant message's {@code content} and the thinking, without its
   * tags, in a {@code reasoning_content} key of the same message (an empty string when there is
   * none, as for a reference solution): the key that chat templates of reasoning models such as
   * Qwen3 read. Only {@link ExportFormat#MESSAGES} and {@link ExportFormat#PROMPT_COMPLETION} carry
   * it; see {@link #supports(ExportFormat)}.
   */
  FIELD;

  /** The key of the assistant message that holds the thinking in {@link #FIELD} mode. */
  public static final String KEY = "reasoning_content";

  /** The lower-case name used on the command line, in {@code stats.json} and in the card. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The mode of a command-line name ({@code keep}, {@code strip} or {@code field}). */
  public static Thinking of(String name) {
    for (Thinking t : values()) {
      if (t.id().equals(name.toLowerCase(Locale.ROOT))) {
        return t;
      }
    }
    throw ConfigException.forKey("thinking", "'" + name + "' is not allowed; allowed values: keep,"
        + " strip, field");
  }

  /**
   * Whether an export in {@code format} can use this mode. {@link #KEEP} works everywhere;
   * {@link #STRIP} needs solution rows (not {@link ExportFormat#problemRows()}, whose rows hold no
   * solution); {@link #FIELD} needs an assistant message object that a chat template reads, which
   * only {@link ExportFormat#MESSAGES} and {@link ExportFormat#PROMPT_COMPLETION} have: Alpaca's
   * {@code output} is a plain string, ShareGPT's {@code from}/{@code value} turns are mapped by
   * LLaMA-Factory to its own templates, which read no thinking key, and OpenAI's chat fine-tuning
   * format accepts no key but role, content and a few of its own in a message.
   */
  public boolean supports(ExportFormat format) {
    return switch (this) {
      case KEEP -> true;
      case STRIP -> !format.problemRows();
      case FIELD -> format == ExportFormat.MESSAGES || format == ExportFormat.PROMPT_COMPLETION;
    };
  }

  /**
   * Refuses a format this mode does not support ({@link #supports}).
   *
   * @throws ConfigException for key {@code thinking}, naming the mode, the format and why
   */
  public void check(ExportFormat format) {
    if (supports(format)) {
      return;
    }
    String why = this == STRIP
        ? "its rows hold a prompt and a ground-truth answer, no solution to strip"
        : switch (format) {
          case ALPACA -> "its output is a plain string, with no assistant message to hold a"
              + " reasoning_content key";
          case SHAREGPT -> "its from/value turns are read by LLaMA-Factory, whose templates read no"
              + " reasoning_content key";
          case OPENAI -> "OpenAI's chat fine-tuning format has no reasoning_content key in a message";
          default -> "its rows hold a prompt and a ground-truth answer, no assistant message";
        };
    throw ConfigException.forKey("thinking", id() + " is not supported by format '"
        + format.id().replace('_', '-') + "': " + why + " (use keep"
        + (this == FIELD && !format.problemRows() ? " or strip" : "")
        + (this == FIELD ? ", or format messages or prompt-completion" : "") + ")");
  }
}
