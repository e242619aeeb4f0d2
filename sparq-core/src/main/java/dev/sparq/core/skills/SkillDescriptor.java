package dev.sparq.core.skills;

import dev.sparq.core.Outcome;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Problem;
import dev.sparq.core.pipeline.DiversityDescriptor;
import dev.sparq.core.pipeline.StageContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * SPARQ's niches: the descriptor of a problem is its sorted set of up to k skills from the
 * {@link SkillVocabulary}, used as a categorical archive key ({@link Descriptor#ofLabels}). Problems
 * whose labels all fall outside the vocabulary get the empty skill set (one niche of their own);
 * unusable labeller replies are rejections (see {@link SkillLabeler#UNPARSEABLE}).
 *
 * <p>{@link #forSeeds} labels the seed set once, builds the vocabulary from it and remembers the seed
 * labels, so describing the seeds again (as the engine does) costs no model call.
 */
public final class SkillDescriptor implements DiversityDescriptor {
  private final SkillLabeler labeler;
  private final SkillVocabulary vocabulary;
  private final Map<String, List<String>> known;

  /** A descriptor over an existing vocabulary. */
  public SkillDescriptor(SkillLabeler labeler, SkillVocabulary vocabulary) {
    this(labeler, vocabulary, Map.of());
  }

  private SkillDescriptor(SkillLabeler labeler, SkillVocabulary vocabulary,
      Map<String, List<String>> known) {
    this.labeler = Objects.requireNonNull(labeler, "labeler");
    this.vocabulary = Objects.requireNonNull(vocabulary, "vocabulary");
    this.known = Map.copyOf(known);
  }

  /**
   * Labels the seeds (one model call per {@code batch} problems), keeps the {@code m} most common
   * skills as the vocabulary, and returns a descriptor that remembers the seed labels.
   */
  public static SkillDescriptor forSeeds(SkillLabeler labeler, List<Problem> seeds, int m, int batch,
      StageContext context) {
    Map<String, List<String>> labels = new HashMap<>();
    List<List<String>> all = new ArrayList<>();
    for (int from = 0; from < seeds.size(); from += batch) {
      List<Problem> chunk = seeds.subList(from, Math.min(seeds.size(), from + batch));
      List<Outcome<List<String>>> got = labeler.label(chunk, context);
      for (int i = 0; i < chunk.size(); i++) {
        if (got.get(i).isPresent()) {
          labels.put(chunk.get(i).id(), got.get(i).value());
          all.add(got.get(i).value());
        }
      }
    }
    return new SkillDescriptor(labeler, SkillVocabulary.build(all, m), labels);
  }

  @Override
  public List<Outcome<Descriptor>> describe(List<Problem> problems, StageContext context) {
    List<Outcome<Descriptor>> out = new ArrayList<>(problems.size());
    List<Problem> ask = new ArrayList<>();
    List<Integer> slots = new ArrayList<>();
    for (int i = 0; i < problems.size(); i++) {
      List<String> raw = known.get(problems.get(i).id());
      if (raw != null) {
        out.add(Outcome.of(Descriptor.ofLabels(vocabulary.mapAll(raw, labeler.k()))));
      } else {
        out.add(null);
        ask.add(problems.get(i));
        slots.add(i);
      }
    }
    if (!ask.isEmpty()) {
      List<Outcome<List<String>>> got = labeler.label(ask, context);
      for (int j = 0; j < ask.size(); j++) {
        Outcome<List<String>> g = got.get(j);
        out.set(slots.get(j), g.map(raw -> Descriptor.ofLabels(vocabulary.mapAll(raw, labeler.k()))));
      }
    }
    return out;
  }

  public SkillVocabulary vocabulary() {
    return vocabulary;
  }

  public SkillLabeler labeler() {
    return labeler;
  }
}
