package dev.sparq.core.archive;

/**
 * A fast exact nearest-centroid index for two-dimensional CVTs: a regular grid of about one bucket
 * per centroid over the centroids' bounding box (plus a margin), where each bucket lists every
 * centroid that can be the nearest one for some point of the bucket. A query finds its bucket and
 * scans its short list (typically 5 to 15 centroids). Points outside the box, or in a bucket crowded
 * by a dense cluster, get no answer and go to the k-d tree.
 *
 * <p>Exactness: for a bucket B, let c0 be the centroid nearest to B's centre and U the largest
 * distance from c0 to a point of B. For any point p in B the nearest centroid c* satisfies
 * {@code mindist(c*, B) <= |p - c*| <= |p - c0| <= U}, so listing every centroid with
 * {@code mindist(c, B) <= U} (with a small slack for rounding) never misses it; ties are broken by the
 * smaller index while scanning, as in the k-d tree.
 */
final class PlaneBuckets {
  /** Buckets with more candidates than this leave the query to the k-d tree. */
  private static final int CROWDED = 48;

  private final double x0;
  private final double y0;
  private final double x1;
  private final double y1;
  private final double invW;
  private final double invH;
  private final int gx;
  private final int gy;
  /** CSR offsets into {@link #index} and {@link #xy}, one per bucket plus one. */
  private final int[] start;
  /** Candidate centroid indices per bucket. */
  private final int[] index;
  /** Candidate coordinates, interleaved x, y. */
  private final double[] xy;

  PlaneBuckets(double[][] centroids, KdTree tree) {
    int n = centroids.length;
    double minX = Double.POSITIVE_INFINITY;
    double minY = Double.POSITIVE_INFINITY;
    double maxX = Double.NEGATIVE_INFINITY;
    double maxY = Double.NEGATIVE_INFINITY;
    for (double[] c : centroids) {
      minX = Math.min(minX, c[0]);
      maxX = Math.max(maxX, c[0]);
      minY = Math.min(minY, c[1]);
      maxY = Math.max(maxY, c[1]);
    }
    double ex = maxX - minX;
    double ey = maxY - minY;
    double scale = Math.max(Math.max(ex, ey), Math.max(Math.abs(minX), Math.abs(minY)) * 1e-9);
    if (scale == 0) {
      scale = 1;
    }
    ex = Math.max(ex, scale * 1e-3);
    ey = Math.max(ey, scale * 1e-3);
    // a margin so that points slightly outside the centroids' hull still use the buckets
    x0 = minX - 0.1 * ex;
    y0 = minY - 0.1 * ey;
    double w = 1.2 * ex;
    double h = 1.2 * ey;
    x1 = x0 + w;
    y1 = y0 + h;
    gx = (int) Math.max(1, Math.min(4096, Math.round(Math.sqrt(n * w / h))));
    gy = (int) Math.max(1, Math.min(4096, Math.round((double) n / gx)));
    double bw = w / gx;
    double bh = h / gy;
    invW = gx / w;
    invH = gy / h;
    double slack = 1e-6 * (bw + bh);

    // centroids by bucket, to enumerate neighbours ring by ring
    int buckets = gx * gy;
    int[] count = new int[buckets + 1];
    int[] home = new int[n];
    for (int i = 0; i < n; i++) {
      home[i] = bucketOf(centroids[i][0], centroids[i][1]);
      count[home[i] + 1]++;
    }
    for (int b = 0; b < buckets; b++) {
      count[b + 1] += count[b];
    }
    int[] members = new int[n];
    int[] fill = count.clone();
    for (int i = 0; i < n; i++) {
      members[fill[home[i]]++] = i;
    }

    IntList idx = new IntList(buckets * 8);
    start = new int[buckets + 1];
    double cellMin = Math.min(bw, bh);
    for (int j = 0; j < gy; j++) {
      for (int i = 0; i < gx; i++) {
        double rx0 = x0 + i * bw;
        double ry0 = y0 + j * bh;
        double rx1 = rx0 + bw;
        double ry1 = ry0 + bh;
        double[] c0 = centroids[tree.nearest(new double[] {rx0 + bw / 2, ry0 + bh / 2})];
        double u = Math.sqrt(maxDist2(c0[0], c0[1], rx0, ry0, rx1, ry1)) + slack;
        for (int r = 0; ; r++) {
          if (r > 0 && (r - 1) * cellMin > u) {
            break;
          }
          if (r > gx && r > gy) {
            break;
          }
          for (int jj = j - r; jj <= j + r; jj++) {
            if (jj < 0 || jj >= gy) {
              continue;
            }
            boolean edgeRow = jj == j - r || jj == j + r;
            for (int ii = i - r; ii <= i + r; ii += edgeRow ? 1 : 2 * r) {
              if (ii >= 0 && ii < gx) {
                int b = jj * gx + ii;
                for (int k = count[b]; k < count[b + 1]; k++) {
                  double[] c = centroids[members[k]];
                  if (Math.sqrt(minDist2(c[0], c[1], rx0, ry0, rx1, ry1)) <= u) {
                    idx.add(members[k]);
                  }
                }
              }
              if (r == 0) {
                break;
              }
            }
          }
        }
        start[j * gx + i + 1] = idx.size;
      }
    }
    index = java.util.Arrays.copyOf(idx.data, idx.size);
    xy = new double[2 * index.length];
    for (int k = 0; k < index.length; k++) {
      xy[2 * k] = centroids[index[k]][0];
      xy[2 * k + 1] = centroids[index[k]][1];
    }
  }

  private int bucketOf(double x, double y) {
    int i = Math.min(gx - 1, Math.max(0, (int) ((x - x0) * invW)));
    int j = Math.min(gy - 1, Math.max(0, (int) ((y - y0) * invH)));
    return j * gx + i;
  }

  private static double minDist2(double x, double y, double rx0, double ry0, double rx1, double ry1) {
    double dx = x < rx0 ? rx0 - x : (x > rx1 ? x - rx1 : 0);
    double dy = y < ry0 ? ry0 - y : (y > ry1 ? y - ry1 : 0);
    return dx * dx + dy * dy;
  }

  private static double maxDist2(double x, double y, double rx0, double ry0, double rx1, double ry1) {
    double dx = Math.max(Math.abs(x - rx0), Math.abs(x - rx1));
    double dy = Math.max(Math.abs(y - ry0), Math.abs(y - ry1));
    return dx * dx + dy * dy;
  }

  /**
   * The nearest centroid, or -1 when the point lies outside the indexed box or in a crowded bucket
   * (more than {@value #CROWDED} candidates, as in a dense cluster), where the k-d tree is faster.
   */
  int nearest(double x, double y) {
    if (!(x >= x0 && x < x1 && y >= y0 && y < y1)) {
      return -1;
    }
    int b = bucketOf(x, y);
    if (start[b + 1] - start[b] > CROWDED) {
      return -1;
    }
    int best = -1;
    double bestDist = Double.POSITIVE_INFINITY;
    for (int k = start[b], end = start[b + 1]; k < end; k++) {
      double dx = xy[2 * k] - x;
      double dy = xy[2 * k + 1] - y;
      double d = dx * dx + dy * dy;
      if (d < bestDist || (d == bestDist && index[k] < best)) {
        bestDist = d;
        best = index[k];
      }
    }
    return best;
  }

  /** A growable int array. */
  private static final class IntList {
    int[] data;
    int size;

    IntList(int capacity) {
      data = new int[Math.max(16, capacity)];
    }

    void add(int v) {
      if (size == data.length) {
        data = java.util.Arrays.copyOf(data, data.length * 2);
      }
      data[size++] = v;
    }
  }
}
