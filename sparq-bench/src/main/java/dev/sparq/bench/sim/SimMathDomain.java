package dev.sparq.bench.sim;

import dev.sparq.core.Outcome;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Problem;
import dev.sparq.core.stage.DiversityDescriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The simulated math domain the {@link SimulatedInferenceServer} answers in. Problems read
 * {@code "Compute E."} for an integer expression E of {@code +}, {@code -} and {@code *}.
 *
 * <ul>
 *   <li>A generation prompt (it contains {@code <problem>}) gets a child of the first expression
 *       in the prompt: one more operation, a changed number, or one operation fewer, written in the
 *       {@code <problem>}/{@code <solution>} format with the boxed value. Its length in tokens is
 *       log-normal (median 500, sigma 0.45) clipped to 300..1,500.</li>
 *   <li>Any other prompt is a solve prompt: each sample is right with the problem's true solve rate
 *       {@code 0.97 * exp(-0.22 * ops) * (0.75 + 0.5 * h)}, h a hash of the expression in [0, 1),
 *       else off by one to three. Its length is log-normal around a median that depends on the
 *       problem ({@code 250 * exp(0.18 * ops) * (0.8 + 0.4 * h')}), sigma 0.35, clipped to
 *       300..1,500.</li>
 * </ul>
 * Everything is a function of the prompt, the request seed and the sample index.
 */
public final class SimMathDomain {
  private static final Pattern COMPUTE = Pattern.compile("Compute ([-0-9+*\\s]+)\\.");
  static final int MIN_TOKENS = 300;
  static final int MAX_TOKENS = 1500;
  static final int MAX_OPS = 8;

  private SimMathDomain() {}

  /** One simulated completion: its text and how many tokens it stands for. */
  public record Reply(String text, int tokens) {}

  /** The reply to sample {@code index} of a request with this prompt and seed. */
  public static Reply reply(String prompt, long seed, int index) {
    SplittableRandom r = new SplittableRandom(seed * 1_000_003L + index * 7_919L + prompt.hashCode());
    Matcher m = COMPUTE.matcher(prompt);
    String expr = m.find() ? m.group(1).trim() : null;
    if (prompt.contains("<problem>")) {
      String child = mutate(expr == null ? "1 + 1" : expr, r);
      String text = "A new problem.\n<problem>\nCompute " + child + ".\n</problem>\n<solution>\n"
          + "Multiplications first, then left to right: \\boxed{" + evaluate(child) + "}.\n</solution>";
      return new Reply(text, lengthOf(r, 500, 0.45));
    }
    if (expr == null) {
      return new Reply("I do not understand the question.", MIN_TOKENS);
    }
    long truth = evaluate(expr);
    long answer = r.nextDouble() < solveRate(expr) ? truth : truth + (r.nextBoolean() ? 1 : -1) * (1 + r.nextInt(3));
    double median = 250 * Math.exp(0.18 * ops(expr)) * (0.8 + 0.4 * hash01(expr, 2));
    return new Reply("Working step by step, the result is \\boxed{" + answer + "}.", lengthOf(r, median, 0.35));
  }

  /** The true solve rate of an expression. */
  public static double solveRate(String expr) {
    return Math.min(1, 0.97 * Math.exp(-0.22 * ops(expr)) * (0.75 + 0.5 * hash01(expr, 1)));
  }

  private static int lengthOf(SplittableRandom r, double median, double sigma) {
    double z = gaussian(r);
    long t = Math.round(median * Math.exp(sigma * z));
    return (int) Math.max(MIN_TOKENS, Math.min(MAX_TOKENS, t));
  }

  private static double gaussian(SplittableRandom r) {
    double u = 1 - r.nextDouble();
    double v = r.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  private static double hash01(String s, int salt) {
    long h = s.hashCode() * 0x9E3779B97F4A7C15L + salt * 0xBF58476D1CE4E5B9L;
    h ^= h >>> 31;
    h *= 0x94D049BB133111EBL;
    h ^= h >>> 29;
    return (h >>> 11) * 0x1.0p-53;
  }

  static int ops(String expr) {
    String[] t = expr.trim().split("\\s+");
    return t.length / 2;
  }

  private static String mutate(String expr, SplittableRandom r) {
    List<String> t = new ArrayList<>(List.of(expr.trim().split("\\s+")));
    int ops = t.size() / 2;
    double u = r.nextDouble();
    if (u < 0.45 && ops < MAX_OPS) {
      char op = "+-*".charAt(r.nextInt(3));
      t.add(String.valueOf(op));
      t.add(Integer.toString(1 + r.nextInt(op == '*' ? 9 : 50)));
    } else if (u < 0.85 || ops <= 1) {
      int leaf = 2 * r.nextInt(ops + 1);
      boolean afterTimes = leaf > 0 && t.get(leaf - 1).equals("*");
      t.set(leaf, Integer.toString(1 + r.nextInt(afterTimes ? 9 : 50)));
    } else {
      t.remove(t.size() - 1);
      t.remove(t.size() - 1);
    }
    return String.join(" ", t);
  }

  /** Evaluates "a op b op c ..." with {@code *} before {@code +} and {@code -}. */
  static long evaluate(String expr) {
    String[] t = expr.trim().split("\\s+");
    long sum = 0;
    long term = Long.parseLong(t[0]);
    int sign = 1;
    for (int i = 1; i + 1 < t.length; i += 2) {
      long b = Long.parseLong(t[i + 1]);
      switch (t[i]) {
        case "*" -> term *= b;
        case "+", "-" -> {
          sum += sign * term;
          sign = t[i].equals("+") ? 1 : -1;
          term = b;
        }
        default -> throw new IllegalArgumentException("operator " + t[i]);
      }
    }
    return sum + sign * term;
  }

  /** {@code n} seed problems with one or two operations. */
  public static List<Problem> seeds(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Problem> out = new ArrayList<>(n);
    TreeSet<String> seen = new TreeSet<>();
    while (out.size() < n) {
      StringBuilder e = new StringBuilder().append(1 + r.nextInt(20));
      int ops = 1 + r.nextInt(2);
      for (int i = 0; i < ops; i++) {
        char op = "+-*".charAt(r.nextInt(3));
        e.append(' ').append(op).append(' ').append(1 + r.nextInt(op == '*' ? 9 : 20));
      }
      String s = e.toString();
      if (seen.add(s)) {
        out.add(Problem.of("Compute " + s + ".", "\\boxed{" + evaluate(s) + "}", Long.toString(evaluate(s))));
      }
    }
    return out;
  }

  /**
   * A local descriptor (no model call): the operations used and the operation count, as labels.
   * Describing is not simulated on the server; generation and rollouts dominate the cost.
   */
  public static DiversityDescriptor descriptor() {
    return (problems, ctx) -> {
      List<Outcome<Descriptor>> out = new ArrayList<>(problems.size());
      for (Problem p : problems) {
        Matcher m = COMPUTE.matcher(p.statement());
        if (!m.find()) {
          out.add(Outcome.rejected("not_arithmetic", "no expression"));
          continue;
        }
        String e = m.group(1).trim();
        TreeSet<String> labels = new TreeSet<>();
        if (e.contains("+")) {
          labels.add("addition");
        }
        if (e.contains(" - ")) {
          labels.add("subtraction");
        }
        if (e.contains("*")) {
          labels.add("multiplication");
        }
        labels.add("ops_" + Math.min(ops(e), MAX_OPS));
        out.add(Outcome.of(new Descriptor(new double[] {ops(e)}, List.copyOf(labels))));
      }
      return out;
    };
  }
}
