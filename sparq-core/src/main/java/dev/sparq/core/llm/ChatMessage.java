package dev.sparq.core.llm;

import java.util.Objects;

/**
 * One message of a chat conversation.
 *
 * @param role who speaks
 * @param content the text
 */
public record ChatMessage(Role role, String content) {
  /** Speaker roles, as in the OpenAI and Hugging Face chat formats. */
  public enum Role {
    SYSTEM,
    USER,
    ASSISTANT;

    /** The lower-case wire name ({@code "system"}, {@code "user"}, {@code "assistant"}). */
    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public ChatMessage {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(content, "content");
  }

  public static ChatMessage system(String content) {
    return new ChatMessage(Role.SYSTEM, content);
  }

  public static ChatMessage user(String content) {
    return new ChatMessage(Role.USER, content);
  }

  public static ChatMessage assistant(String content) {
    return new ChatMessage(Role.ASSISTANT, content);
  }
}
