package dev.sparq.openai;

import dev.sparq.core.llm.ChatMessage;
import dev.sparq.core.llm.ChatRequest;
import dev.sparq.core.llm.Completion;
import dev.sparq.core.llm.FinishReason;
import dev.sparq.core.llm.SamplingParams;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Reads responses: a size-bounded body, and the parsed choices made honest whatever the server
 * did with the request. Servers differ in what they honour (see {@code src-docs/backends.md}):
 *
 * <ul>
 *   <li>stop strings are applied here as well, so text past the first stop string never comes back
 *       even from a server that ignored {@code stop};
 *   <li>a completion that reached {@code max_tokens} is {@link FinishReason#LENGTH} whatever finish
 *       reason the server sent: by the reported {@code completion_tokens}, by prompt plus completion
 *       tokens equal to {@code max_tokens} (servers that count the prompt in it), or, when the server
 *       sent no {@code usage}, by an estimate of one token per four characters;
 *   <li>a response without {@code usage} gets estimated counts, flagged in the metrics.
 * </ul>
 */
final class ResponseReader {
  /** Bytes of a non-2xx body kept for the error message and the repeat check. */
  static final int ERROR_BODY_BYTES = 64 * 1024;

  private ResponseReader() {}

  /** A 2xx body larger than the configured limit. */
  static final class TooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    TooLargeException(long limit) {
      super("response body exceeds maxResponseBytes (" + limit + " bytes)");
    }
  }

  /**
   * A body handler that keeps at most {@code maxBytes} of a 2xx body (more fails the exchange with
   * {@link TooLargeException}, before the rest is read) and the first {@link #ERROR_BODY_BYTES} of
   * any other body (the rest is dropped).
   */
  static HttpResponse.BodyHandler<byte[]> bounded(long maxBytes) {
    return info -> {
      boolean ok = info.statusCode() >= 200 && info.statusCode() < 300;
      long declared = info.headers().firstValueAsLong("content-length").orElse(-1);
      return new Bounded(ok ? maxBytes : Math.min(maxBytes, ERROR_BODY_BYTES), ok, declared);
    };
  }

  /** Collects up to a limit; past it either fails (2xx) or truncates (errors) and cancels. */
  private static final class Bounded implements HttpResponse.BodySubscriber<byte[]> {
    private final long limit;
    private final boolean failWhenOver;
    private final long declared;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final List<ByteBuffer> parts = new ArrayList<>();
    private Flow.Subscription subscription;
    private long size;

    Bounded(long limit, boolean failWhenOver, long declared) {
      this.limit = limit;
      this.failWhenOver = failWhenOver;
      this.declared = declared;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      if (failWhenOver && declared > limit) {
        s.cancel();
        result.completeExceptionally(new TooLargeException(limit));
        return;
      }
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer b : items) {
        long room = limit - size;
        if (b.remaining() > room) {
          if (failWhenOver) {
            subscription.cancel();
            result.completeExceptionally(new TooLargeException(limit));
            return;
          }
          ByteBuffer head = b.duplicate();
          head.limit(head.position() + (int) room);
          parts.add(head);
          size += room;
          subscription.cancel();
          result.complete(join());
          return;
        }
        parts.add(b);
        size += b.remaining();
      }
    }

    @Override
    public void onError(Throwable t) {
      result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      result.complete(join());
    }

    private byte[] join() {
      byte[] out = new byte[(int) size];
      int at = 0;
      for (ByteBuffer b : parts) {
        int r = b.remaining();
        b.get(out, at, r);
        at += r;
      }
      parts.clear();
      return out;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }
  }

  /** What one response amounts to after the checks: completions and the usage to count. */
  record Read(List<Completion> completions, Usage usage, boolean estimated) {}

  /**
   * The completions of a parsed response (at most {@code askN}, in index order) with stop strings,
   * finish reasons and token counts settled as the class comment says.
   */
  static Read read(Wire.Parsed parsed, int askN, SamplingParams params, ChatRequest request,
      boolean chat) {
    List<Wire.Choice> choices = parsed.choices();
    if (choices.size() > askN) {
      choices = choices.subList(0, askN);
    }
    boolean estimated = !parsed.usageReported();
    long promptTokens;
    int[] tokens;
    if (estimated) {
      promptTokens = estimatePrompt(request);
      tokens = new int[choices.size()];
      for (int k = 0; k < tokens.length; k++) {
        tokens[k] = estimateTokens(choices.get(k).text());
      }
    } else {
      promptTokens = parsed.usage().promptTokens();
      tokens = Wire.splitTokens(parsed.usage().completionTokens(), choices);
    }
    int prompt = (int) Math.min(Integer.MAX_VALUE, promptTokens);
    int max = params.maxTokens();
    List<Completion> out = new ArrayList<>(choices.size());
    long completionTotal = 0;
    for (int k = 0; k < choices.size(); k++) {
      Wire.Choice c = choices.get(k);
      completionTotal += tokens[k];
      String text = c.text();
      int cut = firstStop(text, params.stop());
      FinishReason finish;
      if (cut >= 0) {
        // The text up to a stop string is complete, whatever happened after it.
        text = text.substring(0, cut);
        finish = FinishReason.STOP;
      } else if (c.finishReason() != FinishReason.STOP) {
        finish = c.finishReason();
      } else if (tokens[k] >= max || !estimated && prompt > 0 && (long) prompt + tokens[k] == max) {
        finish = FinishReason.LENGTH;
      } else {
        finish = FinishReason.STOP;
      }
      out.add(new Completion(text, prompt, tokens[k], finish));
    }
    Usage usage = estimated ? new Usage(promptTokens, completionTotal) : parsed.usage();
    return new Read(out, usage, estimated);
  }

  /** Where the earliest of {@code stops} starts in {@code text}, or -1. */
  static int firstStop(String text, List<String> stops) {
    int best = -1;
    for (String s : stops) {
      if (s.isEmpty()) {
        continue;
      }
      int at = text.indexOf(s);
      if (at >= 0 && (best < 0 || at < best)) {
        best = at;
      }
    }
    return best;
  }

  /**
   * An estimate of the tokens in {@code text} for servers that report none: one per four
   * characters (code points), rounded up, the usual figure for BPE tokenizers on English text.
   */
  static int estimateTokens(String text) {
    int chars = text.codePointCount(0, text.length());
    return (chars + 3) / 4;
  }

  private static long estimatePrompt(ChatRequest request) {
    long t = 0;
    for (ChatMessage m : request.messages()) {
      t += estimateTokens(m.content());
    }
    return t;
  }

  static String describe(byte[] body) {
    return new String(Arrays.copyOf(body, Math.min(body.length, ERROR_BODY_BYTES)),
        java.nio.charset.StandardCharsets.UTF_8);
  }
}
