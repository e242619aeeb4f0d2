package dev.sparq.core.archive;

/**
 * A static k-d tree over a fixed set of points for exact nearest-neighbour queries (squared Euclidean
 * distance). Built once in O(n log^2 n); a query visits O(log n) nodes for well-spread points in low
 * dimension. Ties are broken by the smaller point index, so results are deterministic.
 */
final class KdTree {
  private final double[][] points;
  private final int dims;
  /** Point indices in tree order: the node of a range [lo, hi) is at its middle. */
  private final int[] order;
  /** Split dimension of the node stored at each position of {@link #order}. */
  private final byte[] splitDim;

  KdTree(double[][] points) {
    this.points = points;
    this.dims = points.length == 0 ? 0 : points[0].length;
    this.order = new int[points.length];
    this.splitDim = new byte[points.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    build(0, order.length);
  }

  private void build(int lo, int hi) {
    if (hi - lo <= 0) {
      return;
    }
    // split on the dimension of widest spread
    int best = 0;
    double bestSpread = -1;
    for (int d = 0; d < dims; d++) {
      double min = Double.POSITIVE_INFINITY;
      double max = Double.NEGATIVE_INFINITY;
      for (int i = lo; i < hi; i++) {
        double v = points[order[i]][d];
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      if (max - min > bestSpread) {
        bestSpread = max - min;
        best = d;
      }
    }
    int mid = (lo + hi) >>> 1;
    select(lo, hi - 1, mid, best);
    splitDim[mid] = (byte) best;
    build(lo, mid);
    build(mid + 1, hi);
  }

  /** Quickselect so that order[k] holds the k-th smallest along dimension d within [lo, hi]. */
  private void select(int lo, int hi, int k, int d) {
    while (hi > lo) {
      double pivot = points[order[(lo + hi) >>> 1]][d];
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (less(order[i], pivot, d)) {
          i++;
        }
        while (greater(order[j], pivot, d)) {
          j--;
        }
        if (i <= j) {
          int t = order[i];
          order[i] = order[j];
          order[j] = t;
          i++;
          j--;
        }
      }
      if (k <= j) {
        hi = j;
      } else if (k >= i) {
        lo = i;
      } else {
        return;
      }
    }
  }

  private boolean less(int p, double pivot, int d) {
    return points[p][d] < pivot;
  }

  private boolean greater(int p, double pivot, int d) {
    return points[p][d] > pivot;
  }

  /** Index of the nearest point to {@code q} (smallest index among equally near points). */
  int nearest(double[] q) {
    double[] best = {Double.POSITIVE_INFINITY};
    int[] bestIdx = {-1};
    search(0, order.length, q, best, bestIdx);
    return bestIdx[0];
  }

  private void search(int lo, int hi, double[] q, double[] best, int[] bestIdx) {
    if (hi <= lo) {
      return;
    }
    int mid = (lo + hi) >>> 1;
    int p = order[mid];
    double[] pt = points[p];
    double dist = 0;
    for (int d = 0; d < dims; d++) {
      double diff = pt[d] - q[d];
      dist += diff * diff;
    }
    if (dist < best[0] || (dist == best[0] && p < bestIdx[0])) {
      best[0] = dist;
      bestIdx[0] = p;
    }
    int sd = splitDim[mid];
    double delta = q[sd] - pt[sd];
    if (delta < 0) {
      search(lo, mid, q, best, bestIdx);
      if (delta * delta <= best[0]) {
        search(mid + 1, hi, q, best, bestIdx);
      }
    } else {
      search(mid + 1, hi, q, best, bestIdx);
      if (delta * delta <= best[0]) {
        search(lo, mid, q, best, bestIdx);
      }
    }
  }
}
