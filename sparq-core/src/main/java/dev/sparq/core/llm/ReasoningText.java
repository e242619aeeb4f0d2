package dev.sparq.core.llm;

import dev.sparq.core.internal.AsciiCase;
import java.util.Objects;

/**
 * Separates a reasoning ("thinking") model's thinking from its visible answer. Every stage that
 * reads completion text (the generator's parser, the solver, the answer resolver, the skill
 * labeller) reads only {@link Split#answer()}, so a {@code <problem>} tag or a {@code \boxed{}}
 * drafted while thinking is never taken for the reply.
 *
 * <p>The rules, applied to the raw text of one completion:
 * <ul>
 *   <li>A closing tag ({@code </think>} or {@code </thinking>}, any ASCII case) ends the thinking.
 *       The last closing tag counts: everything before it is thinking (a leading opening tag and
 *       the whitespace around it dropped), everything after it, without its leading whitespace, is
 *       the answer. An opening tag is not needed: chat templates of DeepSeek-R1 and its distills,
 *       QwQ and the Qwen3 thinking releases put {@code <think>\n} into the generation prompt, so the
 *       reply holds only {@code thinking...</think>answer}.</li>
 *   <li>An opening tag ({@code <think>} or {@code <thinking>}) with no closing tag after it is an
 *       unfinished thinking block: the model stopped (ran out of tokens, was aborted, or ended the
 *       sequence) before it answered. {@link Split#unfinished()} is true and the answer is empty,
 *       whatever stood before the tag.</li>
 *   <li>gpt-oss's raw channel format: text after the last {@code <|channel|>final<|message|>} is the
 *       answer, text before it thinking; a reply that opened an {@code analysis} channel but no
 *       {@code final} one is unfinished. (Servers normally parse these channels themselves.)</li>
 *   <li>Text with none of these markers is all answer, returned unchanged, so replies of models
 *       that do not think are read exactly as before.</li>
 * </ul>
 *
 * <p>This is always on, not an option: {@code </think>} and {@code <think>} are never part of a
 * legitimate math problem, solution or answer, while a model that thinks without the user knowing
 * (Qwen3 thinks by default) would otherwise have its drafts graded and parsed. The thinking stays in
 * the completion's text (and in a rollout's stored text) and in its token count, so budgets count
 * thinking tokens.
 */
public final class ReasoningText {
  /** The opening tag that {@link #join} writes. */
  public static final String OPEN = "<think>";

  /** The closing tag that {@link #join} writes. */
  public static final String CLOSE = "</think>";

  private static final String[] OPEN_TAGS = {"<think>", "<thinking>"};
  private static final String[] CLOSE_TAGS = {"</think>", "</thinking>"};
  private static final String HARMONY_FINAL = "<|channel|>final<|message|>";
  private static final String HARMONY_ANALYSIS = "<|channel|>analysis";

  private ReasoningText() {}

  /**
   * One completion's text, separated.
   *
   * @param thinking the thinking, without its tags (empty when there is none)
   * @param answer the visible answer: what a parser or grader may read (empty when unfinished)
   * @param unfinished whether the text ended inside its thinking, so that it has no answer
   */
  public record Split(String thinking, String answer, boolean unfinished) {
    public Split {
      Objects.requireNonNull(thinking, "thinking");
      Objects.requireNonNull(answer, "answer");
    }

    /** Whether the text had thinking markers at all. */
    public boolean hasThinking() {
      return unfinished || !thinking.isEmpty();
    }
  }

  /** Separates {@code text} (null reads as empty) by the rules of the class description. */
  public static Split split(String text) {
    if (text == null || text.isEmpty()) {
      return new Split("", "", false);
    }
    if (text.indexOf('<') < 0 && text.indexOf('>') < 0) {
      return new Split("", text, false); // the common case of a model that does not think
    }
    String lower = AsciiCase.lower(text);
    int closeAt = -1;
    int closeEnd = -1;
    for (String tag : CLOSE_TAGS) {
      int at = lower.lastIndexOf(tag);
      if (at >= 0 && at + tag.length() > closeEnd) {
        closeAt = at;
        closeEnd = at + tag.length();
      }
    }
    if (closeAt >= 0) {
      int[] reopened = firstOpenFrom(lower, closeEnd);
      if (reopened[0] >= 0) {
        return new Split(text.substring(reopened[1]).strip(), "", true);
      }
      String before = text.substring(0, closeAt);
      int[] open = firstOpen(lower, closeAt);
      String thinking = open[0] >= 0 ? before.substring(open[1]) : before;
      return new Split(thinking.strip(), text.substring(closeEnd).stripLeading(), false);
    }
    int[] open = firstOpen(lower, lower.length());
    if (open[0] >= 0) {
      return new Split(text.substring(open[1]).strip(), "", true);
    }
    int fin = lower.lastIndexOf(HARMONY_FINAL);
    if (fin >= 0) {
      return new Split(text.substring(0, fin).strip(), text.substring(fin + HARMONY_FINAL.length()).stripLeading(),
          false);
    }
    int analysis = lower.indexOf(HARMONY_ANALYSIS);
    if (analysis >= 0) {
      return new Split(text.substring(analysis).strip(), "", true);
    }
    return new Split("", text, false);
  }

  /** The visible answer of {@code text}: {@code split(text).answer()}. */
  public static String answer(String text) {
    return split(text).answer();
  }

  /**
   * The raw text of a reply whose server returned the thinking in a field of its own
   * ({@code reasoning_content} or {@code reasoning}): {@code <think>thinking</think>answer}, so that
   * {@link #split} reads it like the model's own output. A blank or missing {@code answer} leaves the
   * block open ({@code <think>thinking}): such a server answers {@code content: null} when the model
   * stopped before closing its thinking. With no thinking, the answer is returned as it is.
   *
   * @param thinking the thinking field (null or empty when the server sent none)
   * @param answer the content field (null when the server sent none)
   */
  public static String join(String thinking, String answer) {
    if (thinking == null || thinking.isEmpty()) {
      return answer == null ? "" : answer;
    }
    if (answer == null || answer.isBlank()) {
      return OPEN + thinking;
    }
    return OPEN + thinking + CLOSE + answer;
  }

  /** Index and end of the first opening tag before {@code limit}, or {@code {-1, -1}}. */
  private static int[] firstOpen(String lower, int limit) {
    int[] found = firstOpenFrom(lower, 0);
    return found[1] <= limit ? found : new int[] {-1, -1};
  }

  /** Index and end of the first opening tag at or after {@code from}, or {@code {-1, -1}}. */
  private static int[] firstOpenFrom(String lower, int from) {
    int best = -1;
    int end = -1;
    for (String tag : OPEN_TAGS) {
      int at = lower.indexOf(tag, from);
      if (at >= 0 && (best < 0 || at < best)) {
        best = at;
        end = at + tag.length();
      }
    }
    return new int[] {best, end};
  }
}
