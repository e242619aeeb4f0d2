import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparq.core.answer.AnswerChecker;
import dev.sparq.core.answer.AnswerExtractor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.matheclipse.core.eval.ExprEvaluator;
import org.matheclipse.core.expression.F;
import org.matheclipse.core.form.tex.TeXParser;
import org.matheclipse.core.interfaces.IExpr;

/**
 * Experiment for issue 12: would Symja (a Java computer-algebra system with a LaTeX parser) make a
 * better backend for answer checking than SPARQ's hand-written parser and evaluator?
 *
 * <p>Both backends get the same extracted answers ({@link AnswerExtractor#extractAny}); Symja then
 * parses each with its TeX parser and decides equality with {@code Equal}, else
 * {@code PossibleZeroQ(g - p)}, lists compared after {@code Sort}. Prints agreement with
 * Math-Verify's verdicts and single-threaded throughput (wall time, after a warm-up round) of both
 * backends over the ported corpus.
 *
 * <p>Usage: see run.sh in this folder.
 */
public final class SymjaAnswerCheck {
  record Case(String id, String gold, String pred, boolean expected) {}

  public static void main(String[] args) throws Exception {
    List<Case> cases = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    for (String line : Files.readAllLines(Path.of(args[0]))) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      JsonNode j = json.readTree(line);
      cases.add(new Case(j.get("id").asText(), j.get("gold").asText(), j.get("pred").asText(),
          j.get("expected").asBoolean()));
    }
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    F.initSymbols();
    ExprEvaluator eval = new ExprEvaluator(false, (short) 100);
    ExecutorService one = Executors.newSingleThreadExecutor();

    // Symja: agreement (first round) and time per comparison (all rounds); 5 s cap per comparison.
    int agree = 0;
    int timeouts = 0;
    int errors = 0;
    long symjaNanos = 0;
    int symjaRuns = 0;
    for (int round = 0; round < rounds; round++) {
      for (Case c : cases) {
        long t0 = System.nanoTime();
        Future<Boolean> f = one.submit(() -> symjaEquivalent(eval, c.gold(), c.pred()));
        boolean got;
        try {
          got = f.get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          f.cancel(true);
          got = false;
          if (round == 0) {
            timeouts++;
          }
        } catch (java.util.concurrent.ExecutionException e) {
          got = false;
          if (round == 0) {
            errors++;
          }
        }
        if (round > 0 || rounds == 1) { // round 0 warms Symja up (rule loading, JIT)
          symjaNanos += System.nanoTime() - t0;
          symjaRuns++;
        }
        if (round == 0 && got == c.expected()) {
          agree++;
        }
      }
    }
    one.shutdownNow();

    AnswerChecker checker = AnswerChecker.standard();
    int sparqAgree = 0;
    for (Case c : cases) {
      if (checker.verify(c.gold(), c.pred()).isEquivalent() == c.expected()) {
        sparqAgree++;
      }
    }
    int sparqRounds = 200;
    for (int w = 0; w < 50; w++) { // warm-up
      for (Case c : cases) {
        checker.verify(c.gold(), c.pred());
      }
    }
    long t0 = System.nanoTime();
    for (int r = 0; r < sparqRounds; r++) {
      for (Case c : cases) {
        checker.verify(c.gold(), c.pred());
      }
    }
    long sparqNanos = System.nanoTime() - t0;

    System.out.printf("cases                      %d%n", cases.size());
    System.out.printf("%-26s %12s %12s%n", "", "SPARQ", "Symja");
    System.out.printf("%-26s %7d/%d %7d/%d%n", "agree with Math-Verify", sparqAgree, cases.size(),
        agree, cases.size());
    System.out.printf("%-26s %11.1f%% %11.1f%%%n", "agreement", 100.0 * sparqAgree / cases.size(),
        100.0 * agree / cases.size());
    System.out.printf("%-26s %12.0f %12.0f%n", "comparisons/s (1 thread)",
        sparqRounds * cases.size() / (sparqNanos / 1e9), symjaRuns / (symjaNanos / 1e9));
    System.out.printf("Symja timeouts (5 s) %d, exceptions %d in the first round%n", timeouts, errors);
  }

  private static boolean symjaEquivalent(ExprEvaluator eval, String goldText, String predText) {
    String g = AnswerExtractor.extractAny(goldText).orElse(null);
    String p = AnswerExtractor.extractAny(predText).orElse(null);
    if (g == null || p == null) {
      return false;
    }
    IExpr ge = parse(g);
    IExpr pe = parse(p);
    if (ge == null || pe == null) {
      return false;
    }
    if (ge.isList() && pe.isList()) {
      return eval.eval(F.Sort(ge)).equals(eval.eval(F.Sort(pe)));
    }
    IExpr eq = eval.eval(F.Equal(ge, pe));
    if (eq.isTrue()) {
      return true;
    }
    return eval.eval(F.PossibleZeroQ(F.Subtract(ge, pe))).isTrue();
  }

  private static IExpr parse(String latex) {
    try {
      String t = latex.replace("$", "").trim();
      IExpr e = TeXParser.convert(t);
      return e == null || e.isInvalid() ? null : e;
    } catch (RuntimeException | StackOverflowError e) {
      return null;
    }
  }
}
