package dev.sparq.core.export;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The implementations behind {@link Selector}: examples are offered once, in log order, as
 * (key, quality, skills); {@link #select()} returns the chosen keys. Random numbers are derived from
 * the seed and the example key, so results do not depend on anything but the log and the seed.
 */
abstract class SelectionStrategy {
  final long seed;

  SelectionStrategy(long seed) {
    this.seed = seed;
  }

  static SelectionStrategy of(Selector s, long seed) {
    if (s instanceof Selector.Random r) {
      return new Reservoir(seed, r.budget(), Double.NaN, 0);
    }
    if (s instanceof Selector.Gaussian g) {
      return new Reservoir(seed, g.budget(), g.mean(), g.sd());
    }
    if (s instanceof Selector.Diversity d) {
      return new SkillSets(seed, d.budget(), false);
    }
    if (s instanceof Selector.QualityDiversity q) {
      return new SkillSets(seed, q.budget(), true);
    }
    throw new IllegalArgumentException(s.rule() + " needs no selection");
  }

  abstract void offer(long key, double quality, List<String> skills);

  abstract long[] select();

  /** A uniform number in (0, 1) fixed by the seed and the key. */
  double uniform(long key) {
    long bits = TextHashing.mix(TextHashing.mix(seed ^ 0x5851f42d4c957f2dL) ^ key) >>> 11;
    return (bits + 0.5) / (1L << 53);
  }

  /**
   * Weighted sampling without replacement (Efraimidis and Spirakis): each example gets the priority
   * {@code ln(u) / w} and the {@code n} largest are kept in a min-heap. Uniform when {@code w = 1};
   * Gaussian quality sampling with {@code w = exp(-(q - mean)^2 / (2 sd^2))}.
   */
  static final class Reservoir extends SelectionStrategy {
    private final int n;
    private final double mean;
    private final double sd;
    private final double[] prio;
    private final long[] keys;
    private int size;

    Reservoir(long seed, int n, double mean, double sd) {
      super(seed);
      this.n = n;
      this.mean = mean;
      this.sd = sd;
      this.prio = new double[n];
      this.keys = new long[n];
    }

    @Override
    void offer(long key, double quality, List<String> skills) {
      double w = Double.isNaN(mean) ? 1.0
          : Math.exp(-(quality - mean) * (quality - mean) / (2 * sd * sd));
      double p = w > 0 ? Math.log(uniform(key)) / w : Double.NEGATIVE_INFINITY;
      if (size < n) {
        prio[size] = p;
        keys[size] = key;
        up(size++);
      } else if (less(0, p, key)) {
        prio[0] = p;
        keys[0] = key;
        down(0);
      }
    }

    /** Whether the heap entry at i ranks below (p, key): lower priority, or equal and later key. */
    private boolean less(int i, double p, long key) {
      return prio[i] < p || (prio[i] == p && keys[i] > key);
    }

    private boolean lessAt(int i, int j) {
      return less(i, prio[j], keys[j]);
    }

    private void up(int i) {
      while (i > 0) {
        int parent = (i - 1) / 2;
        if (!lessAt(i, parent)) {
          break;
        }
        swap(i, parent);
        i = parent;
      }
    }

    private void down(int i) {
      while (true) {
        int l = 2 * i + 1;
        int r = l + 1;
        int m = i;
        if (l < size && lessAt(l, m)) {
          m = l;
        }
        if (r < size && lessAt(r, m)) {
          m = r;
        }
        if (m == i) {
          return;
        }
        swap(i, m);
        i = m;
      }
    }

    private void swap(int i, int j) {
      double p = prio[i];
      prio[i] = prio[j];
      prio[j] = p;
      long k = keys[i];
      keys[i] = keys[j];
      keys[j] = k;
    }

    @Override
    long[] select() {
      return Arrays.copyOf(keys, size);
    }
  }

  /**
   * Skill-set selection over a compact index (key, quality, skill-set id: 16 bytes per example).
   * Skill sets are ordered by greedy coverage: repeatedly the set adding the most skills not yet
   * covered (ties: more examples, then a seeded random order); once every skill is covered the
   * coverage restarts for the remaining sets. The budget is dealt one example at a time to the sets
   * in that order, round after round, skipping exhausted sets, so it is spread evenly. Within a set
   * examples are taken uniformly at random, or by quality (best first) for QD.
   */
  static final class SkillSets extends SelectionStrategy {
    private final int n;
    private final boolean byQuality;
    private final Map<List<String>, Integer> setIds = new HashMap<>();
    private final List<List<String>> sets = new ArrayList<>();
    private long[] keys = new long[1024];
    private float[] quality = new float[1024];
    private int[] setOf = new int[1024];
    private int size;

    SkillSets(long seed, int n, boolean byQuality) {
      super(seed);
      this.n = n;
      this.byQuality = byQuality;
    }

    @Override
    void offer(long key, double q, List<String> skills) {
      Integer id = setIds.get(skills);
      if (id == null) {
        id = sets.size();
        setIds.put(skills, id);
        sets.add(skills);
      }
      if (size == keys.length) {
        int cap = size + (size >> 1);
        keys = Arrays.copyOf(keys, cap);
        quality = Arrays.copyOf(quality, cap);
        setOf = Arrays.copyOf(setOf, cap);
      }
      keys[size] = key;
      quality[size] = (float) q;
      setOf[size] = id;
      size++;
    }

    /** The greedy-coverage order of skill sets. */
    int[] order(long[] counts) {
      Map<String, Integer> skillIds = new HashMap<>();
      List<int[]> setSkills = new ArrayList<>();
      for (List<String> s : sets) {
        int[] ids = new int[s.size()];
        for (int i = 0; i < ids.length; i++) {
          ids[i] = skillIds.computeIfAbsent(s.get(i), k -> skillIds.size());
        }
        setSkills.add(ids);
      }
      int m = sets.size();
      long[] tie = new long[m];
      for (int i = 0; i < m; i++) {
        tie[i] = TextHashing.mix(seed ^ TextHashing.hash(String.join("|", sets.get(i))));
      }
      boolean[] used = new boolean[m];
      BitSet covered = new BitSet();
      int[] order = new int[m];
      for (int k = 0; k < m; k++) {
        int best = -1;
        int bestGain = -1;
        for (int i = 0; i < m; i++) {
          if (used[i]) {
            continue;
          }
          int gain = 0;
          for (int s : setSkills.get(i)) {
            if (!covered.get(s)) {
              gain++;
            }
          }
          if (best < 0 || gain > bestGain || (gain == bestGain && (counts[i] > counts[best]
              || (counts[i] == counts[best] && tie[i] < tie[best])))) {
            best = i;
            bestGain = gain;
          }
        }
        if (bestGain == 0 && !covered.isEmpty()) {
          covered.clear(); // everything covered: a new round of coverage over the remaining sets
          k--;
          continue;
        }
        used[best] = true;
        order[k] = best;
        for (int s : setSkills.get(best)) {
          covered.set(s);
        }
      }
      return order;
    }

    @Override
    long[] select() {
      int m = sets.size();
      long[] counts = new long[m];
      for (int i = 0; i < size; i++) {
        counts[setOf[i]]++;
      }
      int[] order = order(counts);
      long[] quota = new long[m];
      long budget = Math.min(n, size);
      while (budget > 0) {
        for (int s : order) {
          if (budget == 0) {
            break;
          }
          if (quota[s] < counts[s]) {
            quota[s]++;
            budget--;
          }
        }
      }
      // group example indices by set, then rank within each set
      int[] start = new int[m + 1];
      for (int s = 0; s < m; s++) {
        start[s + 1] = start[s] + (int) counts[s];
      }
      int[] fill = Arrays.copyOf(start, m);
      long[] ranked = new long[size];
      for (int i = 0; i < size; i++) {
        long rank;
        if (byQuality) {
          // higher quality first: sort ascending on the flipped float bits, then by position
          // (qualities are > 0 here, where float bits grow with the value)
          rank = Integer.toUnsignedLong(~Float.floatToIntBits(quality[i]));
        } else {
          rank = TextHashing.mix(seed ^ keys[i]) >>> 32;
        }
        ranked[fill[setOf[i]]++] = rank << 32 | i;
      }
      long[] out = new long[Math.min(n, size)];
      int k = 0;
      for (int s = 0; s < m; s++) {
        Arrays.sort(ranked, start[s], start[s + 1]);
        for (int j = 0; j < quota[s]; j++) {
          out[k++] = keys[(int) (ranked[start[s] + j] & 0xffffffffL)];
        }
      }
      return Arrays.copyOf(out, k);
    }
  }
}
