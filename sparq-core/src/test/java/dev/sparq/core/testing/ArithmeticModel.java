package dev.sparq.core.testing;

import dev.sparq.core.llm.ChatMessage;
import dev.sparq.core.llm.ChatRequest;
import dev.sparq.core.llm.Completion;
import dev.sparq.core.llm.FinishReason;
import dev.sparq.core.llm.LanguageModel;
import dev.sparq.core.llm.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scripted, rule-based stand-in for a language model. It recognises three kinds of prompts by
 * their content:
 * <ul>
 *   <li>generation prompts (they mention {@code <problem>}): it writes "Compute E." for a random
 *       integer expression E with one to six operations, a solution and the boxed value (off by one
 *       with probability {@code wrongAnswerRate}; plain garbage with probability {@code garbageRate});</li>
 *   <li>skill prompts (they mention "skills"): it lists the operations used, one per line;</li>
 *   <li>anything else is a solve prompt: it evaluates the expression after "Compute", but each
 *       operation goes wrong with probability {@code errorRate}, so a problem with n operations is
 *       solved with probability (1 - errorRate)^n.</li>
 * </ul>
 * Randomness comes only from the sampling seed, the request index and the sample index.
 */
public final class ArithmeticModel implements LanguageModel {
  private static final Pattern COMPUTE = Pattern.compile("Compute ([-0-9+*\\s]+)\\.");

  private final double errorRate;
  private final double wrongAnswerRate;
  private final double garbageRate;
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicInteger requests = new AtomicInteger();

  public ArithmeticModel(double errorRate, double wrongAnswerRate, double garbageRate) {
    this.errorRate = errorRate;
    this.wrongAnswerRate = wrongAnswerRate;
    this.garbageRate = garbageRate;
  }

  @Override
  public List<List<Completion>> complete(List<ChatRequest> reqs, SamplingParams params) {
    calls.incrementAndGet();
    requests.addAndGet(reqs.size());
    long seed = params.seed().orElse(12345L);
    List<List<Completion>> out = new ArrayList<>();
    for (int i = 0; i < reqs.size(); i++) {
      String prompt = lastUser(reqs.get(i));
      List<Completion> list = new ArrayList<>();
      for (int j = 0; j < params.n(); j++) {
        SplittableRandom r = new SplittableRandom(seed * 1_000_003L + i * 7919L + j * 104_729L
            + prompt.hashCode());
        list.add(reply(prompt, r));
      }
      out.add(list);
    }
    return out;
  }

  private static String lastUser(ChatRequest req) {
    String text = "";
    for (ChatMessage m : req.messages()) {
      if (m.role() == ChatMessage.Role.USER) {
        text = m.content();
      }
    }
    return text;
  }

  private Completion reply(String prompt, SplittableRandom r) {
    if (prompt.contains("<problem>")) {
      return generate(r);
    }
    if (prompt.toLowerCase(java.util.Locale.ROOT).contains("skills")) {
      return Completion.of(skills(prompt));
    }
    return solve(prompt, r);
  }

  private Completion generate(SplittableRandom r) {
    if (r.nextDouble() < garbageRate) {
      int kind = r.nextInt(3);
      if (kind == 0) {
        return Completion.of("I cannot think of a problem right now.");
      }
      if (kind == 1) {
        return new Completion("<problem>Compute 3 + ", 10, 2048, FinishReason.LENGTH);
      }
      return Completion.of("<problem>Compute 2 + 2.</problem><solution>It is four.</solution>");
    }
    int ops = 1 + r.nextInt(6);
    StringBuilder expr = new StringBuilder().append(1 + r.nextInt(20));
    for (int k = 0; k < ops; k++) {
      char op = "+-*".charAt(r.nextInt(3));
      expr.append(' ').append(op).append(' ').append(1 + r.nextInt(op == '*' ? 9 : 50));
    }
    long value = evaluate(expr.toString(), 0, null);
    long intended = r.nextDouble() < wrongAnswerRate ? value + 1 : value;
    String text = "Here is a new problem.\n<problem>\nCompute " + expr + ".\n</problem>\n<solution>\n"
        + "Multiplications first, then left to right: the value is $\\boxed{" + intended + "}$.\n"
        + "</solution>";
    return new Completion(text, 50, 40, FinishReason.STOP);
  }

  private Completion solve(String prompt, SplittableRandom r) {
    Matcher m = COMPUTE.matcher(prompt);
    if (!m.find()) {
      return Completion.of("I do not understand the question.");
    }
    long v = evaluate(m.group(1).trim(), errorRate, r);
    return new Completion("Working it out carefully, the result is \\boxed{" + v + "}.", 20, 15,
        FinishReason.STOP);
  }

  private static String skills(String prompt) {
    Matcher m = COMPUTE.matcher(prompt);
    if (!m.find()) {
      return "???";
    }
    String e = m.group(1);
    List<String> s = new ArrayList<>();
    if (e.contains("+")) {
      s.add("Addition");
    }
    if (e.contains("-")) {
      s.add("subtraction ");
    }
    if (e.contains("*")) {
      s.add("multiplication.");
    }
    if (s.isEmpty()) {
      s.add("counting");
    }
    StringBuilder sb = new StringBuilder("Skills:\n");
    for (int i = 0; i < s.size(); i++) {
      sb.append(i + 1).append(". ").append(s.get(i)).append('\n');
    }
    return sb.toString();
  }

  /** Evaluates "a op b op c" with * before + and -; each operation errs with the given rate. */
  static long evaluate(String expr, double error, SplittableRandom r) {
    String[] t = expr.trim().split("\\s+");
    List<Long> terms = new ArrayList<>();
    List<Character> signs = new ArrayList<>();
    long cur = Long.parseLong(t[0]);
    for (int i = 1; i + 1 < t.length; i += 2) {
      char op = t[i].charAt(0);
      long b = Long.parseLong(t[i + 1]);
      if (op == '*') {
        cur = cur * b + slip(error, r);
      } else {
        terms.add(cur);
        signs.add(op);
        cur = b;
      }
    }
    terms.add(cur);
    long v = terms.get(0);
    for (int i = 0; i < signs.size(); i++) {
      v = signs.get(i) == '+' ? v + terms.get(i + 1) : v - terms.get(i + 1);
      v += slip(error, r);
    }
    return v;
  }

  private static long slip(double error, SplittableRandom r) {
    return r != null && r.nextDouble() < error ? (r.nextBoolean() ? 1 : -1) * (1 + r.nextInt(3)) : 0;
  }

  /** Model calls so far. */
  public int calls() {
    return calls.get();
  }

  /** Requests so far, over all calls. */
  public int requests() {
    return requests.get();
  }
}
