package dev.sparq.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.core.llm.ChatRequest;
import dev.sparq.core.llm.Completion;
import dev.sparq.core.llm.FinishReason;
import dev.sparq.core.llm.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * For any mix of server quirks, every request gets exactly {@code n} completions, each the text the
 * server generated cut at the first stop string, marked LENGTH when the server cut it at the limit
 * (however it said so), and the token totals in the metrics equal what the server generated.
 */
class QuirkProperties {

  @Property(tries = 40)
  void anyMixOfQuirksGivesExactResultsAndAccounting(
      @ForAll boolean int32Seed, @ForAll boolean ignoreStop, @ForAll @IntRange(min = 0, max = 3) int maxN,
      @ForAll boolean ignoreN, @ForAll boolean noUsage, @ForAll boolean stopForLength,
      @ForAll boolean includesPrompt, @ForAll boolean root,
      @ForAll @IntRange(min = 1, max = 4) int n, @ForAll @IntRange(min = 2, max = 40) int maxTokens,
      @ForAll @IntRange(min = 1, max = 6) int requests, @ForAll long seed) throws Exception {
    QuirkyServer.Quirks q = new QuirkyServer.Quirks(
        int32Seed, ignoreStop, maxN, ignoreN, noUsage, stopForLength, includesPrompt, root);
    try (QuirkyServer server = new QuirkyServer(q);
        OpenAiLanguageModel model = OpenAiLanguageModel.builder().endpoint(server.baseUrl())
            .model("m").retryPolicy(RetryPolicy.none()).build()) {
      List<ChatRequest> rs = new ArrayList<>();
      for (int i = 0; i < requests; i++) {
        rs.add(ChatRequest.user("question " + i + " of " + seed));
      }
      SamplingParams p = SamplingParams.builder().n(n).seed(seed).maxTokens(maxTokens)
          .stop(List.of(QuirkyServer.STOP)).build();
      List<List<Completion>> out = model.complete(rs, p);

      assertEquals(0, server.seedRefusals.get(), "every seed fits an int32");
      assertEquals(requests, out.size());
      for (int i = 0; i < requests; i++) {
        String prompt = "question " + i + " of " + seed;
        assertEquals(n, out.get(i).size());
        for (int j = 0; j < n; j++) {
          Completion c = out.get(i).get(j);
          QuirkyServer.Sent s = server.sent.get(prompt + "#" + ((seed + (long) i * n + j) & 0x7FFF_FFFFL));
          String where = q + " request " + i + " sample " + j + ": " + s + " -> " + c;
          assertTrue(s != null, where);
          int cut = s.text().indexOf(QuirkyServer.STOP);
          if (cut >= 0) {
            assertEquals(s.text().substring(0, cut), c.text(), where);
            assertEquals(FinishReason.STOP, c.finishReason(), where);
            continue;
          }
          assertEquals(s.text(), c.text(), where);
          int tokens = QuirkyServer.tokens(s.text());
          // Usage is one total per response: with several choices the split is approximate.
          int slack = noUsage || s.choices() == 1 ? 0 : s.choices() + 1;
          // A server counting the prompt in max_tokens is recognised by prompt + completion equal to
          // max_tokens: not without usage, and not when the prompt alone reaches the limit.
          boolean detectable = !(includesPrompt && (noUsage || s.promptTokens() >= maxTokens));
          if (s.truncated() && detectable && slack == 0) {
            assertEquals(FinishReason.LENGTH, c.finishReason(), where);
          }
          boolean nearLimit = tokens + slack >= maxTokens
              || !noUsage && Math.abs(s.promptTokens() + tokens - maxTokens) <= slack;
          if (!s.truncated() && !nearLimit) {
            assertEquals(FinishReason.STOP, c.finishReason(), where);
          }
        }
      }
      OpenAiMetrics m = model.metrics();
      assertEquals(server.promptTokens.get(), m.usage().promptTokens(), q.toString());
      assertEquals(server.completionTokens.get(), m.usage().completionTokens(), q.toString());
      assertEquals(noUsage, m.usageEstimated());
      assertEquals(server.answered.get(), m.total().responses());
      assertEquals(server.answered.get() + server.nRefusals.get(), m.total().attempts());
      assertEquals(0, m.total().totalFailures());
      assertEquals(0, m.retries());
    }
  }
}
