package dev.sparq.core.llm;

/** Why a completion ended, with the OpenAI / vLLM wire names. */
public enum FinishReason {
  /** An end-of-sequence token or a stop string was produced. */
  STOP("stop"),
  /** {@code max_tokens} (or the context length) was reached: the text is truncated. */
  LENGTH("length"),
  /** The backend aborted the sequence. */
  ABORT("abort");

  private final String wireName;

  FinishReason(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  /** Parses a wire name; unknown or null names map to {@link #STOP}. */
  public static FinishReason fromWire(String name) {
    if (name == null) {
      return STOP;
    }
    for (FinishReason r : values()) {
      if (r.wireName.equals(name)) {
        return r;
      }
    }
    return STOP;
  }
}
