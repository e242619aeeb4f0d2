package dev.sparq.core.engine;

/** Derives independent, well-mixed 64-bit seeds from a run seed and coordinates (SplitMix64 steps). */
final class RandomSeeds {
  private RandomSeeds() {}

  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** A seed for (run seed, iteration, stage, chunk); different coordinates give unrelated seeds. */
  static long derive(long seed, long iteration, int stage, int chunk) {
    long h = mix(seed + 0x9e3779b97f4a7c15L);
    h = mix(h ^ (iteration * 0x9e3779b97f4a7c15L + 1));
    h = mix(h ^ ((long) stage << 32 | (chunk & 0xffffffffL)));
    return h;
  }
}
