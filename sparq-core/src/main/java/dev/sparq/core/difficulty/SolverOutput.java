package dev.sparq.core.difficulty;

import dev.sparq.core.SparqException;
import dev.sparq.core.model.Problem;
import dev.sparq.core.model.Rollout;
import dev.sparq.core.stage.Solver;
import java.util.List;

/** Holds a {@link Solver}'s answer to its contract before an estimator counts it. */
final class SolverOutput {
  private SolverOutput() {}

  /**
   * {@code got} when it has one list of exactly {@code k} non-null rollouts per problem, in order;
   * otherwise a {@link SparqException} naming the solver, the problem (index and id) and what is
   * wrong, instead of a miscounted solve rate or a bare exception later.
   */
  static List<List<Rollout>> check(Solver solver, List<Problem> problems, int k,
      List<List<Rollout>> got) {
    String who = "solver " + solver.getClass().getName();
    if (got == null || got.size() != problems.size()) {
      throw new SparqException(who + " returned " + (got == null ? "null" : got.size() + " lists")
          + " for " + problems.size() + " problems; it must return one list of " + k
          + " rollouts per problem, in order");
    }
    for (int i = 0; i < got.size(); i++) {
      List<Rollout> rs = got.get(i);
      String which = "problem " + i + " (id " + problems.get(i).id() + ")";
      if (rs == null || rs.size() != k) {
        throw new SparqException(who + " returned " + (rs == null ? "null" : rs.size() + " rollouts")
            + " for " + which + " where " + k + " were asked; a Solver returns exactly k rollouts"
            + " per problem (a failed attempt is a rollout that is not correct)");
      }
      for (int j = 0; j < k; j++) {
        if (rs.get(j) == null) {
          throw new SparqException(who + " returned a null rollout (" + j + " of " + k + ") for "
              + which);
        }
      }
    }
    return got;
  }
}
