package dev.sparq.core.archive;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.sparq.core.model.Descriptor;
import java.util.Arrays;

/**
 * A regular grid over numeric measures: per dimension a number of bins and bounds. Values outside the
 * bounds are clipped into the edge bins; NaN or infinite values are an error. Cells are numbered in
 * row-major order (the last dimension varies fastest).
 *
 * <p>A value maps to bin {@code floor(bins * (x - lower) / (upper - lower) + EDGE_EPSILON)}, then
 * clipped to {@code [0, bins - 1]}. As in pyribs' {@code GridArchive.index_of}, the epsilon keeps a
 * value written exactly on a bin edge (0.01 of 10 bins over [0, 0.1]) in the bin that starts there,
 * where rounding would otherwise drop it into the bin below; the upper bound belongs to the last
 * bin. Unlike pyribs, whose epsilon (1e-6) is in the measure's units and so moves every value of a
 * dimension narrower than about 1e-5 up by whole bins, it is a fraction of a bin here.
 */
public final class GridTessellation implements Tessellation {
  /**
   * Added, in bins, to a value's position before it is rounded down to its bin, so that rounding
   * does not move a value on a bin edge into the bin below: a value less than a millionth of a bin
   * below an edge counts as on it.
   */
  public static final double EDGE_EPSILON = 1e-6;

  private final int[] bins;
  private final double[] lower;
  private final double[] upper;
  private final int cells;

  /**
   * @param bins bins per dimension, each at least 1
   * @param lower lower bound per dimension
   * @param upper upper bound per dimension, greater than the lower bound
   */
  @JsonCreator
  public GridTessellation(
      @JsonProperty("bins") int[] bins,
      @JsonProperty("lower") double[] lower,
      @JsonProperty("upper") double[] upper) {
    if (bins == null || lower == null || upper == null || bins.length == 0) {
      throw new IllegalArgumentException("grid needs bins, lower and upper for at least one dimension");
    }
    if (bins.length != lower.length || bins.length != upper.length) {
      throw new IllegalArgumentException("grid: bins, lower and upper must have the same length, got "
          + bins.length + ", " + lower.length + ", " + upper.length);
    }
    long total = 1;
    for (int i = 0; i < bins.length; i++) {
      if (bins[i] < 1) {
        throw new IllegalArgumentException("grid: bins[" + i + "] must be >= 1, was " + bins[i]);
      }
      if (!Double.isFinite(lower[i]) || !Double.isFinite(upper[i]) || !(upper[i] > lower[i])) {
        throw new IllegalArgumentException("grid: dimension " + i + " needs finite lower < upper, got ["
            + lower[i] + ", " + upper[i] + "]");
      }
      total *= bins[i];
      if (total > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("grid: too many cells (" + total + ")");
      }
    }
    this.bins = bins.clone();
    this.lower = lower.clone();
    this.upper = upper.clone();
    this.cells = (int) total;
  }

  /** A grid with the same bins and bounds in every dimension. */
  public static GridTessellation uniform(int dimensions, int binsPerDimension, double lower, double upper) {
    int[] b = new int[dimensions];
    double[] lo = new double[dimensions];
    double[] hi = new double[dimensions];
    Arrays.fill(b, binsPerDimension);
    Arrays.fill(lo, lower);
    Arrays.fill(hi, upper);
    return new GridTessellation(b, lo, hi);
  }

  @JsonProperty("bins")
  public int[] bins() {
    return bins.clone();
  }

  @JsonProperty("lower")
  public double[] lower() {
    return lower.clone();
  }

  @JsonProperty("upper")
  public double[] upper() {
    return upper.clone();
  }

  public int dimensions() {
    return bins.length;
  }

  @Override
  public int cellOf(Descriptor descriptor, boolean create) {
    if (descriptor.dimensions() != bins.length) {
      throw new IllegalArgumentException("grid has " + bins.length + " dimensions but the descriptor has "
          + descriptor.dimensions() + " measures");
    }
    int index = 0;
    for (int i = 0; i < bins.length; i++) {
      double x = descriptor.measure(i);
      if (!Double.isFinite(x)) {
        throw new IllegalArgumentException("grid: measure " + i + " is " + x + "; measures must be finite");
      }
      int b = (int) Math.floor(bins[i] * (x - lower[i]) / (upper[i] - lower[i]) + EDGE_EPSILON);
      if (b < 0) {
        b = 0;
      } else if (b >= bins[i]) {
        b = bins[i] - 1;
      }
      index = index * bins[i] + b;
    }
    return index;
  }

  /** The per-dimension bin indices of a cell. */
  public int[] binsOf(int cell) {
    if (cell < 0 || cell >= cells) {
      throw new IndexOutOfBoundsException("cell " + cell + " of " + cells);
    }
    int[] out = new int[bins.length];
    for (int i = bins.length - 1; i >= 0; i--) {
      out[i] = cell % bins[i];
      cell /= bins[i];
    }
    return out;
  }

  @Override
  public int cellCount() {
    return cells;
  }

  @Override
  public int existingCells() {
    return cells;
  }

  @Override
  public String label(int cell) {
    int[] b = binsOf(cell);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < b.length; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(b[i]);
    }
    return sb.toString();
  }

  @Override
  public Tessellation copy() {
    return this; // immutable
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GridTessellation g && Arrays.equals(bins, g.bins)
        && Arrays.equals(lower, g.lower) && Arrays.equals(upper, g.upper);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bins) * 31 + Arrays.hashCode(lower);
  }
}
