package dev.sparq.core.stage;

import dev.sparq.core.Outcome;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Problem;
import java.util.List;

/**
 * Places problems in the space of diversity: skill sets (SPARQ), numeric measures or embeddings.
 */
@FunctionalInterface
public interface DiversityDescriptor {
  /** @return one outcome per problem, in order */
  List<Outcome<Descriptor>> describe(List<Problem> problems, StageContext context);
}
