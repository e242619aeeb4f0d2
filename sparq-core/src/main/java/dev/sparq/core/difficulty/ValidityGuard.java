package dev.sparq.core.difficulty;

import dev.sparq.core.ConfigException;
import dev.sparq.core.Outcome;
import dev.sparq.core.answer.AnswerChecker;
import dev.sparq.core.model.Difficulty;
import dev.sparq.core.model.Evaluation;
import dev.sparq.core.model.Problem;
import dev.sparq.core.model.Rollout;
import dev.sparq.core.model.Validity;
import dev.sparq.core.stage.StageContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * Guards against SPARQ's main failure, rewarding problems whose intended answer is wrong: a problem is
 * {@link Validity#DISPUTED} when more than {@code majority} of its rollouts agree (by the
 * {@link AnswerChecker}) on one answer that differs from the intended answer.
 *
 * <p>What happens to disputed problems is the {@link Policy}: keep them (flagged), drop them
 * (rejection {@value #DISPUTED}), or ask an {@link AnswerResolver} (such as the generator model)
 * to solve them again and keep them, marked valid, only when it agrees with the intended answer
 * (otherwise rejection {@value #UNCONFIRMED}). Counts are kept for reports. Thread-safe.
 */
public final class ValidityGuard {
  /** Rejection reason under {@link Policy#DROP}. */
  public static final String DISPUTED = "disputed_answer";
  /** Rejection reason under {@link Policy#RESOLVE} when the resolver does not confirm. */
  public static final String UNCONFIRMED = "disputed_answer_unconfirmed";

  /** What to do with a disputed problem. */
  public enum Policy {
    /** Keep it, flagged {@link Validity#DISPUTED}, with its quality. */
    KEEP,
    /** Reject it. */
    DROP,
    /** Ask the resolver; keep it (marked valid) only when the intended answer is confirmed. */
    RESOLVE
  }

  private final double majority;
  private final int minVotes;
  private final Policy policy;
  private final AnswerResolver resolver;
  private final AnswerChecker checker;
  private final LongAdder assessed = new LongAdder();
  private final LongAdder disputed = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder confirmed = new LongAdder();

  private ValidityGuard(Builder b) {
    this.majority = b.majority;
    this.minVotes = b.minVotes;
    this.policy = b.policy;
    this.resolver = b.resolver;
    this.checker = b.checker;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A guard that only flags: majority 0.5, at least 2 votes, policy KEEP. */
  public static ValidityGuard flagging() {
    return builder().build();
  }

  public Policy policy() {
    return policy;
  }

  /** Fraction of rollouts that must agree on a competing answer (strictly more). */
  public double majority() {
    return majority;
  }

  /** Least number of rollouts agreeing on a competing answer. */
  public int minVotes() {
    return minVotes;
  }

  /**
   * The answer a clear majority of rollouts agree on when it differs from the intended one, else
   * empty. Rollouts marked correct or without an answer never vote for a competing answer.
   */
  public Optional<String> competingAnswer(Problem problem, List<Rollout> rollouts) {
    if (rollouts.isEmpty()) {
      return Optional.empty();
    }
    List<String> reps = new ArrayList<>();
    List<Integer> counts = new ArrayList<>();
    for (Rollout r : rollouts) {
      if (r.correct() || r.answer() == null || r.answer().isBlank()) {
        continue;
      }
      boolean placed = false;
      for (int i = 0; i < reps.size() && !placed; i++) {
        if (reps.get(i).equals(r.answer()) || checker.equivalent(reps.get(i), r.answer())) {
          counts.set(i, counts.get(i) + 1);
          placed = true;
        }
      }
      if (!placed) {
        reps.add(r.answer());
        counts.add(1);
      }
    }
    int best = -1;
    for (int i = 0; i < reps.size(); i++) {
      if (best < 0 || counts.get(i) > counts.get(best)) {
        best = i;
      }
    }
    if (best < 0) {
      return Optional.empty();
    }
    int votes = counts.get(best);
    boolean clear = votes >= minVotes && votes > majority * rollouts.size();
    return clear ? Optional.of(reps.get(best)) : Optional.empty();
  }

  /** The validity of one problem from its rollouts. */
  public Validity assess(Problem problem, List<Rollout> rollouts) {
    return competingAnswer(problem, rollouts).isPresent() ? Validity.DISPUTED : Validity.VALID;
  }

  /**
   * Assesses each evaluation (whose validity is replaced by the guard's) and applies the policy.
   *
   * @return one outcome per problem, in order
   */
  public List<Outcome<Evaluation>> review(List<Problem> problems, List<Evaluation> evaluations,
      StageContext context) {
    List<Outcome<Evaluation>> out = new ArrayList<>(problems.size());
    List<Integer> toResolve = new ArrayList<>();
    for (int i = 0; i < problems.size(); i++) {
      Evaluation e = evaluations.get(i);
      assessed.increment();
      Validity v = assess(problems.get(i), e.rollouts());
      Evaluation marked = withValidity(e, v);
      if (v == Validity.VALID || policy == Policy.KEEP) {
        if (v == Validity.DISPUTED) {
          disputed.increment();
        }
        out.add(Outcome.of(marked));
        continue;
      }
      disputed.increment();
      if (policy == Policy.DROP) {
        dropped.increment();
        out.add(Outcome.rejected(DISPUTED, problems.get(i).id()));
      } else {
        out.add(Outcome.of(marked));
        toResolve.add(i);
      }
    }
    if (!toResolve.isEmpty()) {
      List<Problem> ask = new ArrayList<>();
      for (int i : toResolve) {
        ask.add(problems.get(i));
      }
      List<Boolean> ok = resolver.confirm(ask, context);
      for (int j = 0; j < toResolve.size(); j++) {
        int i = toResolve.get(j);
        if (j < ok.size() && Boolean.TRUE.equals(ok.get(j))) {
          confirmed.increment();
          out.set(i, Outcome.of(withValidity(evaluations.get(i), Validity.VALID)));
        } else {
          dropped.increment();
          out.set(i, Outcome.rejected(UNCONFIRMED, problems.get(i).id()));
        }
      }
    }
    return out;
  }

  private static Evaluation withValidity(Evaluation e, Validity v) {
    Difficulty d = e.difficulty();
    return new Evaluation(new Difficulty(d.correct(), d.rollouts(), d.quality(), v), e.rollouts());
  }

  /** Counts so far. */
  public Stats stats() {
    return new Stats(assessed.sum(), disputed.sum(), dropped.sum(), confirmed.sum());
  }

  /**
   * Guard counts.
   *
   * @param assessed problems assessed
   * @param disputed problems found disputed (whatever the policy)
   * @param dropped disputed problems rejected (DROP, or RESOLVE without confirmation)
   * @param confirmed disputed problems whose intended answer the resolver confirmed
   */
  public record Stats(long assessed, long disputed, long dropped, long confirmed) {}

  /** Builder of {@link ValidityGuard}. */
  public static final class Builder {
    private double majority = 0.5;
    private int minVotes = 2;
    private Policy policy = Policy.KEEP;
    private AnswerResolver resolver;
    private AnswerChecker checker = AnswerChecker.standard();

    private Builder() {}

    /** Fraction of all rollouts that must agree on a competing answer (strictly more); default 0.5. */
    public Builder majority(double fraction) {
      if (!(fraction >= 0 && fraction < 1)) {
        throw ConfigException.forKey("guard.majority", "must be in [0, 1), was " + fraction);
      }
      this.majority = fraction;
      return this;
    }

    /** Least number of agreeing rollouts for a dispute; default 2. */
    public Builder minVotes(int n) {
      if (n < 1) {
        throw ConfigException.forKey("guard.min_votes", "must be >= 1, was " + n);
      }
      this.minVotes = n;
      return this;
    }

    /** The policy; RESOLVE needs a {@link #resolver(AnswerResolver)}. Default KEEP. */
    public Builder policy(Policy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    public Builder resolver(AnswerResolver resolver) {
      this.resolver = Objects.requireNonNull(resolver, "resolver");
      return this;
    }

    public Builder checker(AnswerChecker checker) {
      this.checker = Objects.requireNonNull(checker, "checker");
      return this;
    }

    public ValidityGuard build() {
      if (policy == Policy.RESOLVE && resolver == null) {
        throw ConfigException.forKey("guard.policy", "RESOLVE needs a resolver");
      }
      return new ValidityGuard(this);
    }
  }
}
