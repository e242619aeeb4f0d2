package dev.sparq.core.stage;

import dev.sparq.core.Outcome;
import dev.sparq.core.model.Problem;
import java.util.List;

/**
 * Makes one child per parent. SPARQ's generator rewrites one parent problem and its solution into a
 * new problem with a full solution and a boxed answer.
 */
@FunctionalInterface
public interface Generator {
  /**
   * @param parents primary parents, one child each
   * @return one outcome per parent, in order: the child (with its lineage set) or why none was made
   */
  List<Outcome<Problem>> generate(List<Problem> parents, StageContext context);
}
