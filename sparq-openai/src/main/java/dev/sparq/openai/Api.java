package dev.sparq.openai;

/** Which OpenAI endpoint a request goes to. */
public enum Api {
  /** {@code POST /chat/completions}: the server applies the model's chat template. */
  CHAT("/chat/completions"),
  /**
   * {@code POST /completions}: a raw prompt. The prompt is made from the chat request by the
   * builder's prompt formatter (apply your chat template there).
   */
  COMPLETIONS("/completions");

  private final String path;

  Api(String path) {
    this.path = path;
  }

  /** The path below the base URL, e.g. {@code /chat/completions}. */
  public String path() {
    return path;
  }
}
