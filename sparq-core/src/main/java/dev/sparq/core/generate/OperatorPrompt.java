package dev.sparq.core.generate;

import dev.sparq.core.llm.ChatRequest;
import dev.sparq.core.model.Problem;
import java.util.List;
import java.util.Objects;

/**
 * What an {@link Operator} asks the model, and which problems the child will descend from.
 *
 * @param request the chat request
 * @param parents the parents of the child (the primary parent first), for its lineage
 */
public record OperatorPrompt(ChatRequest request, List<Problem> parents) {
  public OperatorPrompt {
    Objects.requireNonNull(request, "request");
    parents = List.copyOf(parents);
    if (parents.isEmpty()) {
      throw new IllegalArgumentException("a child needs at least one parent");
    }
  }
}
