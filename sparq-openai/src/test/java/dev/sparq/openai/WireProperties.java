package dev.sparq.openai;

import dev.sparq.core.llm.FinishReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

class WireProperties {

  @Property
  boolean tokenSharesAddUpAndFollowLengths(
      @ForAll @LongRange(min = 0, max = 100_000) long total,
      @ForAll @Size(min = 1, max = 16) List<@StringLength(max = 40) String> texts) {
    List<Wire.Choice> choices = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      choices.add(new Wire.Choice(i, texts.get(i), FinishReason.STOP));
    }
    int[] parts = Wire.splitTokens(total, choices);
    long sum = 0;
    for (int i = 0; i < parts.length; i++) {
      if (parts[i] < 0) {
        return false;
      }
      sum += parts[i];
    }
    // A longer text never gets fewer tokens than a shorter one, beyond rounding.
    for (int i = 0; i < parts.length; i++) {
      for (int j = 0; j < parts.length; j++) {
        if (texts.get(i).length() > texts.get(j).length() && parts[i] + 1 < parts[j]) {
          return false;
        }
      }
    }
    return sum == total;
  }

  @Property
  boolean backoffStaysWithinItsBounds(
      @ForAll @IntRange(min = 1, max = 40) int retry,
      @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double uniform,
      @ForAll @DoubleRange(min = 0, max = 1) double jitter,
      @ForAll @LongRange(min = 0, max = 120_000) long askedMs) {
    RetryPolicy p = new RetryPolicy(10, Duration.ofMillis(100), Duration.ofSeconds(10), 2.0, jitter,
        Duration.ofSeconds(60));
    double base = Math.min(100.0 * Math.pow(2, retry - 1), 10_000.0);
    long plain = p.delay(retry, uniform, null).toNanos();
    boolean plainOk = plain <= base * 1e6 + 1 && plain >= base * 1e6 * (1 - jitter) - 1;
    long asked = p.delay(retry, uniform, Duration.ofMillis(askedMs)).toNanos();
    boolean askedOk = asked >= Math.min(askedMs, 60_000) * 1_000_000L && asked >= plain;
    return plainOk && askedOk;
  }
}
