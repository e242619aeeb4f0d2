package dev.sparq.core.llm;

import java.util.List;

/**
 * One conversation to complete.
 *
 * @param messages the messages, oldest first (at least one)
 */
public record ChatRequest(List<ChatMessage> messages) {
  public ChatRequest {
    messages = List.copyOf(messages);
    if (messages.isEmpty()) {
      throw new IllegalArgumentException("a chat request needs at least one message");
    }
  }

  public static ChatRequest of(ChatMessage... messages) {
    return new ChatRequest(List.of(messages));
  }

  /** A request with one user message. */
  public static ChatRequest user(String content) {
    return of(ChatMessage.user(content));
  }

  /** A request with a system prompt (skipped when null or blank) and one user message. */
  public static ChatRequest of(String system, String user) {
    if (system == null || system.isBlank()) {
      return user(user);
    }
    return of(ChatMessage.system(system), ChatMessage.user(user));
  }
}
