package dev.sparq.bench.answer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparq.core.answer.AnswerChecker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Answer-check throughput over the ported Math-Verify corpus (issue 12; target at least 10,000
 * comparisons per second on one thread). One operation is one {@link AnswerChecker#verify} of a
 * (gold, prediction) pair, the cases taken in file order.
 *
 * <pre>
 * java -jar sparq-bench/target/benchmarks.jar AnswerCheckBenchmark -f 1 -wi 3 -i 5 -w 3s -r 5s -t 1
 * </pre>
 * The corpus is read from {@code sparq-core/src/test/resources/dev/sparq/core/answer/
 * math-verify-cases.jsonl} under the working directory, or from the path in the system property
 * {@code sparq.mathVerifyCases}. {@link AnswerCheckCpuTime} runs the same workload per CPU-second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class AnswerCheckBenchmark {
  /** Number of cases in the ported corpus; one benchmark invocation checks them all. */
  static final int CASES = 269;

  private AnswerChecker checker;
  private String[] gold;
  private String[] pred;

  /** Reads the corpus. */
  @Setup(Level.Trial)
  public void setup() {
    List<String[]> cases = load();
    if (cases.size() != CASES) {
      throw new IllegalStateException("expected " + CASES + " cases, read " + cases.size());
    }
    gold = new String[CASES];
    pred = new String[CASES];
    for (int i = 0; i < CASES; i++) {
      gold[i] = cases.get(i)[0];
      pred[i] = cases.get(i)[1];
    }
    checker = AnswerChecker.standard();
  }

  /** Checks every case of the corpus once. */
  @Benchmark
  @OperationsPerInvocation(CASES)
  public void verifyCorpus(Blackhole bh) {
    for (int i = 0; i < CASES; i++) {
      bh.consume(checker.verify(gold[i], pred[i]));
    }
  }

  int verifyAll() {
    int equivalent = 0;
    for (int i = 0; i < CASES; i++) {
      if (checker.verify(gold[i], pred[i]).isEquivalent()) {
        equivalent++;
      }
    }
    return equivalent;
  }

  static List<String[]> load() {
    Path p = Path.of(System.getProperty("sparq.mathVerifyCases",
        "sparq-core/src/test/resources/dev/sparq/core/answer/math-verify-cases.jsonl"));
    if (!Files.isRegularFile(p)) {
      throw new IllegalStateException(p.toAbsolutePath() + " not found: run from the repository"
          + " root or set -Dsparq.mathVerifyCases=PATH");
    }
    ObjectMapper json = new ObjectMapper();
    List<String[]> out = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        JsonNode j = json.readTree(line);
        out.add(new String[] {j.get("gold").asText(), j.get("pred").asText()});
      }
    } catch (IOException e) {
      throw new UncheckedIOException(p + ": " + e.getMessage(), e);
    }
    return out;
  }
}
