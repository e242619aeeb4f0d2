package dev.sparq.bench;

import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.difficulty.SolveRateBand;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Difficulty;
import dev.sparq.core.model.Elite;
import dev.sparq.core.model.Problem;
import dev.sparq.core.model.Validity;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * A mature archive grown the way a SPARQ run grows one, for {@link ArchiveAwareAllocationHarness}.
 * Candidates are drawn from a mix of true solve rates, one at a time: a solve rate, then
 * {@code k} rollout outcomes, then a niche chosen uniformly among {@code niches}. Each is measured
 * as fixed K measures it (quality {@code 1 - c/k} inside the band, else 0, as
 * {@code FixedKEstimator} computes it) and offered to a categorical archive of the given capacity
 * with the archive's normal rule (a free slot takes anything; a full niche takes a candidate only
 * when it is strictly better than its worst member, which leaves; ties keep the earlier one).
 * Out-of-band candidates are offered too, as in the paper's loop, so they hold slots until better
 * ones arrive.
 *
 * <p>The warm-up stops after the first candidate at which every niche is full and at least
 * {@code meanPerNiche * niches} candidates have been offered (0: as soon as every niche is full).
 * If that has not happened after {@code maxPerNiche * niches} candidates, the level is not
 * reachable for this mix and the result is empty. Since batch and single adds keep the same
 * members (the best {@code capacity} of all candidates a niche has seen, ties to the earlier one),
 * adding one at a time only makes the stopping point exact.
 */
final class WarmUpArchive {
  private WarmUpArchive() {}

  /**
   * A finished warm-up.
   *
   * @param archive the archive it built
   * @param offered every candidate offered, in order (the last one completed the level)
   * @param niches the number of niches candidates were spread over
   */
  record Result(CellArchive archive, List<Elite> offered, int niches) {
    /** Candidates offered. */
    int candidates() {
      return offered.size();
    }

    /** Candidates offered per niche, on average. */
    double meanPerNiche() {
      return (double) offered.size() / niches;
    }

    /** The mean over niches of the worst member's quality (the admission threshold). */
    double meanThreshold() {
      double sum = 0;
      for (int c : archive.occupiedCells()) {
        sum += archive.cell(c).stream().mapToDouble(Elite::quality).min().orElse(0);
      }
      return sum / niches;
    }

    /** The share of members whose quality is 0 (out of band). */
    double zeroQualityShare() {
      List<Elite> m = archive.members();
      return m.isEmpty() ? 0 : (double) m.stream().filter(e -> !(e.quality() > 0)).count() / m.size();
    }
  }

  /** The descriptor of niche {@code c}, shared with the harness's measured candidates. */
  static Descriptor niche(int c) {
    return Descriptor.ofLabels("niche" + c);
  }

  /**
   * Grows an archive from a stream of candidates.
   *
   * @param draw draws one true solve rate
   * @param tag names the stream in the candidates' ids (for example the mix's name)
   * @param niches how many niches candidates are spread over (uniformly)
   * @param capacity members per niche
   * @param k rollouts per candidate (fixed K)
   * @param band the quality band
   * @param meanPerNiche candidates per niche to reach on average (0: stop once every niche is full)
   * @param maxPerNiche the bound: give up after this many candidates per niche on average
   * @param random the warm-up's own stream
   * @return the archive, or empty when the level is not reachable within the bound
   */
  static Optional<Result> build(ToDoubleFunction<SplittableRandom> draw, String tag, int niches,
      int capacity, int k, SolveRateBand band, int meanPerNiche, int maxPerNiche,
      SplittableRandom random) {
    Objects.requireNonNull(draw, "draw");
    Objects.requireNonNull(random, "random");
    if (niches < 1 || capacity < 1 || k < 1 || meanPerNiche < 0 || maxPerNiche < 1) {
      throw new IllegalArgumentException("niches, capacity, k and maxPerNiche must be >= 1 and"
          + " meanPerNiche >= 0");
    }
    CellArchive archive = CellArchive.categorical(capacity);
    List<Elite> offered = new ArrayList<>();
    long target = (long) meanPerNiche * niches;
    long bound = (long) maxPerNiche * niches;
    int full = 0;
    for (int i = 0; i < bound; i++) {
      double p = draw.applyAsDouble(random);
      int correct = 0;
      for (int j = 0; j < k; j++) {
        correct += random.nextDouble() < p ? 1 : 0;
      }
      Descriptor niche = niche(random.nextInt(niches));
      Problem prob = Problem.of("warm-up " + i + " " + tag, "", "1");
      Elite e = new Elite(prob, new Difficulty(correct, k, band.quality(correct, k), Validity.VALID),
          niche, -1);
      int before = sizeOf(archive, niche);
      archive.add(e);
      offered.add(e);
      if (before < capacity && sizeOf(archive, niche) == capacity) {
        full++;
      }
      if (full == niches && offered.size() >= target) {
        return Optional.of(new Result(archive, List.copyOf(offered), niches));
      }
    }
    return Optional.empty();
  }

  private static int sizeOf(CellArchive archive, Descriptor niche) {
    int c = archive.cellOf(niche);
    return c < 0 ? 0 : archive.cell(c).size();
  }
}
