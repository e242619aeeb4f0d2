package dev.sparq.core.archive;

import dev.sparq.core.model.Descriptor;

/**
 * A static k-d tree over a fixed set of points for exact nearest-neighbour queries (squared Euclidean
 * distance). Built once in O(n log^2 n); a query visits O(log n) nodes for well-spread points in low
 * dimension. Ties are broken by the smaller point index, so results are deterministic and equal to a
 * brute-force scan.
 *
 * <p>Layout: the point indices are arranged in tree order (the node of a range {@code [lo, hi)} sits
 * at its middle) and the coordinates are copied into one flat array in that order, so a query reads
 * memory mostly sequentially. Ranges of at most {@value #LEAF} points are leaves scanned linearly.
 * The tree is immutable after construction and safe for concurrent queries.
 */
final class KdTree {
  /** Ranges this small are scanned linearly instead of split further. */
  private static final int LEAF = 8;

  private final int dims;
  private final int n;
  /** Point indices in tree order. */
  private final int[] order;
  /** Coordinates in tree order: {@code flat[pos * dims + d]}. */
  private final double[] flat;
  /** Split dimension of the node stored at each position (internal nodes only). */
  private final byte[] splitDim;

  /** The best point found so far by one query. */
  private static final class Best {
    double dist = Double.POSITIVE_INFINITY;
    int index = -1;
  }

  KdTree(double[][] points) {
    this.n = points.length;
    this.dims = n == 0 ? 0 : points[0].length;
    this.order = new int[n];
    this.splitDim = new byte[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    build(points, 0, n);
    this.flat = new double[n * dims];
    for (int pos = 0; pos < n; pos++) {
      System.arraycopy(points[order[pos]], 0, flat, pos * dims, dims);
    }
  }

  private void build(double[][] points, int lo, int hi) {
    if (hi - lo <= LEAF) {
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
    select(points, lo, hi - 1, mid, best);
    splitDim[mid] = (byte) best;
    build(points, lo, mid);
    build(points, mid + 1, hi);
  }

  /** Quickselect so that order[k] holds the k-th smallest along dimension d within [lo, hi]. */
  private void select(double[][] points, int lo, int hi, int k, int d) {
    while (hi > lo) {
      double pivot = points[order[(lo + hi) >>> 1]][d];
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (points[order[i]][d] < pivot) {
          i++;
        }
        while (points[order[j]][d] > pivot) {
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

  /** Index of the nearest point to {@code q} (smallest index among equally near points). */
  int nearest(double[] q) {
    Best best = new Best();
    search(0, n, q, best);
    return best.index;
  }

  /** Index of the nearest point to a descriptor's measures, without copying them. */
  int nearest(Descriptor q) {
    if (dims == 2) {
      Best best = new Best();
      search2(0, n, q.measure(0), q.measure(1), best);
      return best.index;
    }
    double[] point = new double[dims];
    for (int d = 0; d < dims; d++) {
      point[d] = q.measure(d);
    }
    return nearest(point);
  }

  private void search(int lo, int hi, double[] q, Best best) {
    if (hi - lo <= LEAF) {
      for (int pos = lo; pos < hi; pos++) {
        visit(pos, q, best);
      }
      return;
    }
    int mid = (lo + hi) >>> 1;
    visit(mid, q, best);
    int sd = splitDim[mid];
    double delta = q[sd] - flat[mid * dims + sd];
    if (delta < 0) {
      search(lo, mid, q, best);
      if (delta * delta <= best.dist) {
        search(mid + 1, hi, q, best);
      }
    } else {
      search(mid + 1, hi, q, best);
      if (delta * delta <= best.dist) {
        search(lo, mid, q, best);
      }
    }
  }

  private void visit(int pos, double[] q, Best best) {
    int base = pos * dims;
    double dist = 0;
    for (int d = 0; d < dims; d++) {
      double diff = flat[base + d] - q[d];
      dist += diff * diff;
    }
    offer(pos, dist, best);
  }

  /** The same search specialised to two dimensions (the common case of numeric descriptors). */
  private void search2(int lo, int hi, double x, double y, Best best) {
    if (hi - lo <= LEAF) {
      for (int pos = lo; pos < hi; pos++) {
        double dx = flat[2 * pos] - x;
        double dy = flat[2 * pos + 1] - y;
        offer(pos, dx * dx + dy * dy, best);
      }
      return;
    }
    int mid = (lo + hi) >>> 1;
    double dx = flat[2 * mid] - x;
    double dy = flat[2 * mid + 1] - y;
    offer(mid, dx * dx + dy * dy, best);
    double delta = splitDim[mid] == 0 ? -dx : -dy;
    if (delta < 0) {
      search2(lo, mid, x, y, best);
      if (delta * delta <= best.dist) {
        search2(mid + 1, hi, x, y, best);
      }
    } else {
      search2(mid + 1, hi, x, y, best);
      if (delta * delta <= best.dist) {
        search2(lo, mid, x, y, best);
      }
    }
  }

  private void offer(int pos, double dist, Best best) {
    if (dist < best.dist || (dist == best.dist && order[pos] < best.index)) {
      best.dist = dist;
      best.index = order[pos];
    }
  }
}
