package dev.sparq.core.describe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparq.core.DataException;
import dev.sparq.core.internal.Json;
import dev.sparq.core.Outcome;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Problem;
import dev.sparq.core.stage.DiversityDescriptor;
import dev.sparq.core.stage.StageContext;
import dev.sparq.core.state.Stateful;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * SPARQ's niches: the descriptor of a problem is its sorted set of up to k skills from the
 * {@link SkillVocabulary}, used as a categorical archive key ({@link Descriptor#ofLabels}). Problems
 * whose labels all fall outside the vocabulary get the empty skill set (one niche of their own);
 * unusable labeller replies are rejections (see {@link SkillLabeler#UNPARSEABLE}).
 *
 * <p>{@link #forSeeds} labels the seed set once, builds the vocabulary from it and remembers the seed
 * labels, so describing the seeds again (as the engine does) costs no model call.
 */
public final class SkillDescriptor implements DiversityDescriptor, Stateful {
  private final SkillLabeler labeler;
  /** The vocabulary and the seed labels; replaced as a whole when a checkpoint is restored. */
  private volatile Tables tables;

  private record Tables(SkillVocabulary vocabulary, Map<String, List<String>> known) {}

  /** Stands for "not restored yet" in a descriptor made by {@link #toRestore}. */
  private static final Tables AWAITING_RESTORE = new Tables(SkillVocabulary.of(List.of()), Map.of());

  /** A descriptor over an existing vocabulary. */
  public SkillDescriptor(SkillLabeler labeler, SkillVocabulary vocabulary) {
    this(labeler, vocabulary, Map.of());
  }

  private SkillDescriptor(SkillLabeler labeler, SkillVocabulary vocabulary,
      Map<String, List<String>> known) {
    this.labeler = Objects.requireNonNull(labeler, "labeler");
    this.tables = new Tables(Objects.requireNonNull(vocabulary, "vocabulary"), Map.copyOf(known));
  }

  /**
   * A descriptor for a run that resumes from a checkpoint holding this descriptor's state (the slot
   * {@code skill_descriptor}): the seeds are not labelled, since restoring replaces the vocabulary
   * and the seed labels anyway ({@link dev.sparq.core.store.SparqRun} restores them before the engine
   * describes the seeds). Until {@link #restoreState} is called, {@link #describe} and
   * {@link #vocabulary()} throw {@link IllegalStateException}, so a run that has no such checkpoint
   * fails at once instead of placing every problem in the empty skill set.
   */
  public static SkillDescriptor toRestore(SkillLabeler labeler) {
    SkillDescriptor d = new SkillDescriptor(labeler, SkillVocabulary.of(List.of()));
    d.tables = AWAITING_RESTORE;
    return d;
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
    Tables t = restored();
    SkillVocabulary vocabulary = t.vocabulary();
    Map<String, List<String>> known = t.known();
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
    return restored().vocabulary();
  }

  private Tables restored() {
    Tables t = tables;
    if (t == AWAITING_RESTORE) {
      throw new IllegalStateException("the skill vocabulary was to come from a checkpoint (slot"
          + " 'skill_descriptor'), but none was restored: resume from a checkpoint written with a skill"
          + " descriptor, or label the seeds (SkillDescriptor.forSeeds)");
    }
    return t;
  }

  /**
   * The vocabulary and the remembered seed labels as a checkpoint slot named
   * {@code skill_descriptor}. Restoring replaces both, so a resumed run keeps the niches it started
   * with even when relabelling the seeds would give other labels (a sampled model); a descriptor
   * made for a resume may then start from any vocabulary, for example
   * {@code new SkillDescriptor(labeler, SkillVocabulary.of(List.of()))}, without labelling the seeds
   * again.
   */
  @Override
  public String stateName() {
    return stateView().stateName();
  }

  @Override
  public JsonNode saveState() {
    return stateView().saveState();
  }

  @Override
  public void restoreState(JsonNode state) {
    stateView().restoreState(state);
  }

  private Stateful stateView() {
    return new Stateful() {
      @Override
      public String stateName() {
        return "skill_descriptor";
      }

      @Override
      public JsonNode saveState() {
        Tables t = restored();
        ObjectNode o = Json.mapper().createObjectNode();
        o.set("vocabulary", t.vocabulary().toJson());
        ObjectNode seeds = o.putObject("seed_labels");
        new TreeMap<>(t.known()).forEach((id, labels) -> labels.forEach(seeds.putArray(id)::add));
        return o;
      }

      @Override
      public void restoreState(JsonNode state) {
        JsonNode v = state.get("vocabulary");
        JsonNode seeds = state.get("seed_labels");
        if (v == null || seeds == null || !seeds.isObject()) {
          throw new DataException(null, 0, "slots.skill_descriptor",
              "needs 'vocabulary' and a 'seed_labels' object");
        }
        SkillVocabulary vocabulary = SkillVocabulary.fromJson(v);
        Map<String, List<String>> known = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : seeds.properties()) {
          List<String> labels = new ArrayList<>();
          for (JsonNode l : e.getValue()) {
            if (!l.isTextual()) {
              throw new DataException(null, 0, "slots.skill_descriptor.seed_labels." + e.getKey(),
                  "labels must be strings");
            }
            labels.add(l.textValue());
          }
          known.put(e.getKey(), List.copyOf(labels));
        }
        tables = new Tables(vocabulary, Map.copyOf(known));
      }
    };
  }

  public SkillLabeler labeler() {
    return labeler;
  }
}
