package dev.sparq.openai;

import dev.sparq.core.engine.IterationEvent;
import dev.sparq.core.engine.SparqListener;
import java.io.PrintStream;
import java.time.Duration;

/** The code of the snippet in src-docs/backends.md, compiled and run by {@link BackendsExampleTest}. */
final class BackendsExample {
  private BackendsExample() {}

  // snippet:openai-pool
  static OpenAiLanguageModel pool(String vllmUrl, String sglangUrl, String llamaCppUrl) {
    return OpenAiLanguageModel.builder()
        .model("google/gemma-2-9b-it")                 // the name the servers were started with
        .endpoint(vllmUrl)                             // e.g. http://gpu-1:8000/v1
        .endpoint(Endpoint.of(sglangUrl)               // e.g. http://gpu-2:30000/v1
            .withMaxConcurrency(128))                  // a bigger GPU takes more at once
        .endpoint(Endpoint.of(llamaCppUrl)             // e.g. http://cpu-box:8080/v1
            .withMaxConcurrency(4)                     // as many as its --parallel slots
            .withNSupport(NSupport.FAN_OUT))           // llama.cpp refuses n > 1
        .maxConcurrencyPerEndpoint(64)                 // for endpoints without their own limit
        .requestTimeout(Duration.ofMinutes(10))        // long solutions take a while
        .retryPolicy(RetryPolicy.defaults().withMaxAttempts(8))
        .build();
  }
  // end:openai-pool

  // snippet:openai-usage
  static SparqListener usageReporter(OpenAiLanguageModel model, PrintStream out) {
    return new SparqListener() {
      @Override
      public void onIteration(IterationEvent event) {
        OpenAiMetrics m = model.metrics();
        out.printf("iteration %d: %d prompt + %d completion tokens, %d retries%n",
            event.iteration(), m.usage().promptTokens(), m.usage().completionTokens(), m.retries());
      }
    };
  }
  // end:openai-usage
}
