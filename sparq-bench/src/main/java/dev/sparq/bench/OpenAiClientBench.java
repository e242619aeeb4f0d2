package dev.sparq.bench;

import dev.sparq.core.llm.ChatRequest;
import dev.sparq.core.llm.Completion;
import dev.sparq.core.llm.SamplingParams;
import dev.sparq.testkit.openai.FakeOpenAiServer;
import dev.sparq.openai.OpenAiLanguageModel;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Requests per second that {@link OpenAiLanguageModel} sustains against the in-process
 * OpenAI-compatible server with 64 requests in flight, side by side with the server's own capacity
 * measured in the same run by a bare JDK HttpClient that sends prebuilt bodies and does not parse
 * the answers. A ratio near 1 means the client is not the bottleneck.
 *
 * <p>Three loads, each in two rounds after a warm-up: {@code raw} (64 threads, bare HttpClient),
 * {@code client-64x1} (64 threads, each calling {@code complete} with one request) and
 * {@code client-batch64} (one thread calling {@code complete} with 64 requests, as the engine
 * does). Run once with no server latency (pure protocol overhead, CPU-bound) and once with a
 * simulated inference time per request (the server's capacity is then 64 / latency).
 *
 * <pre>
 * mvn -B -q -pl sparq-bench -am package -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true
 * java -cp sparq-bench/target/benchmarks.jar dev.sparq.bench.OpenAiClientBench [seconds] [latencyMs]
 * </pre>
 */
public final class OpenAiClientBench {
  private static final int CONCURRENCY = 64;

  private OpenAiClientBench() {}

  /** Entry point: {@code [seconds per measurement, default 4] [simulated latency ms, default 20]}. */
  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 4;
    long latencyMs = args.length > 1 ? Long.parseLong(args[1]) : 20;
    System.out.printf(Locale.ROOT, "OpenAiClientBench: %d in flight, %.1f s per measurement, %d cores, %s%n",
        CONCURRENCY, seconds, Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"));
    scenario(0, seconds);
    scenario(latencyMs, seconds);
  }

  private static void scenario(long latencyMs, double seconds) throws Exception {
    FakeOpenAiServer.Config cfg = new FakeOpenAiServer.Config();
    cfg.latency = Duration.ofMillis(latencyMs);
    cfg.threads = 2 * CONCURRENCY;
    List<ChatRequest> requests = new ArrayList<>();
    StringBuilder filler = new StringBuilder();
    for (int i = 0; i < 120; i++) {
      filler.append("word").append(i).append(' ');
    }
    for (int i = 0; i < CONCURRENCY; i++) {
      requests.add(ChatRequest.of("You are a careful mathematician.", "problem " + i + ": " + filler));
    }
    SamplingParams params = SamplingParams.builder().seed(1).maxTokens(256).temperature(0.8).build();
    try (FakeOpenAiServer server = FakeOpenAiServer.start(cfg);
        OpenAiLanguageModel model = OpenAiLanguageModel.builder()
            .endpoint(server.baseUrl()).model("bench").maxConcurrencyPerEndpoint(CONCURRENCY).build()) {
      HttpClient raw = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      List<byte[]> bodies = new ArrayList<>();
      for (ChatRequest r : requests) {
        String body = "{\"model\":\"bench\",\"messages\":[{\"role\":\"system\",\"content\":\""
            + r.messages().get(0).content() + "\"},{\"role\":\"user\",\"content\":\""
            + r.messages().get(1).content() + "\"}],\"n\":1,\"temperature\":0.8,\"top_p\":1.0,"
            + "\"max_tokens\":256,\"seed\":1}";
        bodies.add(body.getBytes(StandardCharsets.UTF_8));
      }
      URI uri = URI.create(server.baseUrl() + "/chat/completions");
      Load rawLoad = new Load("raw HttpClient (server capacity)", CONCURRENCY, i -> {
        HttpResponse<byte[]> resp = raw.send(HttpRequest.newBuilder(uri)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(bodies.get(i % CONCURRENCY))).build(),
            HttpResponse.BodyHandlers.ofByteArray());
        if (resp.statusCode() != 200) {
          throw new IllegalStateException("HTTP " + resp.statusCode());
        }
        return 1;
      });
      Load perThread = new Load("client, 64 threads x complete(1)", CONCURRENCY, i -> {
        List<List<Completion>> out = model.complete(List.of(requests.get(i % CONCURRENCY)), params);
        if (out.get(0).get(0).text().isEmpty()) {
          throw new IllegalStateException("empty answer");
        }
        return 1;
      });
      Load batch = new Load("client, complete(64 requests)", 1, i -> {
        List<List<Completion>> out = model.complete(requests, params);
        return out.size();
      });
      System.out.printf(Locale.ROOT, "%n-- server latency %d ms (capacity bound %s) --%n", latencyMs,
          latencyMs == 0 ? "CPU" : String.format(Locale.ROOT, "%.0f req/s", CONCURRENCY * 1000.0 / latencyMs));
      for (Load l : List.of(rawLoad, perThread, batch)) {
        l.run(Math.min(2.0, seconds)); // warm-up
      }
      double[] best = new double[3];
      double[] cpu = new double[3];
      for (int round = 1; round <= 2; round++) {
        Load[] loads = {rawLoad, perThread, batch};
        for (int k = 0; k < 3; k++) {
          Result r = loads[k].run(seconds);
          System.out.printf(Locale.ROOT, "round %d  %-36s %9.0f req/s   %7.1f us CPU/req (client+server)%n",
              round, loads[k].name, r.rps, r.cpuMicrosPerRequest);
          best[k] = Math.max(best[k], r.rps);
          cpu[k] = r.cpuMicrosPerRequest; // the last round: fully warmed up
        }
      }
      System.out.printf(Locale.ROOT, "best: raw %.0f, client-64x1 %.0f (ratio %.2f), client-batch64 %.0f (ratio %.2f)%n",
          best[0], best[1], best[1] / best[0], best[2], best[2] / best[0]);
      System.out.printf(Locale.ROOT, "last round CPU: client %.1f us/req over raw (64x1), %.1f us/req (batch), raw %.1f us/req%n",
          cpu[1] - cpu[0], cpu[2] - cpu[0], cpu[0]);
      System.out.printf(Locale.ROOT, "client metrics: %d responses, %d retries, %d failures%n",
          model.metrics().total().responses(), model.metrics().retries(), model.metrics().total().totalFailures());
    }
  }

  /** One unit of work: returns the number of requests it completed. */
  private interface Work {
    int run(int index) throws Exception;
  }

  private record Result(double rps, double cpuMicrosPerRequest) {}

  /** A closed-loop load of {@code threads} threads repeating {@code work}. */
  private static final class Load {
    final String name;
    final int threads;
    final Work work;

    Load(String name, int threads, Work work) {
      this.name = name;
      this.threads = threads;
      this.work = work;
    }

    Result run(double seconds) throws Exception {
      LongAdder done = new LongAdder();
      AtomicBoolean stop = new AtomicBoolean();
      CountDownLatch start = new CountDownLatch(1);
      CountDownLatch finished = new CountDownLatch(threads);
      List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
      List<Thread> ts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        Thread th = new Thread(() -> {
          try {
            start.await();
            for (int i = id; !stop.get(); i += threads) {
              done.add(work.run(i));
            }
          } catch (Throwable e) {
            errors.add(e);
          } finally {
            finished.countDown();
          }
        });
        th.setDaemon(true);
        th.start();
        ts.add(th);
      }
      com.sun.management.OperatingSystemMXBean os =
          (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      long cpu0 = os.getProcessCpuTime();
      long t0 = System.nanoTime();
      start.countDown();
      Thread.sleep((long) (seconds * 1000));
      long n0 = done.sum();
      long t1 = System.nanoTime();
      long cpu1 = os.getProcessCpuTime();
      stop.set(true);
      finished.await();
      if (!errors.isEmpty()) {
        throw new IllegalStateException(name + " failed", errors.get(0));
      }
      double secs = (t1 - t0) / 1e9;
      return new Result(n0 / secs, n0 == 0 ? 0 : (cpu1 - cpu0) / 1e3 / n0);
    }
  }
}
