package dev.sparq.core.difficulty;

import dev.sparq.core.model.Problem;
import dev.sparq.core.stage.StageContext;
import java.util.List;

/**
 * A second opinion on disputed problems, used by the {@link ValidityGuard.Policy#RESOLVE} policy: for
 * each problem, does an independent solve (typically by the generator model) agree with the intended
 * answer?
 */
@FunctionalInterface
public interface AnswerResolver {
  /** @return one flag per problem, in order: true when the intended answer is confirmed */
  List<Boolean> confirm(List<Problem> problems, StageContext context);
}
