package dev.sparq.core;

import java.util.Objects;

/**
 * Why a stage could not produce a value for one item: for example model output without a
 * {@code <problem>} tag. A rejection is data: the engine counts it by {@link #reason()}, reports it to
 * listeners and skips the item.
 *
 * @param reason a short stable code in snake case, used as a counter key ({@code "missing_problem_tag"})
 * @param detail free text for humans (may be empty)
 */
public record Rejection(String reason, String detail) {
  public Rejection {
    Objects.requireNonNull(reason, "reason");
    detail = detail == null ? "" : detail;
  }

  public static Rejection of(String reason) {
    return new Rejection(reason, "");
  }

  public static Rejection of(String reason, String detail) {
    return new Rejection(reason, detail);
  }
}
