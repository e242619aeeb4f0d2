package dev.sparq.core.difficulty;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparq.core.ConfigException;
import dev.sparq.core.DataException;
import dev.sparq.core.internal.Json;
import dev.sparq.core.Outcome;
import dev.sparq.core.model.Difficulty;
import dev.sparq.core.model.Evaluation;
import dev.sparq.core.model.Problem;
import dev.sparq.core.model.Rollout;
import dev.sparq.core.model.Validity;
import dev.sparq.core.stage.DifficultyEstimator;
import dev.sparq.core.stage.Solver;
import dev.sparq.core.stage.StageContext;
import dev.sparq.core.stage.AdmissionAwareEstimator;
import dev.sparq.core.state.Stateful;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * Spends fewer rollouts than {@link FixedKEstimator} for the same in-band decision. Rollouts are drawn
 * in rounds (an initial round, then smaller ones), one solver call per round for all problems still
 * open. After each round it computes, under a {@link SolveRatePrior} learned from earlier problems, the
 * probability that a fixed-K estimator with {@code referenceK} rollouts would put the problem in the
 * band; the problem is settled when that probability is within {@code error} of 0 or 1, or when
 * {@code maxRollouts} are spent. Problems seen never or always solved settle after a few rollouts,
 * which is where the savings come from (most generated problems are at solve rate 0 or 1).
 *
 * <p>Quality, when settled in the band, is the posterior mean of {@code 1 - p} (p the solve rate,
 * clamped into the band) over the solve rates for which fixed K would end in the band, which is
 * {@code 1 - c/K} after {@code referenceK} rollouts; else 0. The difficulty
 * records the rollouts actually spent; {@link #rolloutsSpent()} and {@link #problemsEstimated()} sum
 * them. Observations of iteration {@code t} are folded into the prior, in a canonical order, when the
 * first batch of a later iteration arrives, so results do not depend on how many threads evaluate the
 * chunks of an iteration. A later call that estimates a problem id again for the same iteration (the
 * engine retrying an iteration whose step failed) replaces the earlier call's observation of it, so
 * a retried iteration is learned from once. The prior's state can be exported ({@link #priorState()}) and, with the
 * observations not yet folded in and the counters, saved in every checkpoint of a
 * {@code SparqRun} through {@link Stateful}, so a resumed run continues
 * with exactly the prior an uninterrupted run would have.
 *
 * <p>With {@link Builder#archiveAware(boolean)} the engine passes the qualities of each child's full
 * niche, and rollouts stop as soon as the child's rank class in that niche is settled (see
 * {@link #estimateInNiches(List, double[][], Solver, StageContext)}).
 */
public final class AdaptiveEstimator implements AdmissionAwareEstimator, Stateful {
  private final int referenceK;
  private final int maxRollouts;
  private final int initialRollouts;
  private final int roundRollouts;
  private final double error;
  private final SolveRateBand band;
  private final ValidityGuard guard;
  private final int minCorrect;
  private final int maxCorrect;
  private final boolean archiveAware;
  private final int rankDepth;
  private final double admissionError;
  private final double[][] binomial;
  /** Guarded by {@link #pending}; replaced only when a checkpoint is restored. */
  private SolveRatePrior prior;
  private final List<Pending> pending = new ArrayList<>();
  private final LongAdder spent = new LongAdder();
  private final LongAdder problems = new LongAdder();

  private record Pending(long iteration, String id, int correct, int n) {}

  private AdaptiveEstimator(Builder b) {
    this.referenceK = b.referenceK;
    this.maxRollouts = b.maxRollouts == 0 ? b.referenceK : b.maxRollouts;
    this.initialRollouts = Math.min(b.initialRollouts, maxRollouts);
    this.roundRollouts = b.roundRollouts;
    this.error = b.error;
    this.band = b.band;
    this.guard = b.guard;
    this.minCorrect = band.minCorrect(referenceK);
    this.maxCorrect = band.maxCorrect(referenceK);
    this.archiveAware = b.archiveAware;
    this.rankDepth = b.rankDepth;
    this.admissionError = b.admissionError;
    this.prior = b.prior != null ? SolveRatePrior.fromState(b.prior)
        : SolveRatePrior.initial(64, 0.3, 0.3, 20);
    this.binomial = new double[referenceK + 1][referenceK + 1];
    for (int m = 0; m <= referenceK; m++) {
      binomial[m][0] = 1;
      for (int j = 1; j <= m; j++) {
        binomial[m][j] = binomial[m - 1][j - 1] + (j <= m - 1 ? binomial[m - 1][j] : 0);
      }
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public List<Outcome<Evaluation>> estimate(List<Problem> batch, Solver solver, StageContext context) {
    return estimate(batch, null, solver, context);
  }

  @Override
  public boolean admissionAware() {
    return archiveAware;
  }

  /**
   * Archive-aware allocation knowing only each niche's admission threshold: as
   * {@link #estimateInNiches(List, double[][], Solver, StageContext)} with a niche of one known
   * quality, the threshold (so a child that enters stops once its entry is settled).
   */
  @Override
  public List<Outcome<Evaluation>> estimate(List<Problem> batch, double[] admission, Solver solver,
      StageContext context) {
    if (admission != null && admission.length != batch.size()) {
      throw new IllegalArgumentException("admission has " + admission.length + " thresholds for "
          + batch.size() + " problems");
    }
    double[][] niches = null;
    if (admission != null) {
      niches = new double[admission.length][];
      for (int i = 0; i < admission.length; i++) {
        niches[i] = admission[i] == Double.NEGATIVE_INFINITY ? null : new double[] {admission[i]};
      }
    }
    return estimateInNiches(batch, niches, solver, context);
  }

  /**
   * Archive-aware allocation. For a problem whose niche is full, the decision that matters is its
   * rank class: how many of the niche's {@code rankDepth} worst members a fixed-K estimator's
   * quality would strictly exceed (0: it does not enter; 1: it enters and the worst member leaves;
   * 2: it also outranks the second worst, so the next entry evicts that member rather than it; and
   * so on). After each round the estimator computes, under the learned prior, the probability of
   * each class for the count of correct rollouts fixed K would see, and stops as soon as one class
   * has probability at least {@code 1 - admissionError} (or {@code maxRollouts} are spent).
   * Children that cannot enter stop early; so do children that clearly enter high above the
   * niche's worst members; a child close to a member's quality is rolled out to
   * {@code referenceK}.
   *
   * <p>The quality reported for a child settled in class {@code k >= 1} is the posterior mean of
   * {@code 1 - p}, {@code p} its solve rate clamped into the band, over the solve rates that would
   * put fixed K's count in that class, kept inside the class's range of fixed-K qualities (so it
   * ranks the child inside the niche as the settled class says; exactly {@code 1 - c/K}, clamped into
   * the band, after {@code referenceK} rollouts). Averaging over the learned prior makes it closer to
   * the true quality than fixed K's own count for a child settled early. A child settled in class 0
   * gets at most the threshold, so the archive refuses it as fixed K would. A problem with a free
   * slot ({@code niches} null, or its entry null or empty) is treated as by
   * {@link #estimate(List, Solver, StageContext)}.
   *
   * @param niches per problem, the qualities of the members of its full niche in any order, or null
   */
  @Override
  public List<Outcome<Evaluation>> estimateInNiches(List<Problem> batch, double[][] niches,
      Solver solver, StageContext context) {
    if (batch.isEmpty()) {
      return List.of();
    }
    if (niches != null && niches.length != batch.size()) {
      throw new IllegalArgumentException("niches has " + niches.length + " entries for "
          + batch.size() + " problems");
    }
    double[] priorNow = priorFor(context.iteration());
    int size = batch.size();
    List<List<Rollout>> rollouts = new ArrayList<>(size);
    int[] correct = new int[size];
    boolean[] open = new boolean[size];
    double[] inBand = new double[size];
    // per full niche, its rankDepth worst member qualities, worst first; null for a free slot
    double[][] low = new double[size][];
    for (int i = 0; i < size; i++) {
      rollouts.add(new ArrayList<>());
      if (niches != null && niches[i] != null && niches[i].length > 0) {
        double[] q = niches[i].clone();
        Arrays.sort(q);
        low[i] = Arrays.copyOf(q, Math.min(q.length, rankDepth));
      }
      // a full niche whose threshold is above anything the band allows: no rollout at all
      open[i] = low[i] == null || canEnter(low[i]);
    }
    int round = initialRollouts;
    while (true) {
      List<Integer> idx = new ArrayList<>();
      List<Problem> ask = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        if (open[i]) {
          idx.add(i);
          ask.add(batch.get(i));
        }
      }
      if (idx.isEmpty()) {
        break;
      }
      int n = Math.min(round, maxRollouts - rollouts.get(idx.get(0)).size());
      List<List<Rollout>> got = SolverOutput.check(solver, ask, n, solver.solve(ask, n, context));
      for (int j = 0; j < idx.size(); j++) {
        int i = idx.get(j);
        for (Rollout r : got.get(j)) {
          rollouts.get(i).add(r);
          if (r.correct()) {
            correct[i]++;
          }
        }
        int spentHere = rollouts.get(i).size();
        inBand[i] = probabilityInBand(priorNow, correct[i], spentHere);
        boolean settled;
        if (low[i] != null) {
          double[] cls = classProbabilities(predictive(priorNow, correct[i], spentHere), low[i]);
          settled = cls[argmax(cls)] >= 1 - admissionError;
        } else {
          settled = inBand[i] <= error || inBand[i] >= 1 - error;
        }
        if (spentHere >= maxRollouts || settled) {
          open[i] = false;
        }
      }
      round = roundRollouts;
    }
    List<Evaluation> evaluations = new ArrayList<>(size);
    synchronized (pending) {
      // an iteration retried after a failed step estimates its problems again: this call's
      // observations replace those an earlier call made of the same ids in the same iteration
      java.util.Set<String> ids = new java.util.HashSet<>();
      for (Problem p : batch) {
        ids.add(p.id());
      }
      long iteration = context.iteration();
      pending.removeIf(q -> q.iteration() == iteration && ids.contains(q.id()));
      for (int i = 0; i < size; i++) {
        int n = rollouts.get(i).size();
        pending.add(new Pending(iteration, batch.get(i).id(), correct[i], n));
      }
    }
    for (int i = 0; i < size; i++) {
      int n = rollouts.get(i).size();
      spent.add(n);
      problems.increment();
      // for a full niche, the settled rank class; 0 (cannot enter) when nothing was rolled out
      int k = low[i] == null || n == 0 ? 0
          : argmax(classProbabilities(predictive(priorNow, correct[i], n), low[i]));
      double quality;
      if (k > 0) {
        quality = meanSolveQualityInClass(priorNow, correct[i], n, low[i], k);
      } else {
        quality = n > 0 && inBand[i] >= 0.5 ? meanSolveQualityInBand(priorNow, correct[i], n) : 0;
        if (low[i] != null) {
          // settled as unable to enter: never above the niche's threshold
          quality = Math.max(0, Math.min(quality, low[i][0]));
        }
      }
      evaluations.add(new Evaluation(new Difficulty(correct[i], n, quality, Validity.VALID),
          rollouts.get(i)));
    }
    return guard.review(batch, evaluations, context);
  }

  /** The quality fixed K gives for {@code c} correct of {@code referenceK}. */
  private double fixedQuality(int c) {
    return band.quality(c, referenceK);
  }

  /** Whether some count of correct rollouts out of {@code referenceK} enters the niche. */
  private boolean canEnter(double[] low) {
    for (int c = 0; c <= referenceK; c++) {
      if (classOf(c, low) > 0) {
        return true;
      }
    }
    return false;
  }

  /** How many of the qualities in {@code low} (ascending) fixed K's quality for {@code c} exceeds. */
  private int classOf(int c, double[] low) {
    double q = fixedQuality(c);
    int k = 0;
    while (k < low.length && q > low[k]) {
      k++;
    }
    return k;
  }

  private double[] classProbabilities(double[] predictive, double[] low) {
    double[] cls = new double[low.length + 1];
    for (int c = 0; c <= referenceK; c++) {
      cls[classOf(c, low)] += predictive[c];
    }
    return cls;
  }

  /**
   * The quality of a problem settled in the band: {@code 1 - c/n} clamped into the band after
   * {@code referenceK} rollouts, else the posterior mean of {@code 1 - p} (p clamped into the band)
   * over the solve rates for which fixed K would end in the band.
   */
  private double meanSolveQualityInBand(double[] priorNow, int correct, int n) {
    double fromCount = 1 - Math.min(band.upper(), Math.max(band.lower(), (double) correct / n));
    if (n >= referenceK) {
      return fromCount;
    }
    double q = meanSolveQuality(priorNow, correct, n, c -> c >= minCorrect && c <= maxCorrect);
    return Double.isNaN(q) ? fromCount
        : Math.min(1 - band.lower(), Math.max(1 - band.upper(), q));
  }

  /**
   * The quality of a child settled in rank class {@code k >= 1}: exactly fixed K's after
   * {@code referenceK} rollouts, else the posterior mean of {@code 1 - p} (p clamped into the band)
   * over the solve rates for which fixed K's count lands in class {@code k}, kept inside the class's
   * range of fixed-K qualities.
   */
  private double meanSolveQualityInClass(double[] priorNow, int correct, int n, double[] low, int k) {
    if (n >= referenceK) {
      return meanQualityInClass(predictive(priorNow, correct, n), low, k);
    }
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (int c = 0; c <= referenceK; c++) {
      if (classOf(c, low) == k) {
        lo = Math.min(lo, fixedQuality(c));
        hi = Math.max(hi, fixedQuality(c));
      }
    }
    double q = meanSolveQuality(priorNow, correct, n, c -> classOf(c, low) == k);
    return Double.isNaN(q) ? meanQualityInClass(predictive(priorNow, correct, n), low, k)
        : Math.min(hi, Math.max(lo, q));
  }

  /**
   * The posterior mean of {@code 1 - p}, p clamped into the band, given {@code correct} of {@code n}
   * rollouts and that fixed K's final count satisfies {@code finalCount}; NaN when no solve rate on
   * the prior's grid allows that.
   */
  private double meanSolveQuality(double[] priorNow, int correct, int n,
      java.util.function.IntPredicate finalCount) {
    int m = referenceK - n;
    double[] post = prior.posterior(priorNow, correct, n);
    double mass = 0;
    double sum = 0;
    for (int g = 0; g < post.length; g++) {
      if (post[g] == 0) {
        continue;
      }
      double p = prior.point(g);
      double w = 0;
      for (int j = 0; j <= m; j++) {
        if (finalCount.test(correct + j)) {
          w += binomialTerm(m, j, p);
        }
      }
      mass += post[g] * w;
      sum += post[g] * w * (1 - Math.min(band.upper(), Math.max(band.lower(), p)));
    }
    return mass > 0 ? sum / mass : Double.NaN;
  }

  private double meanQualityInClass(double[] predictive, double[] low, int k) {
    double mass = 0;
    double sum = 0;
    for (int c = 0; c <= referenceK; c++) {
      if (classOf(c, low) == k) {
        mass += predictive[c];
        sum += predictive[c] * fixedQuality(c);
      }
    }
    if (mass > 0) {
      return sum / mass;
    }
    // no mass in the class (cannot happen for the argmax): its lowest quality
    for (int c = referenceK; c >= 0; c--) {
      if (classOf(c, low) == k) {
        return fixedQuality(c);
      }
    }
    return 0;
  }

  private static int argmax(double[] p) {
    int best = 0;
    for (int i = 1; i < p.length; i++) {
      if (p[i] > p[best]) {
        best = i;
      }
    }
    return best;
  }

  /**
   * The distribution of the correct count that {@code referenceK} rollouts would give, knowing
   * {@code correct} of the first {@code n}, under the prior.
   */
  double[] predictive(double[] priorNow, int correct, int n) {
    double[] out = new double[referenceK + 1];
    if (n >= referenceK) {
      out[Math.min(referenceK, (int) Math.round((double) correct * referenceK / n))] = 1;
      return out;
    }
    int m = referenceK - n;
    double[] post = prior.posterior(priorNow, correct, n);
    for (int g = 0; g < post.length; g++) {
      if (post[g] == 0) {
        continue;
      }
      double p = prior.point(g);
      for (int j = 0; j <= m; j++) {
        out[correct + j] += post[g] * binomialTerm(m, j, p);
      }
    }
    return out;
  }

  /** The probability of {@code j} correct in {@code m} more rollouts at solve rate {@code p}. */
  private double binomialTerm(int m, int j, double p) {
    return binomial[m][j] * Math.pow(p, j) * Math.pow(1 - p, m - j);
  }

  /**
   * The probability that {@code referenceK} rollouts would end in the band, given {@code correct} of
   * {@code n} so far, under the prior.
   */
  double probabilityInBand(double[] priorNow, int correct, int n) {
    if (n >= referenceK) {
      return band.contains(correct, n) ? 1 : 0;
    }
    return probabilityBetween(priorNow, correct, n, minCorrect, maxCorrect);
  }

  /**
   * The probability that {@code referenceK} rollouts would end with between {@code minC} and
   * {@code maxC} correct, given {@code correct} of {@code n} so far, under the prior.
   */
  double probabilityBetween(double[] priorNow, int correct, int n, int minC, int maxC) {
    if (n >= referenceK) {
      double c = (double) correct * referenceK / n;
      return c >= minC && c <= maxC ? 1 : 0;
    }
    int m = referenceK - n;
    int lo = Math.max(0, minC - correct);
    int hi = Math.min(m, maxC - correct);
    if (hi < lo) {
      return 0;
    }
    double[] post = prior.posterior(priorNow, correct, n);
    double total = 0;
    for (int g = 0; g < post.length; g++) {
      if (post[g] == 0) {
        continue;
      }
      double p = prior.point(g);
      double mass = 0;
      for (int j = lo; j <= hi; j++) {
        mass += binomialTerm(m, j, p);
      }
      total += post[g] * mass;
    }
    return Math.min(1, Math.max(0, total));
  }

  /** Folds in observations of earlier iterations (canonical order) and returns the prior to use. */
  private double[] priorFor(long iteration) {
    synchronized (pending) {
      List<Pending> ready = new ArrayList<>();
      List<Pending> keep = new ArrayList<>();
      for (Pending p : pending) {
        (p.iteration() < iteration ? ready : keep).add(p);
      }
      if (!ready.isEmpty()) {
        ready.sort((a, b) -> a.iteration() != b.iteration() ? Long.compare(a.iteration(), b.iteration())
            : a.id().compareTo(b.id()) != 0 ? a.id().compareTo(b.id())
            : a.correct() != b.correct() ? Integer.compare(a.correct(), b.correct())
            : Integer.compare(a.n(), b.n()));
        for (Pending p : ready) {
          prior.observe(p.correct(), p.n());
        }
        pending.clear();
        pending.addAll(keep);
      }
      return prior.probabilities();
    }
  }

  /** The prior's state (observations not yet folded in are excluded), for checkpoints. */
  public SolveRatePrior.State priorState() {
    synchronized (pending) {
      return prior.state();
    }
  }

  /**
   * The estimator's state as a checkpoint slot named {@code adaptive_estimator}: the learned prior,
   * the observations of the last iterations not yet folded into it (a checkpoint is written between
   * iterations, before the next one folds them in), and the rollout and problem counters. Restoring
   * replaces all of them. A {@code SparqRun} finds it on its own when this estimator is the engine's.
   */
  @Override
  public String stateName() {
    return "adaptive_estimator";
  }

  @Override
  public JsonNode saveState() {
    return stateNamed(stateName()).saveState();
  }

  @Override
  public void restoreState(JsonNode state) {
    stateNamed(stateName()).restoreState(state);
  }

  /**
   * This estimator's state under another name (for runs with several adaptive estimators, one
   * wrapped in another: register each with {@code SparqRun.Builder.slot}).
   */
  public Stateful stateNamed(String name) {
    Objects.requireNonNull(name, "name");
    return new Stateful() {
      @Override
      public String stateName() {
        return name;
      }

      @Override
      public JsonNode saveState() {
        ObjectNode o = Json.mapper().createObjectNode();
        synchronized (pending) {
          SolveRatePrior.State st = prior.state();
          ObjectNode p = o.putObject("prior");
          p.put("grid", st.grid());
          p.put("strength", st.strength());
          ArrayNode base = p.putArray("base");
          for (double v : st.base()) {
            base.add(v);
          }
          ArrayNode counts = p.putArray("counts");
          for (double v : st.counts()) {
            counts.add(v);
          }
          p.put("observations", st.observations());
          ArrayNode pend = o.putArray("pending");
          for (Pending x : pending) {
            pend.addObject().put("iteration", x.iteration()).put("id", x.id())
                .put("correct", x.correct()).put("n", x.n());
          }
          o.put("rollouts_spent", spent.sum());
          o.put("problems_estimated", problems.sum());
        }
        return o;
      }

      @Override
      public void restoreState(JsonNode state) {
        JsonNode p = state.path("prior");
        SolveRatePrior.State st = new SolveRatePrior.State(intField(p, "grid"),
            doubleField(p, "strength"), doubles(p, "base"), doubles(p, "counts"),
            longField(p, "observations"));
        SolveRatePrior restored = SolveRatePrior.fromState(st);
        List<Pending> pend = new ArrayList<>();
        for (JsonNode x : state.path("pending")) {
          pend.add(new Pending(longField(x, "iteration"), textField(x, "id"), intField(x, "correct"),
              intField(x, "n")));
        }
        long rollouts = longField(state, "rollouts_spent");
        long estimated = longField(state, "problems_estimated");
        synchronized (pending) {
          prior = restored;
          pending.clear();
          pending.addAll(pend);
          spent.reset();
          spent.add(rollouts);
          problems.reset();
          problems.add(estimated);
        }
      }

      private JsonNode field(JsonNode o, String f, boolean number) {
        JsonNode v = o.get(f);
        if (v == null || (number ? !v.isNumber() : !v.isTextual())) {
          throw new DataException(null, 0, "slots." + name + "." + f, "missing or not a "
              + (number ? "number" : "string"));
        }
        return v;
      }

      private int intField(JsonNode o, String f) {
        return field(o, f, true).intValue();
      }

      private long longField(JsonNode o, String f) {
        return field(o, f, true).longValue();
      }

      private double doubleField(JsonNode o, String f) {
        return field(o, f, true).doubleValue();
      }

      private String textField(JsonNode o, String f) {
        return field(o, f, false).textValue();
      }

      private double[] doubles(JsonNode o, String f) {
        JsonNode a = o.get(f);
        if (a == null || !a.isArray()) {
          throw new DataException(null, 0, "slots." + name + "." + f, "missing or not an array");
        }
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
          if (!a.get(i).isNumber()) {
            throw new DataException(null, 0, "slots." + name + "." + f + "[" + i + "]",
                "not a number");
          }
          out[i] = a.get(i).doubleValue();
        }
        return out;
      }
    };
  }

  /** Rollouts spent so far. */
  public long rolloutsSpent() {
    return spent.sum();
  }

  /** Problems estimated so far. */
  public long problemsEstimated() {
    return problems.sum();
  }

  /** Mean rollouts per problem so far (NaN before the first). */
  public double meanRollouts() {
    long p = problems.sum();
    return p == 0 ? Double.NaN : (double) spent.sum() / p;
  }

  public ValidityGuard guard() {
    return guard;
  }

  /** The fixed K whose decision is predicted. */
  public int referenceK() {
    return referenceK;
  }

  /** The most rollouts per problem. */
  public int maxRollouts() {
    return maxRollouts;
  }

  /** Rollouts of the first round. */
  public int initialRollouts() {
    return initialRollouts;
  }

  /** Rollouts of each later round. */
  public int roundRollouts() {
    return roundRollouts;
  }

  /** Accepted probability of deciding otherwise than the reference K. */
  public double error() {
    return error;
  }

  /** The quality band. */
  public SolveRateBand band() {
    return band;
  }

  /** Whether rollouts stop once a child cannot enter its niche. */
  public boolean archiveAware() {
    return archiveAware;
  }

  /** Builder of {@link AdaptiveEstimator}. */
  public static final class Builder {
    private int referenceK = 16;
    private int maxRollouts;
    private int initialRollouts = 4;
    private int roundRollouts = 2;
    private double error = 0.03;
    private SolveRateBand band = SolveRateBand.PAPER;
    private ValidityGuard guard = ValidityGuard.flagging();
    private SolveRatePrior.State prior;
    private boolean archiveAware;
    private int rankDepth = 2;
    private double admissionError = 0.01;

    private Builder() {}

    /**
     * How many of a full niche's worst members the archive-aware mode ranks a child against
     * (default 2: whether it enters, and whether it also outranks the second worst member, which
     * decides who leaves when a second child enters the niche; 1: only whether it enters). With depth d a child is rolled out until it is settled
     * which of the d worst members it outranks, so more rollouts go to children near a member's
     * quality; {@code Integer.MAX_VALUE} ranks it against every member.
     */
    public Builder rankDepth(int d) {
      if (d < 1) {
        throw ConfigException.forKey("adaptive.rank_depth", "must be >= 1, was " + d);
      }
      this.rankDepth = d;
      return this;
    }

    /**
     * Archive-aware allocation (default off): the engine describes each child first and passes its
     * niche's admission threshold; rollouts stop as soon as a child cannot enter its full niche, and
     * a child that would enter one is measured with {@code referenceK} rollouts. See
     * {@link AdaptiveEstimator#estimate(List, double[], Solver, StageContext)}.
     */
    public Builder archiveAware(boolean on) {
      this.archiveAware = on;
      return this;
    }

    /**
     * Archive-aware mode: accepted probability that a child of a full niche is settled in another
     * rank class (see {@link #rankDepth(int)}) than fixed K would give it; default 0.01. Children of
     * niches with a free slot use {@link #error(double)}.
     */
    public Builder admissionError(double e) {
      if (!(e > 0 && e < 0.5)) {
        throw ConfigException.forKey("adaptive.admission_error", "must be in (0, 0.5), was " + e);
      }
      this.admissionError = e;
      return this;
    }

    /** The fixed K whose decision is predicted; default 16. */
    public Builder referenceK(int k) {
      if (k < 1 || k > 1000) {
        throw ConfigException.forKey("adaptive.reference_k", "must be in [1, 1000], was " + k);
      }
      this.referenceK = k;
      return this;
    }

    /** The most rollouts per problem; default (0) the reference K. */
    public Builder maxRollouts(int n) {
      if (n < 1) {
        throw ConfigException.forKey("adaptive.max_rollouts", "must be >= 1, was " + n);
      }
      this.maxRollouts = n;
      return this;
    }

    /** Rollouts in the first round; default 4. */
    public Builder initialRollouts(int n) {
      if (n < 1) {
        throw ConfigException.forKey("adaptive.initial_rollouts", "must be >= 1, was " + n);
      }
      this.initialRollouts = n;
      return this;
    }

    /** Rollouts in each later round; default 2. */
    public Builder roundRollouts(int n) {
      if (n < 1) {
        throw ConfigException.forKey("adaptive.round_rollouts", "must be >= 1, was " + n);
      }
      this.roundRollouts = n;
      return this;
    }

    /** Accepted probability of deciding otherwise than the reference K would; default 0.03. */
    public Builder error(double e) {
      if (!(e > 0 && e < 0.5)) {
        throw ConfigException.forKey("adaptive.error", "must be in (0, 0.5), was " + e);
      }
      this.error = e;
      return this;
    }

    public Builder band(SolveRateBand band) {
      this.band = Objects.requireNonNull(band, "band");
      return this;
    }

    public Builder guard(ValidityGuard guard) {
      this.guard = Objects.requireNonNull(guard, "guard");
      return this;
    }

    /** Starts from a saved prior (from {@link AdaptiveEstimator#priorState()}). */
    public Builder prior(SolveRatePrior.State state) {
      this.prior = Objects.requireNonNull(state, "prior");
      return this;
    }

    public AdaptiveEstimator build() {
      int max = maxRollouts == 0 ? referenceK : maxRollouts;
      if (max > referenceK) {
        throw ConfigException.forKey("adaptive.max_rollouts",
            "must be <= reference_k (" + referenceK + "), was " + max);
      }
      return new AdaptiveEstimator(this);
    }
  }
}
