package dev.sparq.openai;

import dev.sparq.core.internal.IoMessages;
import dev.sparq.core.ConfigException;
import dev.sparq.core.ModelException;
import dev.sparq.core.llm.ChatMessage;
import dev.sparq.core.llm.ChatRequest;
import dev.sparq.core.llm.Completion;
import dev.sparq.core.llm.LanguageModel;
import dev.sparq.core.llm.SamplingParams;
import dev.sparq.core.llm.TokenUsage;
import dev.sparq.core.llm.UsageReporting;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

/**
 * A {@link LanguageModel} served by one or several OpenAI-compatible inference servers (vLLM,
 * SGLang, llama.cpp server, Ollama, TGI), over {@code POST /v1/chat/completions} (or
 * {@code /v1/completions} with {@link Api#COMPLETIONS}).
 *
 * <pre>{@code
 * try (OpenAiLanguageModel model = OpenAiLanguageModel.builder()
 *     .endpoint("http://gpu-1:8000/v1")
 *     .endpoint("http://gpu-2:8000/v1")
 *     .model("google/gemma-2-9b-it")
 *     .maxConcurrencyPerEndpoint(64)
 *     .build()) {
 *   List<List<Completion>> out = model.complete(requests, params);
 * }
 * }</pre>
 *
 * <p>The requests of one {@link #complete} call are sent concurrently (at most {@link
 * Builder#maxInFlight} at once for the whole model, and each endpoint's limit), each to the healthy
 * endpoint with the fewest requests in flight. Results come back in request order, each with
 * exactly {@code params.n()} completions. Failed attempts (HTTP 429, 5xx, 408, resets, timeouts,
 * malformed JSON) are retried per the {@link RetryPolicy}, possibly on another endpoint; when the
 * attempts are spent the call fails with a {@link ModelException} naming the endpoint and the HTTP
 * status. Other 4xx answers fail at once. An endpoint failing too often in a row is rested per the
 * {@link HealthPolicy}. The same 500 answer (status and body) to the same request twice in a row is
 * the request's fault and fails at once; 502, 503 and 504 are always retried.
 *
 * <p><b>Sampling parameters</b> go at the top level of the body: {@code n}, {@code temperature},
 * {@code top_p}, {@code max_tokens}, {@code stop} (when not empty), {@code seed} (when set), and,
 * unless {@link Builder#samplingExtras(boolean)} is off, vLLM/SGLang's {@code top_k}, {@code min_p}
 * and {@code repetition_penalty} when they differ from their neutral values. Anything else (for
 * example {@code stop_token_ids}) goes in {@link Builder#extraBody(String, Object)} or {@link
 * Endpoint#withExtraBody}. Seeds are sent in the range {@code [0, 2^31 - 1]} that every server takes.
 * When an endpoint refuses {@code n} (HTTP 400 or 422 to a request with {@code n > 1}, whatever the
 * body says) or returns fewer choices, its {@code n} limit is learned (halved until accepted) and
 * the missing samples are requested in smaller requests, sample {@code i} with seed
 * {@code seed + i}; see {@link NSupport}.
 *
 * <p><b>What servers ignore</b> is made up for here: stop strings are applied to the returned text
 * too, a completion that reached {@code max_tokens} is {@link
 * dev.sparq.core.llm.FinishReason#LENGTH} whatever the server said, and a response without {@code
 * usage} gets estimated token counts (one warning per endpoint; {@link
 * OpenAiMetrics#usageEstimated()} says so). Response bodies are bounded ({@link
 * Builder#maxResponseBytes}).
 *
 * <p><b>Token counts.</b> Each {@link Completion} carries the prompt tokens the server reported and
 * its share of the completion tokens (servers report one total per response; with {@code n > 1} it
 * is split in proportion to the text lengths, so the shares add up to the total). {@link
 * #metrics()} holds the exact totals per endpoint.
 *
 * <p>The API key is sent as a bearer token; it never appears in {@link #toString()}, log lines or
 * exception messages. Thread-safe; {@link #close()} stops the worker threads.
 */
