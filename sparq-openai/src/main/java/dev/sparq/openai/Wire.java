package dev.sparq.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparq.core.internal.Json;
import dev.sparq.core.llm.ChatMessage;
import dev.sparq.core.llm.ChatRequest;
import dev.sparq.core.llm.FinishReason;
import dev.sparq.core.llm.ReasoningText;
import dev.sparq.core.llm.SamplingParams;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Function;

/** Request bodies and response parsing of the OpenAI completion protocol subset we use. */
final class Wire {
  /**
   * The shared mapper, except that a single string may be as long as the body: the body is
   * already bounded by {@code maxResponseBytes}, and Jackson's own default limit (20,000,000
   * characters) failed a reply below that bound as malformed JSON, which was then retried.
   */
  private static final ObjectMapper MAPPER = unboundedStrings();

  private static ObjectMapper unboundedStrings() {
    ObjectMapper m = Json.mapper().copy();
    m.getFactory().setStreamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
        .maxStringLength(Integer.MAX_VALUE).build());
    return m;
  }

  private Wire() {}

  /**
   * A parsed choice.
   *
   * @param text the reply as the model wrote it: a thinking field the server sent apart is put back
   *     in front as a {@code <think>} block ({@link ReasoningText#join})
   * @param chars the characters the model generated (thinking plus content, without the tags that
   *     {@link ReasoningText#join} added), the weight of this choice in {@link #splitTokens}
   */
  record Choice(int index, String text, FinishReason finishReason, long chars) {
    Choice(int index, String text, FinishReason finishReason) {
      this(index, text, finishReason, text.length());
    }
  }

  /**
   * A parsed response: choices sorted by index, and the reported usage ({@link Usage#ZERO} with
   * {@code usageReported} false when the response had no {@code usage} object).
   */
  record Parsed(List<Choice> choices, Usage usage, boolean usageReported) {
    Parsed(List<Choice> choices, Usage usage) {
      this(choices, usage, true);
    }
  }

  /** A 200 response whose body is not a completion response. */
  static final class MalformedResponseException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedResponseException(String message) {
      super(message);
    }
  }

  /**
   * The JSON body of one request.
   *
   * @param n completions to ask for
   * @param seed the seed to send, if any
   * @param extras whether to send vLLM/SGLang fields ({@code top_k}, {@code min_p},
   *     {@code repetition_penalty}) when they differ from their neutral values
   */
  static byte[] body(
      Api api,
      String model,
      ChatRequest request,
      Function<ChatRequest, String> promptFormatter,
      SamplingParams p,
      int n,
      OptionalLong seed,
      boolean extras,
      Map<String, Object> extraBody) {
    ObjectNode root = MAPPER.createObjectNode();
    if (model != null) {
      root.put("model", model);
    }
    if (api == Api.CHAT) {
      ArrayNode messages = root.putArray("messages");
      for (ChatMessage m : request.messages()) {
        messages.addObject().put("role", m.role().wireName()).put("content", m.content());
      }
    } else {
      root.put("prompt", promptFormatter.apply(request));
    }
    root.put("n", n);
    root.put("temperature", p.temperature());
    root.put("top_p", p.topP());
    root.put("max_tokens", p.maxTokens());
    if (!p.stop().isEmpty()) {
      ArrayNode stop = root.putArray("stop");
      p.stop().forEach(stop::add);
    }
    if (seed.isPresent()) {
      root.put("seed", wireSeed(seed.getAsLong()));
    }
    if (extras) {
      if (p.topK() > 0) {
        root.put("top_k", p.topK());
      }
      if (p.minP() > 0) {
        root.put("min_p", p.minP());
      }
      if (p.repetitionPenalty() != 1.0) {
        root.put("repetition_penalty", p.repetitionPenalty());
      }
    }
    for (Map.Entry<String, Object> e : extraBody.entrySet()) {
      root.set(e.getKey(), MAPPER.valueToTree(e.getValue()));
    }
    try {
      return MAPPER.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise a request body", e);
    }
  }

  /**
   * The seed as sent: reduced modulo 2^31 into {@code [0, 2^31 - 1]}, the range every server takes
   * (some read {@code seed} as a 32-bit signed integer and answer HTTP 400 to anything larger).
   * Seeds already in range, such as those of {@code StageContext.nextRequestSeed()}, are unchanged.
   */
  static long wireSeed(long seed) {
    return seed & 0x7FFF_FFFFL;
  }

  /** Parses a 200 response body of {@code api}. */
  static Parsed parse(Api api, byte[] body) throws MalformedResponseException {
    JsonNode root;
    try {
      root = MAPPER.readTree(body);
    } catch (IOException e) {
      throw new MalformedResponseException("response is not valid JSON: " + firstLine(e.getMessage()));
    }
    if (root == null || !root.isObject()) {
      throw new MalformedResponseException("response is not a JSON object");
    }
    if (root.hasNonNull("error")) {
      throw new MalformedResponseException("response carries an error: " + excerpt(root.get("error").toString()));
    }
    JsonNode choices = root.get("choices");
    if (choices == null || !choices.isArray() || choices.isEmpty()) {
      throw new MalformedResponseException("response has no 'choices' array, or it is empty");
    }
    List<Choice> out = new ArrayList<>(choices.size());
    for (int i = 0; i < choices.size(); i++) {
      JsonNode c = choices.get(i);
      if (!c.isObject()) {
        throw new MalformedResponseException("choices[" + i + "] is not an object");
      }
      int index = c.path("index").isInt() ? c.get("index").asInt() : i;
      String text;
      long chars;
      if (api == Api.CHAT) {
        JsonNode message = c.get("message");
        if (message == null || !message.isObject()) {
          throw new MalformedResponseException("choices[" + i + "] has no 'message' object");
        }
        JsonNode content = message.get("content");
        if (content != null && !content.isNull() && !content.isTextual()) {
          throw new MalformedResponseException("choices[" + i + "].message.content is not a string");
        }
        String answer = content == null || content.isNull() ? null : content.asText();
        String thinking = thinking(message);
        text = ReasoningText.join(thinking, answer);
        chars = (long) (answer == null ? 0 : answer.length()) + (thinking == null ? 0 : thinking.length());
      } else {
        JsonNode t = c.get("text");
        if (t == null || !t.isTextual()) {
          throw new MalformedResponseException("choices[" + i + "] has no 'text' string");
        }
        text = t.asText();
        chars = text.length();
      }
      JsonNode fr = c.get("finish_reason");
      out.add(new Choice(index, text, FinishReason.fromWire(fr == null || fr.isNull() ? null : fr.asText()),
          chars));
    }
    out.sort(Comparator.comparingInt(Choice::index));
    JsonNode usage = root.get("usage");
    Usage u = Usage.ZERO;
    boolean reported = usage != null && usage.isObject()
        && (usage.path("completion_tokens").isNumber() || usage.path("prompt_tokens").isNumber());
    if (reported) {
      u = new Usage(
          Math.max(0, usage.path("prompt_tokens").asLong(0)),
          Math.max(0, usage.path("completion_tokens").asLong(0)));
    }
    return new Parsed(List.copyOf(out), u, reported);
  }

  /**
   * The thinking a server with a reasoning parser sent apart from {@code content}: the first non-empty
   * string of {@code reasoning_content} (vLLM before 0.11, SGLang, llama.cpp server, LM Studio, the
   * DeepSeek API) and {@code reasoning} (vLLM since 0.11, Ollama); null when there is none. Any other
   * type (an object some gateways send) is not thinking text and is ignored.
   */
  static String thinking(JsonNode message) {
    for (String field : THINKING_FIELDS) {
      JsonNode t = message.get(field);
      if (t != null && t.isTextual() && !t.asText().isEmpty()) {
        return t.asText();
      }
    }
    return null;
  }

  private static final List<String> THINKING_FIELDS = List.of("reasoning_content", "reasoning");

  /**
   * Splits {@code total} completion tokens over choices in proportion to the characters the model
   * generated for each ({@link Choice#chars}: thinking plus content, so thinking tokens are not
   * credited to the choices that thought least)
   * (largest remainder), so that the parts add up to {@code total}. Servers report usage per
   * response, not per choice; with one choice the split is exact.
   */
  static int[] splitTokens(long total, List<Choice> choices) {
    int k = choices.size();
    int[] parts = new int[k];
    if (k == 0 || total <= 0) {
      return parts;
    }
    long chars = 0;
    for (Choice c : choices) {
      chars += c.chars();
    }
    double[] exact = new double[k];
    long assigned = 0;
    for (int i = 0; i < k; i++) {
      exact[i] = chars == 0 ? (double) total / k : (double) total * choices.get(i).chars() / chars;
      parts[i] = (int) Math.min(Integer.MAX_VALUE, (long) Math.floor(exact[i]));
      assigned += parts[i];
    }
    Integer[] order = new Integer[k];
    for (int i = 0; i < k; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> {
      int c = Double.compare(exact[b] - Math.floor(exact[b]), exact[a] - Math.floor(exact[a]));
      return c != 0 ? c : Integer.compare(a, b);
    });
    for (int r = 0; assigned < total && r < k; r++) {
      parts[order[r]]++;
      assigned++;
    }
    return parts;
  }

  /** At most 300 characters of {@code s} on one line. */
  static String excerpt(String s) {
    if (s == null) {
      return "";
    }
    String one = s.replaceAll("\\s+", " ").strip();
    return one.length() <= 300 ? one : one.substring(0, 300) + "...";
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return excerpt(nl < 0 ? s : s.substring(0, nl));
  }
}
