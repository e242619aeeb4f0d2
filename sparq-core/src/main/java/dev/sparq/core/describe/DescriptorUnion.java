package dev.sparq.core.describe;

import dev.sparq.core.Outcome;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Problem;
import dev.sparq.core.state.Composite;
import dev.sparq.core.stage.DiversityDescriptor;
import dev.sparq.core.stage.StageContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Several descriptors as one: each problem's measures are the parts' measures concatenated in
 * order, its labels the union of the parts' labels. A problem rejected by any part is rejected
 * (with the first part's rejection). Use it to combine skill labels with a semantic cell label
 * ({@code dev.sparq.onnx.embed.EmbeddingDescriptor#asCellLabel} in sparq-onnx) for a categorical archive whose niches are
 * (skill set, semantic region) pairs. As a {@link Composite} it lets a checkpoint keep its parts'
 * state (a skill vocabulary, a fitted projection).
 */
public final class DescriptorUnion implements DiversityDescriptor, Composite {
  private final List<DiversityDescriptor> parts;

  private DescriptorUnion(List<DiversityDescriptor> parts) {
    this.parts = List.copyOf(parts);
  }

  /** The union of the given descriptors (at least one). */
  public static DescriptorUnion of(DiversityDescriptor... parts) {
    if (parts.length == 0) {
      throw new IllegalArgumentException("a descriptor union needs at least one part");
    }
    for (DiversityDescriptor p : parts) {
      Objects.requireNonNull(p, "part");
    }
    return new DescriptorUnion(List.of(parts));
  }

  /** The descriptors in order. */
  @Override
  public List<?> parts() {
    return parts;
  }

  @Override
  public List<Outcome<Descriptor>> describe(List<Problem> problems, StageContext context) {
    List<List<Outcome<Descriptor>>> results = new ArrayList<>(parts.size());
    for (DiversityDescriptor p : parts) {
      List<Outcome<Descriptor>> r = p.describe(problems, context);
      if (r.size() != problems.size()) {
        throw new IllegalStateException(p.getClass().getName() + " returned " + r.size()
            + " outcomes for " + problems.size() + " problems");
      }
      results.add(r);
    }
    List<Outcome<Descriptor>> out = new ArrayList<>(problems.size());
    for (int i = 0; i < problems.size(); i++) {
      Outcome<Descriptor> rejected = null;
      int total = 0;
      List<String> labels = new ArrayList<>();
      for (List<Outcome<Descriptor>> r : results) {
        Outcome<Descriptor> o = r.get(i);
        if (!o.isPresent()) {
          rejected = o;
          break;
        }
        total += o.value().dimensions();
        labels.addAll(o.value().labels());
      }
      if (rejected != null) {
        out.add(rejected);
        continue;
      }
      double[] measures = new double[total];
      int at = 0;
      for (List<Outcome<Descriptor>> r : results) {
        Descriptor d = r.get(i).value();
        for (int k = 0; k < d.dimensions(); k++) {
          measures[at++] = d.measure(k);
        }
      }
      out.add(Outcome.of(new Descriptor(measures, labels)));
    }
    return out;
  }
}
