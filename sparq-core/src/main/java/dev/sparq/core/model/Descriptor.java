package dev.sparq.core.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * Where a problem sits in the space of diversity: numeric measures (for grid and CVT archives), a
 * set of labels such as skills (for categorical archives), or both.
 *
 * @param measures numeric measures (may be empty); copied, never shared
 * @param labels labels, sorted and without duplicates (may be empty)
 */
public record Descriptor(double[] measures, List<String> labels) {
  /** Separator of labels in {@link #key()}. */
  public static final String KEY_SEPARATOR = "|";

  public Descriptor {
    measures = measures == null ? new double[0] : measures.clone();
    labels = labels == null ? List.of() : List.copyOf(new TreeSet<>(labels));
  }

  public static Descriptor ofMeasures(double... measures) {
    return new Descriptor(measures, List.of());
  }

  public static Descriptor ofLabels(Collection<String> labels) {
    return new Descriptor(new double[0], List.copyOf(labels));
  }

  public static Descriptor ofLabels(String... labels) {
    return ofLabels(Arrays.asList(labels));
  }

  /** A copy of the measures. */
  @Override
  public double[] measures() {
    return measures.clone();
  }

  /** The i-th measure, without copying. */
  public double measure(int i) {
    return measures[i];
  }

  public int dimensions() {
    return measures.length;
  }

  /** The categorical key: the sorted labels joined by {@value #KEY_SEPARATOR}. */
  @JsonIgnore
  public String key() {
    return String.join(KEY_SEPARATOR, labels);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Descriptor d && Arrays.equals(measures, d.measures) && labels.equals(d.labels);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(measures) + labels.hashCode();
  }

  @Override
  public String toString() {
    return "Descriptor[measures=" + Arrays.toString(measures) + ", labels=" + labels + "]";
  }
}