public final class OpenAiLanguageModel implements LanguageModel, UsageReporting {
  private final String name;
  private final Api api;
  private final EndpointPool pool;
  private final HttpClient http;
  private final ThreadPoolExecutor executor;
  private final ScheduledThreadPoolExecutor watchdogs;
  private final RetryPolicy retry;
  private final RequestMapper mapper;
  private final ClientEvents events;
  private final RandomGenerator jitterRandom;
  private final Set<ApiKey> keys;
  private final int maxInFlight;
  private final long maxResponseBytes;
  private volatile boolean closed;

  private OpenAiLanguageModel(Builder b, List<EndpointPool.State> states, int maxInFlight) {
    this.api = b.api;
    this.retry = b.retryPolicy;
    this.mapper = new RequestMapper(b.api, b.promptFormatter, b.samplingExtras, b.requestTimeout);
    this.jitterRandom = b.jitterRandom == null ? new SplittableRandom() : b.jitterRandom;
    this.maxInFlight = maxInFlight;
    this.maxResponseBytes = b.maxResponseBytes;
    Set<ApiKey> k = new LinkedHashSet<>();
    for (EndpointPool.State s : states) {
      if (s.key != null) {
        k.add(s.key);
      }
    }
    this.keys = Set.copyOf(k);
    this.name = b.name != null
        ? b.name
        : "openai[" + states.stream().map(s -> s.model == null ? "default" : s.model).distinct()
            .collect(Collectors.joining(",")) + " x" + states.size() + "]";
    this.events = new ClientEvents(name, b.listeners);
    this.pool = new EndpointPool(states, b.healthPolicy, events::rested);
    this.http = b.httpClient != null
        ? b.httpClient
        : HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(b.connectTimeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    AtomicInteger threadNo = new AtomicInteger();
    ThreadFactory tf = r -> {
      Thread t = new Thread(r, "sparq-openai-" + threadNo.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    this.executor = new ThreadPoolExecutor(
        maxInFlight, maxInFlight, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), tf);
    this.executor.allowCoreThreadTimeOut(true);
    this.watchdogs = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "sparq-openai-watchdog");
      t.setDaemon(true);
      return t;
    });
    this.watchdogs.setRemoveOnCancelPolicy(true);
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return name;
  }

  /**
   * A snapshot of the counters: tokens (estimated where a server sent no {@code usage}, see {@link
   * OpenAiMetrics#usageEstimated()}), attempts, retries, failures by kind, rests.
   */
  public OpenAiMetrics metrics() {
    return pool.metrics();
  }

  /**
   * The prompt and completion tokens, all endpoints together: as the servers reported them, or
   * estimated for responses without {@code usage}.
   */
  @Override
  public TokenUsage tokenUsage() {
    Usage u = metrics().usage();
    return new TokenUsage(u.promptTokens(), u.completionTokens());
  }

  /** The most requests this model has in flight at once, over all endpoints. */
  public int maxInFlight() {
    return maxInFlight;
  }

  /** The endpoints, as configured, in order. */
  public List<Endpoint> endpoints() {
    return pool.states().stream().map(s -> s.endpoint).collect(Collectors.toList());
  }

  /**
   * How endpoint {@code index} handles {@code n > 1} now: its configured mode, or {@link
   * NSupport#FAN_OUT} once an {@link NSupport#AUTO} endpoint has learned that it must fan out.
   */
  public NSupport nSupport(int index) {
    return pool.states().get(index).nSupport();
  }

  /**
   * The most choices endpoint {@code index} is asked for in one request now: {@link
   * Integer#MAX_VALUE} until a limit is learned, 1 when it fans out.
   */
  public int nLimit(int index) {
    return pool.states().get(index).nLimit();
  }

  // ---------------------------------------------------------------------------------------------

  /** A unit of work: samples {@code [firstSlot, firstSlot + count)} of request {@code request}. */
  private record Call(int request, int firstSlot, int count) {}

  /** What a worker hands back to the calling thread. */
  private record Done(Call call, List<Completion> completions, RuntimeException error) {}

  /** State shared by the workers of one {@link #complete} call. */
  private static final class Job {
    volatile boolean cancelled;
  }

  @Override
  public List<List<Completion>> complete(List<ChatRequest> requests, SamplingParams params) {
    Objects.requireNonNull(requests, "requests");
    Objects.requireNonNull(params, "params");
    if (closed) {
      throw new IllegalStateException(name + " is closed");
    }
    if (requests.isEmpty()) {
      return List.of();
    }
    int n = params.n();
    Completion[][] slots = new Completion[requests.size()][n];
    List<Call> initial = new ArrayList<>();
    for (int i = 0; i < requests.size(); i++) {
      Objects.requireNonNull(requests.get(i), "requests[" + i + "]");
      chunk(i, 0, n, initial);
    }
    Job job = new Job();
    BlockingQueue<Done> done = new LinkedBlockingQueue<>();
    List<Future<?>> futures = new ArrayList<>();
    boolean ok = false;
    try {
      int pending = 0;
      for (Call c : initial) {
        futures.add(submit(job, c, requests.get(c.request()), params, done));
        pending++;
      }
      List<Call> more = new ArrayList<>();
      while (pending > 0) {
        Done d = done.take();
        pending--;
        if (d.error() != null) {
          throw d.error();
        }
        Call c = d.call();
        List<Completion> got = d.completions();
        for (int k = 0; k < got.size(); k++) {
          slots[c.request()][c.firstSlot() + k] = got.get(k);
        }
        // Fewer choices than asked for: ask for the missing samples, in requests the endpoints take.
        more.clear();
        chunk(c.request(), c.firstSlot() + got.size(), c.count() - got.size(), more);
        for (Call m : more) {
          futures.add(submit(job, m, requests.get(m.request()), params, done));
          pending++;
        }
      }
      ok = true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ModelException(name + ": interrupted while waiting for completions", e);
    } finally {
      if (!ok) {
        job.cancelled = true;
        for (Future<?> f : futures) {
          f.cancel(true);
        }
      }
    }
    List<List<Completion>> out = new ArrayList<>(requests.size());
    for (Completion[] row : slots) {
      out.add(List.of(row));
    }
    return Collections.unmodifiableList(out);
  }

  /** Splits samples {@code [from, from + count)} into calls no larger than any endpoint takes. */
  private void chunk(int request, int from, int count, List<Call> out) {
    int size = Math.max(1, Math.min(count, pool.largestNLimit()));
    for (int j = from; j < from + count; j += size) {
      out.add(new Call(request, j, Math.min(size, from + count - j)));
    }
  }

  private Future<?> submit(
      Job job, Call call, ChatRequest request, SamplingParams params, BlockingQueue<Done> done) {
    try {
      return executor.submit(() -> {
        try {
          done.add(new Done(call, runCall(job, call, request, params), null));
        } catch (RuntimeException e) {
          done.add(new Done(call, null, e));
        } catch (Error e) {
          done.add(new Done(call, null, new ModelException(name + ": worker failed: " + e, e)));
          throw e;
        }
      });
    } catch (RejectedExecutionException e) {
      throw new IllegalStateException(name + " is closed", e);
    }
  }

  /** A failed attempt. */
  private record AttemptFailure(
      FailureKind kind, int status, String detail, Duration retryAfter, Throwable cause) {
    String describe() {
      return (status > 0 ? "HTTP " + status : kind.name().toLowerCase(java.util.Locale.ROOT))
          + (detail.isEmpty() ? "" : ": " + detail);
    }
  }

  /** Runs one call to completion: attempts, retries and backoff. Returns 1..count completions. */
  private List<Completion> runCall(Job job, Call call, ChatRequest request, SamplingParams params) {
    int attempt = 0;
    RetryRules.Repeat repeat = new RetryRules.Repeat();
    while (true) {
      if (job.cancelled || closed) {
        throw new ModelException(name + ": cancelled");
      }
      EndpointPool.State ep;
      try {
        ep = pool.acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ModelException(name + ": interrupted", e);
      }
      int askN = Math.min(call.count(), ep.nLimit());
      attempt++;
      ep.attempts.increment();
      long t0 = System.nanoTime();
      AttemptFailure failure;
      try {
        HttpResponse<byte[]> resp =
            send(mapper.request(ep, request, params, askN,
                (long) call.request() * params.n() + call.firstSlot()), mapper.timeout(ep));
        int status = resp.statusCode();
        if (status >= 200 && status < 300) {
          Wire.Parsed parsed;
          try {
            parsed = Wire.parse(api, resp.body());
            failure = null;
          } catch (Wire.MalformedResponseException e) {
            parsed = null;
            failure = new AttemptFailure(FailureKind.MALFORMED, 0, redact(e.getMessage()), null, null);
          }
          if (parsed != null) {
            pool.release(ep, EndpointPool.Outcome.SUCCESS);
            return accept(ep, request, params, askN, parsed, Duration.ofNanos(System.nanoTime() - t0));
          }
          repeat.reset();
        } else {
          byte[] raw = resp.body();
          String body = Wire.excerpt(redact(ResponseReader.describe(raw)));
          if (RetryRules.refusesN(status, askN, ep.nSupport())) {
            // Not a failure of the endpoint: it does not take this many choices. Halve and ask again.
            pool.release(ep, EndpointPool.Outcome.NEUTRAL);
            learnNLimit(ep, askN / 2, "HTTP " + status + " for n=" + askN + ": " + body);
            attempt--;
            continue;
          }
          FailureKind kind = RetryRules.classify(status);
          String detail = body;
          if (kind == FailureKind.SERVER_ERROR && RetryRules.repeatMeansBadRequest(status)) {
            if (repeat.again(status, raw)) {
              kind = FailureKind.CLIENT_ERROR;
              detail = body + " (the same answer twice in a row: the request itself fails)";
            }
          } else {
            repeat.reset();
          }
          failure = new AttemptFailure(kind, status, detail, RetryRules.retryAfter(resp.headers()), null);
        }
      } catch (HttpConnectTimeoutException e) {
        // a subclass of HttpTimeoutException: the server was not reached at all, which the request
        // timeout's message ("no response within 300000 ms", seconds after the start) hid
        repeat.reset();
        failure = new AttemptFailure(FailureKind.CONNECTION, 0, "HttpConnectTimeoutException: no connection"
            + http.connectTimeout().map(d -> " within " + d.toMillis() + " ms").orElse("")
            + " (the server does not accept connections: down, overloaded, or a firewall drops them)", null, e);
      } catch (HttpTimeoutException e) {
        repeat.reset();
        failure = new AttemptFailure(FailureKind.TIMEOUT, 0,
            "no response within " + mapper.timeout(ep).toMillis() + " ms", null, e);
      } catch (IOException e) {
        repeat.reset();
        if (tooLarge(e)) {
          failure = new AttemptFailure(FailureKind.TOO_LARGE, 0,
              "response body exceeds maxResponseBytes (" + maxResponseBytes + " bytes)", null, null);
        } else {
          // the exception and what its causes add ("ConnectException: Connection refused")
          String what = IoMessages.describe(e);
          String type = e.getClass().getSimpleName();
          failure = new AttemptFailure(FailureKind.CONNECTION, 0,
              redact(what.startsWith(type) ? what : type + ": " + what), null, e);
        }
      } catch (InterruptedException e) {
        pool.release(ep, EndpointPool.Outcome.NEUTRAL);
        Thread.currentThread().interrupt();
        throw new ModelException(name + ": interrupted", e);
      } catch (RuntimeException e) {
        pool.release(ep, EndpointPool.Outcome.NEUTRAL);
        throw e;
      }
      ep.failures.get(failure.kind()).increment();
      pool.release(ep, failure.kind().retryable()
          ? EndpointPool.Outcome.FAILURE : EndpointPool.Outcome.NEUTRAL, failure.describe());
      String where = "POST " + ep.name + api.path();
      if (!failure.kind().retryable()) {
        throw new ModelException(name + ": " + where + " failed with " + failure.describe()
            + (failure.kind() == FailureKind.TOO_LARGE ? " (not retried)"
                : " (not retried: the server refused the request itself)"), failure.cause());
      }
      if (attempt >= retry.maxAttempts()) {
        throw new ModelException(name + ": request " + call.request() + " failed after "
            + attempt + " attempt" + (attempt == 1 ? "" : "s") + "; last: " + where + " -> "
            + failure.describe(), failure.cause());
      }
      Duration delay = retry.delay(attempt, uniform(), failure.retryAfter());
      ep.retries.increment();
      events.retry(new RetryEvent(
          ep.name, attempt, failure.kind(), failure.status(), delay, failure.describe()), call.request());
      try {
        TimeUnit.NANOSECONDS.sleep(delay.toNanos());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ModelException(name + ": interrupted", e);
      }
    }
  }

  private static boolean tooLarge(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ResponseReader.TooLargeException) {
        return true;
      }
    }
    return false;
  }

  /**
   * Sends one request and waits for the whole response, at most {@code timeout}. The HttpClient's
   * own timeout only covers the arrival of the response headers, so a server that stalls in the
   * middle of a body would otherwise hold the worker until the connection dies; a watchdog
   * interrupts the blocking send at the deadline instead, which makes the client cancel the
   * exchange. (Blocking send with a watchdog costs far less CPU than sendAsync, which hands every
   * response to another thread.) The body is bounded by {@code maxResponseBytes}.
   */
  private HttpResponse<byte[]> send(HttpRequest request, Duration timeout)
      throws IOException, InterruptedException {
    SendDeadline deadline = SendDeadline.arm(watchdogs, timeout);
    try {
      return http.send(request, ResponseReader.bounded(maxResponseBytes));
    } catch (InterruptedException | IOException e) {
      if (deadline.fired()) {
        throw new HttpTimeoutException("no complete response within " + timeout.toMillis() + " ms");
      }
      throw e;
    } finally {
      deadline.disarm();
    }
  }

  private List<Completion> accept(EndpointPool.State ep, ChatRequest request,
      SamplingParams params, int askN, Wire.Parsed parsed, Duration latency) {
    ResponseReader.Read read = ResponseReader.read(parsed, askN, params, request, api == Api.CHAT);
    ep.responses.increment();
    ep.promptTokens.add(read.usage().promptTokens());
    ep.completionTokens.add(read.usage().completionTokens());
    if (read.estimated()) {
      ep.estimatedUsage.increment();
      events.usageMissing(ep);
    }
    events.response(ep, read.usage(), parsed.choices().size(), latency);
    int got = read.completions().size();
    if (got < askN && askN > 1 && ep.nSupport() == NSupport.AUTO) {
      learnNLimit(ep, got, "asked for n=" + askN + ", got " + got + " choice(s)");
    }
    return read.completions();
  }

  private void learnNLimit(EndpointPool.State ep, int limit, String evidence) {
    int learned = ep.learnNLimit(limit);
    if (learned > 0) {
      events.nLimitLearned(ep, learned, evidence);
    }
  }

  /**
   * The wait a server asked for: {@code retry-after-ms}, else {@code Retry-After} as seconds or an
   * HTTP date; null when absent or unreadable; never more than an hour. See {@link RetryRules}.
   */
  static Duration retryAfter(HttpHeaders headers) {
    return RetryRules.retryAfter(headers);
  }

  private double uniform() {
    synchronized (jitterRandom) {
      return jitterRandom.nextDouble();
    }
  }

  private String redact(String text) {
    String t = text;
    for (ApiKey k : keys) {
      t = k.redact(t);
    }
    return t;
  }

  /** Stops the worker threads; calls in progress fail. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    executor.shutdownNow();
    watchdogs.shutdownNow();
    try {
      executor.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The name, API, and endpoints; keys are shown only as {@code ****}. */
  @Override
  public String toString() {
    return "OpenAiLanguageModel[" + name + ", api=" + api + ", maxInFlight=" + maxInFlight
        + ", endpoints=" + pool.states().stream()
            .map(s -> "[" + s.name + (s.model == null ? "" : ", model=" + s.model)
                + ", maxConcurrency=" + s.limit + ", n=" + s.nSupport()
                + (s.nLimit() == Integer.MAX_VALUE ? "" : ", nLimit=" + s.nLimit())
                + (s.key == null ? "" : ", apiKey=" + s.key) + "]")
            .collect(Collectors.joining(", ", "[", "]"))
        + "]";
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Builder of {@link OpenAiLanguageModel}. At least one endpoint is required; everything else has
   * a default. Endpoint-level settings ({@link Endpoint#withModel}, {@link
   * Endpoint#withMaxConcurrency}, {@link Endpoint#withApiKey}, {@link Endpoint#withNSupport}) win
   * over the builder's.
   */
  public static final class Builder {
    private final List<Endpoint> endpoints = new ArrayList<>();
    private String model;
    private ApiKey apiKey;
    private String apiKeyVariable;
    private Function<String, String> environment = System::getenv;
    private Api api = Api.CHAT;
    private NSupport nSupport = NSupport.AUTO;
    private int maxConcurrencyPerEndpoint = 64;
    private int maxInFlight;
    private Duration requestTimeout = Duration.ofMinutes(5);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private HealthPolicy healthPolicy = HealthPolicy.defaults();
    private boolean samplingExtras = true;
    private final Map<String, Object> extraBody = new LinkedHashMap<>();
    private Function<ChatRequest, String> promptFormatter = Builder::joinContents;
    private final List<OpenAiListener> listeners = new ArrayList<>();
    private RandomGenerator jitterRandom;
    private String name;
    private HttpClient httpClient;
    private long maxResponseBytes = 32L << 20;

    private Builder() {}

    /**
     * The largest response body accepted (default 32 MiB): a larger 2xx answer fails the request
     * ({@link FailureKind#TOO_LARGE}, not retried) as soon as the limit is passed, without
     * buffering the rest; of an error answer only the first 64 KiB are read.
     */
    public Builder maxResponseBytes(long bytes) {
      if (bytes < 1024 || bytes > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException(
            "maxResponseBytes must be in [1024, " + (Integer.MAX_VALUE - 8) + "], was " + bytes);
      }
      this.maxResponseBytes = bytes;
      return this;
    }

    /** Adds a server by base URL, e.g. {@code http://127.0.0.1:8000/v1}. */
    public Builder endpoint(String baseUrl) {
      return endpoint(Endpoint.of(baseUrl));
    }

    /** Adds a server. */
    public Builder endpoint(Endpoint endpoint) {
      endpoints.add(Objects.requireNonNull(endpoint, "endpoint"));
      return this;
    }

    /** Adds servers by base URL. */
    public Builder endpoints(List<String> baseUrls) {
      baseUrls.forEach(this::endpoint);
      return this;
    }

    /** The model name sent as {@code model} (default: none, which llama.cpp and vLLM accept). */
    public Builder model(String model) {
      Objects.requireNonNull(model, "model");
      if (model.isBlank()) {
        throw new IllegalArgumentException("model name must not be blank");
      }
      this.model = model;
      return this;
    }

    /** The API key for every endpoint without its own. */
    public Builder apiKey(String key) {
      this.apiKey = ApiKey.of(key);
      this.apiKeyVariable = null;
      return this;
    }

    /** The API key for every endpoint without its own. */
    public Builder apiKey(ApiKey key) {
      this.apiKey = Objects.requireNonNull(key, "key");
      this.apiKeyVariable = null;
      return this;
    }

    /**
     * Reads the API key from an environment variable when {@link #build()} runs (which fails with
     * a {@link ConfigException} naming the variable when it is unset).
     */
    public Builder apiKeyFromEnvironment(String variable) {
      Objects.requireNonNull(variable, "variable");
      this.apiKeyVariable = variable;
      this.apiKey = null;
      return this;
    }

    /** {@link #apiKeyFromEnvironment(String)} with {@code OPENAI_API_KEY}. */
    public Builder apiKeyFromEnvironment() {
      return apiKeyFromEnvironment("OPENAI_API_KEY");
    }

    /** Where environment variables are read from (tests). */
    Builder environment(Function<String, String> env) {
      this.environment = Objects.requireNonNull(env, "env");
      return this;
    }

    /** Chat completions (default) or raw-prompt completions. */
    public Builder api(Api api) {
      this.api = Objects.requireNonNull(api, "api");
      return this;
    }

    /**
     * How the prompt of {@link Api#COMPLETIONS} is made from a chat request. The default joins the
     * message contents with blank lines; put your model's chat template here.
     */
    public Builder promptFormatter(Function<ChatRequest, String> formatter) {
      this.promptFormatter = Objects.requireNonNull(formatter, "formatter");
      return this;
    }

    /** How endpoints without their own setting handle {@code n > 1} (default {@link NSupport#AUTO}). */
    public Builder nSupport(NSupport support) {
      this.nSupport = Objects.requireNonNull(support, "support");
      return this;
    }

    /** Requests in flight per endpoint without its own limit (default 64). */
    public Builder maxConcurrencyPerEndpoint(int limit) {
      if (limit < 1) {
        throw new IllegalArgumentException("maxConcurrencyPerEndpoint must be >= 1, was " + limit);
      }
      this.maxConcurrencyPerEndpoint = limit;
      return this;
    }

    /**
     * Requests in flight for the whole model, i.e. worker threads (default: the sum of the
     * endpoints' limits, at most 1024).
     */
    public Builder maxInFlight(int limit) {
      if (limit < 1) {
        throw new IllegalArgumentException("maxInFlight must be >= 1, was " + limit);
      }
      this.maxInFlight = limit;
      return this;
    }

    /** Time for one attempt, from sending to the full response (default 5 minutes). */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = positive(timeout, "requestTimeout");
      return this;
    }

    /** Time to open a connection (default 10 s). Ignored with {@link #httpClient}. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    /** The retry policy (default {@link RetryPolicy#defaults()}). */
    public Builder retryPolicy(RetryPolicy policy) {
      this.retryPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** The health policy (default {@link HealthPolicy#defaults()}). */
    public Builder healthPolicy(HealthPolicy policy) {
      this.healthPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Whether {@code top_k}, {@code min_p} and {@code repetition_penalty} are sent (when not
     * neutral). vLLM, SGLang and llama.cpp accept them; the OpenAI API does not. Default true.
     */
    public Builder samplingExtras(boolean send) {
      this.samplingExtras = send;
      return this;
    }

    /**
     * A field added to every request body, e.g. {@code stop_token_ids} or
     * {@code chat_template_kwargs}; serialised with Jackson. Overrides a mapped field of the same
     * name.
     */
    public Builder extraBody(String field, Object value) {
      Objects.requireNonNull(field, "field");
      extraBody.put(field, value);
      return this;
    }

    /** Adds a listener. */
    public Builder listener(OpenAiListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * The random source of the backoff jitter (default: a fresh {@link SplittableRandom}). Jitter
     * only changes when retries happen, never what the model returns.
     */
    public Builder jitterRandom(RandomGenerator random) {
      this.jitterRandom = Objects.requireNonNull(random, "random");
      return this;
    }

    /** The name in logs and reports (default: {@code openai[<model> x<endpoints>]}). */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * An HttpClient to use instead of the model's own (for proxies or TLS settings). Prefer
     * HTTP/1.1: inference servers speak it, and each request then gets its own connection.
     */
    public Builder httpClient(HttpClient client) {
      this.httpClient = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * Builds the model.
     *
     * @throws ConfigException when no endpoint is configured or the API key variable is unset
     */
    public OpenAiLanguageModel build() {
      if (endpoints.isEmpty()) {
        throw new ConfigException("an OpenAI-compatible model needs at least one endpoint");
      }
      ApiKey key = apiKey;
      if (apiKeyVariable != null) {
        key = ApiKey.fromEnvironment(apiKeyVariable, environment);
      }
      List<EndpointPool.State> states = new ArrayList<>();
      long total = 0;
      Set<URI> seen = new LinkedHashSet<>();
      for (Endpoint e : endpoints) {
        if (!seen.add(e.baseUri())) {
          throw new ConfigException("endpoint " + e.displayName() + " is configured twice");
        }
        int limit = e.maxConcurrency() > 0 ? e.maxConcurrency() : maxConcurrencyPerEndpoint;
        total += limit;
        URI uri = URI.create(e.baseUri() + api.path());
        Map<String, Object> extra = new LinkedHashMap<>(extraBody);
        extra.putAll(e.extraBody());
        states.add(new EndpointPool.State(
            e, uri, e.model().orElse(model), limit, e.apiKey().orElse(key),
            e.nSupport().orElse(nSupport), e.timeout().orElse(null),
            Collections.unmodifiableMap(extra)));
      }
      int inFlight = maxInFlight > 0 ? maxInFlight : (int) Math.min(1024, total);
      return new OpenAiLanguageModel(this, states, inFlight);
    }

    private static Duration positive(Duration d, String what) {
      Objects.requireNonNull(d, what);
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException(what + " must be > 0, was " + d);
      }
      return d;
    }

    private static String joinContents(ChatRequest request) {
      return request.messages().stream().map(ChatMessage::content)
          .collect(Collectors.joining("\n\n"));
    }
  }
}
