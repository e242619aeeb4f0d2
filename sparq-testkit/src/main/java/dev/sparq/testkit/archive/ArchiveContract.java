package dev.sparq.testkit.archive;

import dev.sparq.core.archive.AddResult;
import dev.sparq.core.model.AddStatus;
import dev.sparq.core.archive.Archive;
import dev.sparq.core.archive.ArchiveJson;
import dev.sparq.core.archive.ArchiveStats;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Difficulty;
import dev.sparq.core.model.Elite;
import dev.sparq.core.model.Problem;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.PropagationMode;

/**
 * The property suite for the {@link Archive} contract. Any implementation can run it: subclass this
 * class in a test class whose name ends in {@code Properties}, say which archive to test and which
 * descriptors fit it, and jqwik checks (1,000 tries per property):
 *
 * <ul>
 *   <li>no cell ever holds more than {@link Archive#capacity()} members, and each cell is sorted best
 *       first;
 *   <li>an inserted candidate is retrievable from its cell and from {@link Archive#members()}, and
 *       {@link Archive#cellOf} agrees with the cell the add reported;
 *   <li>the k-th best quality of a cell never decreases (for capacity 1: a cell's quality never
 *       decreases) and an occupied cell never empties;
 *   <li>batch add follows the pyribs rule, checked against a reference model, both for distinct
 *       qualities in any order and for tied qualities: each candidate is judged against the archive
 *       as it was before the batch; only strictly greater quality than the worst member of a full
 *       cell enters; among candidates for the same slot the best wins and ties go to the earlier one
 *       (members already stored win ties); statuses are {@code NOT_ADDED < IMPROVED < NEW} and values
 *       are the quality ({@code NEW}) or the quality minus the worst member of the full cell before
 *       the batch;
 *   <li>{@link Archive#stats()} agrees with the contents (members, occupied cells, cell count,
 *       coverage, QD score with its offset, best and mean quality), and sampling returns members;
 *   <li>a persistence round trip ({@link #roundTrip}, by default {@link ArchiveJson} for
 *       {@link CellArchive}) is exact: the same members in the same order and ranks, the same
 *       statistics, the same samples for the same seed, and the same answers to further adds;
 *   <li>no two members share a problem id: a candidate whose id is a member before its batch, or
 *       belongs to an earlier candidate of the same batch, is {@code NOT_ADDED}, not inserted and
 *       marked {@link AddResult#duplicate()} (reason {@code duplicate}); other candidates are not;
 *   <li>batches added concurrently from several threads end in a state, with results, that some
 *       sequential order of the same batches produces (all orders are tried).
 * </ul>
 *
 * <p>The suite draws a small pool of descriptors per try from {@link #descriptors()} and lets every
 * candidate pick one of them, so candidates collide in cells often whatever the descriptor space is.
 * Candidates are {@link Elite}s with unique problem ids.
 *
 * <h2>Features</h2>
 *
 * <p>Not every archive promises every property. Declare what yours supports with
 * {@link ArchiveFeatures} on the subclass; a property that assumes an undeclared
 * {@link ArchiveFeature} is skipped and reported as skipped with the missing feature. Without the
 * annotation every feature is required. Which property needs which feature is listed on
 * {@link ArchiveFeature}.
 *
 * <h2>Usage</h2>
 *
 * <p>Add sparq-testkit and jqwik as test dependencies (src-docs/archives.md gives the Surefire and
 * JUnit Platform versions that run jqwik properties; with Maven's default test plugin none run):
 *
 * <pre>{@code
 * <dependency>
 *   <groupId>dev.sparq</groupId>
 *   <artifactId>sparq-testkit</artifactId>
 *   <version>${sparq.version}</version>
 *   <scope>test</scope>
 * </dependency>
 * <dependency>
 *   <groupId>net.jqwik</groupId>
 *   <artifactId>jqwik</artifactId>
 *   <version>1.9.3</version>
 *   <scope>test</scope>
 * </dependency>
 * }</pre>
 *
 * <p>and subclass:
 *
 * <pre>{@code
 * @ArchiveFeatures({ArchiveFeature.BOUNDED_CAPACITY, ArchiveFeature.ELITIST_CELLS,
 *     ArchiveFeature.PYRIBS_BATCH_ADD, ArchiveFeature.DUPLICATE_IDS_REJECTED,
 *     ArchiveFeature.EXACT_ROUND_TRIP}) // not thread-safe
 * class MyArchiveProperties extends ArchiveContract {
 *   @Override
 *   protected Archive newArchive() {
 *     return new MyArchive(8); // a fresh, empty archive on every call
 *   }
 *
 *   @Override
 *   protected Arbitrary<Descriptor> descriptors() {
 *     return Arbitraries.doubles().between(0, 1).list().ofSize(2)
 *         .map(m -> Descriptor.ofMeasures(m.get(0), m.get(1)));
 *   }
 *
 *   @Override
 *   protected Archive roundTrip(Archive archive) {
 *     return MyArchiveStore.read(MyArchiveStore.write((MyArchive) archive));
 *   }
 * }
 * }</pre>
 *
 * <p>Surefire must run jqwik on the JUnit Platform and include {@code **}{@code /*Properties.java}.
 */
@AddLifecycleHook(value = FeatureGate.class, propagateTo = PropagationMode.ALL_DESCENDANTS)
public abstract class ArchiveContract {

  /** Tries per property. */
  protected static final int TRIES = 1000;

  private static final ExecutorService THREADS = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "archive-contract");
    t.setDaemon(true);
    return t;
  });

  /**
   * A fresh, empty archive, in the same state on every call (the suite builds many, and compares
   * archives built from the same adds).
   */
  protected abstract Archive newArchive();

  /**
   * Descriptors that fit the archives of {@link #newArchive()}. They may map to any cell, may repeat,
   * and for archives with a bounded number of on-demand cells may map to no cell.
   */
  protected abstract Arbitrary<Descriptor> descriptors();

  /**
   * Saves and restores an archive through the implementation's persistence, returning the restored
   * copy. The default handles {@link CellArchive} with {@link ArchiveJson}; other implementations
   * override it, or leave {@link ArchiveFeature#EXACT_ROUND_TRIP} out of their
   * {@link ArchiveFeatures}.
   */
  protected Archive roundTrip(Archive archive) {
    if (archive instanceof CellArchive cellArchive) {
      return ArchiveJson.fromJson(ArchiveJson.toJson(cellArchive));
    }
    throw new AssertionError("ArchiveContract.roundTrip: " + archive.getClass().getName()
        + " is not a CellArchive; override roundTrip to save and restore it, or leave EXACT_ROUND_TRIP"
        + " out of @ArchiveFeatures");
  }

  // ---------------------------------------------------------------------------------------------
  // properties

  /** No cell holds more than the capacity, cells are sorted best first, and none is empty. */
  @Property(tries = TRIES)
  @RequiresFeatures(ArchiveFeature.BOUNDED_CAPACITY)
  public void membersNeverExceedCapacityPerCell(@ForAll("scenarios") Scenario scenario) {
    Archive archive = newArchive();
    int capacity = archive.capacity();
    check(capacity >= 1, () -> "capacity must be >= 1, was " + capacity);
    for (List<Elite> batch : scenario.elites()) {
      archive.add(batch);
      int total = 0;
      for (int c : archive.occupiedCells()) {
        List<Elite> members = archive.cell(c);
        check(!members.isEmpty(), () -> "occupied cell " + c + " is empty");
        check(members.size() <= capacity, () -> "cell " + c + " holds " + members.size()
            + " members, capacity " + capacity);
        for (int r = 1; r < members.size(); r++) {
          int rank = r;
          check(members.get(r - 1).quality() >= members.get(r).quality(),
              () -> "cell " + c + " is not sorted best first at rank " + rank + ": " + members);
        }
        total += members.size();
      }
      int counted = total;
      check(counted == archive.size(), () -> "cells hold " + counted + " members, size() is "
          + archive.size());
    }
  }

  /**
   * Every inserted candidate is in its cell and among the members right after its batch, and the
   * archive maps its descriptor to that cell.
   */
  @Property(tries = TRIES)
  public void insertedCandidateIsRetrievableFromItsCell(@ForAll("scenarios") Scenario scenario) {
    Archive archive = newArchive();
    for (List<Elite> batch : scenario.elites()) {
      List<AddResult> results = addChecked(archive, batch);
      Set<Elite> members = new HashSet<>(archive.members());
      for (int i = 0; i < batch.size(); i++) {
        Elite e = batch.get(i);
        AddResult r = results.get(i);
        if (r.inserted()) {
          check(r.status().accepted(), () -> "inserted but not accepted: " + r);
          check(archive.cell(r.cell()).contains(e), () -> "inserted " + e.id() + " is not in cell "
              + r.cell() + ": " + ids(archive.cell(r.cell())));
          check(members.contains(e), () -> "inserted " + e.id() + " is not among members()");
        } else {
          check(!members.contains(e), () -> "not inserted but stored: " + e.id() + " " + r);
        }
      }
    }
  }

  /**
   * The k-th best quality of a cell never decreases, for every rank k; with capacity 1 this is "a
   * cell's quality never decreases". Occupied cells stay occupied.
   */
  @Property(tries = TRIES)
  @RequiresFeatures(ArchiveFeature.ELITIST_CELLS)
  public void cellQualityNeverDecreases(@ForAll("scenarios") Scenario scenario) {
    Archive archive = newArchive();
    // cell numbers are stable within one archive (on-demand cells keep the number they got)
    Map<Integer, double[]> previous = new HashMap<>();
    for (List<Elite> batch : scenario.elites()) {
      archive.add(batch);
      for (Map.Entry<Integer, double[]> before : previous.entrySet()) {
        int c = before.getKey();
        double[] now = qualities(archive.cell(c));
        double[] then = before.getValue();
        check(now.length >= then.length, () -> "cell " + c + " shrank from " + then.length + " to "
            + now.length + " members");
        for (int k = 0; k < then.length; k++) {
          int rank = k;
          check(now[k] >= then[k], () -> "cell " + c + " rank " + rank + " quality decreased from "
              + then[rank] + " to " + now[rank]);
        }
      }
      for (int c : archive.occupiedCells()) {
        previous.put(c, qualities(archive.cell(c)));
      }
    }
  }

  /**
   * No archive holds two members with the same problem id: candidates drawn from a small pool of ids
   * are refused as duplicates exactly when their id is a member before the batch or was used by an
   * earlier candidate of the batch.
   */
  @Property(tries = TRIES)
  @RequiresFeatures(ArchiveFeature.DUPLICATE_IDS_REJECTED)
  public void noTwoMembersShareAProblemId(@ForAll("scenarios") Scenario scenario,
      @ForAll @net.jqwik.api.constraints.IntRange(min = 1, max = 6) int idPool, @ForAll long seed) {
    Archive archive = newArchive();
    SplittableRandom random = new SplittableRandom(seed);
    for (List<Elite> uniqueBatch : scenario.elites()) {
      List<Elite> batch = new ArrayList<>(uniqueBatch.size());
      for (Elite e : uniqueBatch) {
        String id = "p" + random.nextInt(idPool);
        Problem p = new Problem(id, "statement " + id, "", "", null, null);
        batch.add(new Elite(p, e.difficulty(), e.descriptor(), e.iteration()));
      }
      Set<String> before = new HashSet<>();
      for (Elite m : archive.members()) {
        before.add(m.id());
      }
      List<AddResult> results = addChecked(archive, batch);
      Set<String> earlier = new HashSet<>();
      for (int i = 0; i < batch.size(); i++) {
        Elite e = batch.get(i);
        AddResult r = results.get(i);
        boolean expected = before.contains(e.id()) || earlier.contains(e.id());
        earlier.add(e.id());
        check(r.duplicate() == expected, () -> "candidate " + e.id() + " duplicate=" + r.duplicate()
            + ", expected " + expected + " (members before the batch: " + before + ")");
        if (r.duplicate()) {
          check(r.status() == AddStatus.NOT_ADDED && !r.inserted(),
              () -> "a duplicate must be NOT_ADDED and not inserted: " + r);
          check("duplicate".equals(r.reason()), () -> "reason of a duplicate: " + r.reason());
        }
      }
      List<Elite> members = archive.members();
      Set<String> distinct = new HashSet<>();
      for (Elite m : members) {
        check(distinct.add(m.id()), () -> "two members with problem id " + m.id() + ": "
            + ids(members));
      }
    }
  }

  /** Batch add equals the pyribs rule (reference model) for distinct qualities in any order. */
  @Property(tries = TRIES)
  @RequiresFeatures(ArchiveFeature.PYRIBS_BATCH_ADD)
  public void batchAddFollowsPyribsRuleForDistinctQualities(
      @ForAll("distinctScenarios") Scenario scenario) {
    checkAgainstModel(scenario);
  }

  /** Batch add equals the pyribs rule, including ties (earlier and stored members win ties). */
  @Property(tries = TRIES)
  @RequiresFeatures(ArchiveFeature.PYRIBS_BATCH_ADD)
  public void batchAddFollowsPyribsRuleWithTies(@ForAll("scenarios") Scenario scenario) {
    checkAgainstModel(scenario);
  }

  /** Statistics agree with the contents after every batch; sampling returns members. */
  @Property(tries = TRIES)
  public void statsAgreeWithContents(@ForAll("scenarios") Scenario scenario, @ForAll long seed) {
    Archive archive = newArchive();
    checkStats(archive, seed);
    for (List<Elite> batch : scenario.elites()) {
      archive.add(batch);
      checkStats(archive, seed);
    }
  }

  /**
   * Persistence is exact: same members, order, ranks, cells and statistics; the same samples for the
   * same seed; and the same results and state after one more batch.
   */
  @Property(tries = TRIES)
  @RequiresFeatures(ArchiveFeature.EXACT_ROUND_TRIP)
  public void roundTripIsExact(@ForAll("scenarios") Scenario scenario, @ForAll long seed) {
    Archive archive = newArchive();
    List<List<Elite>> batches = scenario.elites();
    for (int b = 0; b < batches.size() - 1; b++) {
      archive.add(batches.get(b));
    }
    Archive restored = roundTrip(archive);
    checkSameState(archive, restored, "after round trip");
    for (int s = 0; s < 2; s++) {
      SplittableRandom r1 = new SplittableRandom(seed + s);
      SplittableRandom r2 = new SplittableRandom(seed + s);
      for (int i = 0; i < 16; i++) {
        Optional<Elite> a = s == 0 ? archive.sampleMember(r1) : archive.sampleByCell(r1);
        Optional<Elite> b = s == 0 ? restored.sampleMember(r2) : restored.sampleByCell(r2);
        int draw = i;
        check(a.equals(b), () -> "sample " + draw + " differs after round trip: " + a.map(Elite::id)
            + " vs " + b.map(Elite::id));
      }
    }
    for (Descriptor d : scenario.pool()) {
      check(archive.cellOf(d) == restored.cellOf(d), () -> "cellOf(" + d + ") differs after round trip");
    }
    List<Elite> last = batches.get(batches.size() - 1);
    List<AddResult> r1 = archive.add(last);
    List<AddResult> r2 = restored.add(last);
    check(r1.equals(r2), () -> "the next batch is received differently after round trip: " + r1
        + " vs " + r2);
    checkSameState(archive, restored, "after round trip and one more batch");
  }

  /**
   * Batches added concurrently from 2 to 4 threads end in the state, and get the results, of some
   * sequential order of the batches.
   */
  @Property(tries = TRIES)
  @RequiresFeatures(ArchiveFeature.THREAD_SAFE_ADDS)
  public void concurrentAddsMatchSomeSequentialOrder(@ForAll("concurrentScenarios") Scenario scenario)
      throws InterruptedException, ExecutionException {
    List<List<Elite>> batches = scenario.elites();
    Archive archive = newArchive();
    CountDownLatch start = new CountDownLatch(1);
    List<Future<List<AddResult>>> futures = new ArrayList<>();
    for (List<Elite> batch : batches) {
      futures.add(THREADS.submit(() -> {
        start.await();
        return archive.add(batch);
      }));
    }
    start.countDown();
    List<List<AddResult>> results = new ArrayList<>();
    for (Future<List<AddResult>> f : futures) {
      results.add(f.get());
    }
    Set<List<Elite>> concurrentState = canonicalState(archive);
    List<String> tried = new ArrayList<>();
    for (int[] order : permutations(batches.size())) {
      Archive sequential = newArchive();
      List<List<AddResult>> seqResults = new ArrayList<>(batches.size());
      for (int i = 0; i < batches.size(); i++) {
        seqResults.add(null);
      }
      for (int b : order) {
        seqResults.set(b, sequential.add(batches.get(b)));
      }
      if (canonicalState(sequential).equals(concurrentState)
          && sameOutcomes(results, seqResults)) {
        return;
      }
      tried.add(Arrays.toString(order));
    }
    throw new AssertionError("concurrent adds ended in a state no sequential order produces (tried "
        + tried + "); concurrent results " + results);
  }

  // ---------------------------------------------------------------------------------------------
  // generators

  /** One candidate: an index into the descriptor pool and a quality. */
  public record Candidate(int poolIndex, double quality) {}

  /**
   * A pool of descriptors and batches of candidates that pick from it; {@link #elites()} turns it
   * into elites with unique ids.
   */
  public record Scenario(List<Descriptor> pool, List<List<Candidate>> batches) {
    /** The batches as elites (ids {@code c<batch>-<index>}, iteration = batch number). */
    public List<List<Elite>> elites() {
      List<List<Elite>> out = new ArrayList<>(batches.size());
      for (int b = 0; b < batches.size(); b++) {
        List<Elite> batch = new ArrayList<>(batches.get(b).size());
        for (int i = 0; i < batches.get(b).size(); i++) {
          Candidate c = batches.get(b).get(i);
          String id = "c" + b + "-" + i;
          Problem p = new Problem(id, "statement " + id, "", "", null, null);
          batch.add(new Elite(p, Difficulty.ofQuality(c.quality()),
              pool.get(c.poolIndex() % pool.size()), b));
        }
        out.add(List.copyOf(batch));
      }
      return out;
    }

    int candidateCount() {
      int n = 0;
      for (List<Candidate> b : batches) {
        n += b.size();
      }
      return n;
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder("Scenario[pool=").append(pool).append(", batches=");
      for (List<Candidate> b : batches) {
        sb.append("\n  ");
        for (Candidate c : b) {
          sb.append(c.poolIndex() % pool.size()).append(':').append(c.quality()).append(' ');
        }
      }
      return sb.append(']').toString();
    }
  }

  private static final int POOL = 8;

  /** Qualities with many ties (half steps in [-2, 2]) mixed with arbitrary doubles. */
  private static Arbitrary<Double> qualities() {
    return Arbitraries.frequencyOf(
        Tuple.of(2, Arbitraries.integers().between(-4, 4).map(i -> i * 0.5)),
        Tuple.of(1, Arbitraries.doubles().between(-1e6, 1e6)));
  }

  private Arbitrary<Scenario> scenario(int minBatches, int maxBatches, int minBatch, int maxBatch) {
    Arbitrary<List<Descriptor>> pool = descriptors().list().ofMinSize(1).ofMaxSize(POOL);
    Arbitrary<Candidate> candidate = Combinators.combine(
        Arbitraries.integers().between(0, POOL - 1), qualities()).as(Candidate::new);
    Arbitrary<List<List<Candidate>>> batches = candidate.list().ofMinSize(minBatch)
        .ofMaxSize(maxBatch).list().ofMinSize(minBatches).ofMaxSize(maxBatches);
    return Combinators.combine(pool, batches).as(Scenario::new);
  }

  /** Pools of descriptors and 1 to 6 batches of 0 to 12 candidates, qualities with ties. */
  @Provide
  public Arbitrary<Scenario> scenarios() {
    return scenario(1, 6, 0, 12);
  }

  /** Like {@link #scenarios()} but all qualities distinct, in a random order. */
  @Provide
  public Arbitrary<Scenario> distinctScenarios() {
    return scenarios().flatMap(s -> {
      int n = s.candidateCount();
      List<Integer> ranks = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        ranks.add(i);
      }
      return Arbitraries.shuffle(ranks).map(perm -> {
        List<List<Candidate>> batches = new ArrayList<>();
        int k = 0;
        for (List<Candidate> b : s.batches()) {
          List<Candidate> nb = new ArrayList<>();
          for (Candidate c : b) {
            nb.add(new Candidate(c.poolIndex(), (perm.get(k++) - n / 2) * 0.75));
          }
          batches.add(nb);
        }
        return new Scenario(s.pool(), batches);
      });
    });
  }

  /** 2 to 4 non-empty batches of up to 6 candidates (one thread each). */
  @Provide
  public Arbitrary<Scenario> concurrentScenarios() {
    return scenario(2, 4, 1, 6);
  }

  // ---------------------------------------------------------------------------------------------
  // the reference model

  /** Expected outcome of one candidate. */
  private record Expected(AddStatus status, double value, boolean inserted) {}

  /**
   * The pyribs rule, written as plainly as possible: cells hold members best first; a batch is judged
   * against the cells before it, then each cell keeps the best {@code capacity} of its members and
   * its accepted candidates, ordered by quality with ties to members, then to earlier candidates.
   */
  private static final class Model {
    final int capacity;
    final Map<Integer, List<Elite>> cells = new LinkedHashMap<>();

    Model(int capacity) {
      this.capacity = capacity;
    }

    List<Expected> add(List<Elite> batch, int[] cellOf) {
      Expected[] out = new Expected[batch.size()];
      Map<Integer, List<Integer>> accepted = new LinkedHashMap<>();
      for (int i = 0; i < batch.size(); i++) {
        double q = batch.get(i).quality();
        int c = cellOf[i];
        if (c < 0) {
          out[i] = new Expected(AddStatus.NOT_ADDED, 0.0, false);
          continue;
        }
        List<Elite> members = cells.getOrDefault(c, List.of());
        if (members.size() < capacity) {
          out[i] = new Expected(AddStatus.NEW, q, false);
        } else {
          double worst = members.get(members.size() - 1).quality();
          out[i] = new Expected(q > worst ? AddStatus.IMPROVED : AddStatus.NOT_ADDED, q - worst, false);
        }
        if (out[i].status().accepted()) {
          accepted.computeIfAbsent(c, k -> new ArrayList<>()).add(i);
        }
      }
      for (Map.Entry<Integer, List<Integer>> e : accepted.entrySet()) {
        int c = e.getKey();
        // contenders in tie-break order: stored members by rank, then candidates in batch order
        List<Object[]> contenders = new ArrayList<>();
        for (Elite m : cells.getOrDefault(c, List.of())) {
          contenders.add(new Object[] {m, -1});
        }
        for (int i : e.getValue()) {
          contenders.add(new Object[] {batch.get(i), i});
        }
        // a stable sort by quality, best first, keeps the tie-break order
        contenders.sort((a, b) -> Double.compare(((Elite) b[0]).quality(), ((Elite) a[0]).quality()));
        List<Elite> kept = new ArrayList<>();
        for (int k = 0; k < Math.min(capacity, contenders.size()); k++) {
          Elite elite = (Elite) contenders.get(k)[0];
          kept.add(elite);
          int i = (Integer) contenders.get(k)[1];
          if (i >= 0) {
            out[i] = new Expected(out[i].status(), out[i].value(), true);
          }
        }
        cells.put(c, kept);
      }
      return List.of(out);
    }
  }

  private void checkAgainstModel(Scenario scenario) {
    Archive archive = newArchive();
    Model model = new Model(archive.capacity());
    for (List<Elite> batch : scenario.elites()) {
      List<AddResult> results = addChecked(archive, batch);
      int[] cells = new int[batch.size()];
      for (int i = 0; i < cells.length; i++) {
        cells[i] = results.get(i).cell();
      }
      List<Expected> expected = model.add(batch, cells);
      for (int i = 0; i < batch.size(); i++) {
        Expected x = expected.get(i);
        AddResult r = results.get(i);
        int index = i;
        check(x.status() == r.status() && Double.compare(x.value(), r.value()) == 0
                && x.inserted() == r.inserted(),
            () -> "candidate " + index + " (" + batch.get(index).id() + ", quality "
                + batch.get(index).quality() + ", cell " + r.cell() + "): expected " + x + ", got "
                + r);
      }
      Set<Integer> occupied = new HashSet<>();
      for (int c : archive.occupiedCells()) {
        check(occupied.add(c), () -> "occupiedCells() lists cell " + c + " twice");
      }
      check(occupied.equals(model.cells.keySet()), () -> "occupied cells " + occupied
          + ", expected " + model.cells.keySet());
      int total = 0;
      for (Map.Entry<Integer, List<Elite>> e : model.cells.entrySet()) {
        List<Elite> actual = archive.cell(e.getKey());
        check(actual.equals(e.getValue()), () -> "cell " + e.getKey() + " holds " + ids(actual)
            + ", expected " + ids(e.getValue()));
        total += actual.size();
      }
      int expectedSize = total;
      check(archive.size() == expectedSize, () -> "size() " + archive.size() + ", expected "
          + expectedSize);
      check(new HashSet<>(archive.members()).size() == expectedSize
              && archive.members().size() == expectedSize,
          () -> "members() does not list each of the " + expectedSize + " members once");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // helpers

  /**
   * Adds a batch and checks the cells the results report against {@link Archive#cellOf}: a descriptor
   * that had a cell keeps it; a reported cell is the descriptor's cell afterwards; no cell means
   * NOT_ADDED with value 0.
   */
  private static List<AddResult> addChecked(Archive archive, List<Elite> batch) {
    int[] before = new int[batch.size()];
    for (int i = 0; i < before.length; i++) {
      before[i] = archive.cellOf(batch.get(i).descriptor());
    }
    List<AddResult> results = archive.add(batch);
    check(results.size() == batch.size(), () -> results.size() + " results for " + batch.size()
        + " candidates");
    for (int i = 0; i < before.length; i++) {
      AddResult r = results.get(i);
      Descriptor d = batch.get(i).descriptor();
      int index = i;
      if (before[i] >= 0) {
        check(r.cell() == before[index], () -> "candidate " + index + " reported cell " + r.cell()
            + " but cellOf said " + before[index] + " before the batch");
      }
      int after = archive.cellOf(d);
      check(after == r.cell(), () -> "candidate " + index + " reported cell " + r.cell()
          + " but cellOf says " + after + " after the batch");
      if (r.cell() < 0) {
        check(r.status() == AddStatus.NOT_ADDED && r.value() == 0.0 && !r.inserted(),
            () -> "a candidate without a cell must be NOT_ADDED with value 0: " + r);
      }
    }
    return results;
  }

  private static void checkStats(Archive archive, long seed) {
    ArchiveStats s = archive.stats();
    List<Elite> members = archive.members();
    int n = members.size();
    int occupied = archive.occupiedCells().length;
    int cells = archive.tessellation().cellCount();
    check(s.members() == n && archive.size() == n, () -> "stats members " + s.members() + ", size "
        + archive.size() + ", members() " + n);
    check(archive.isEmpty() == (n == 0), () -> "isEmpty() disagrees with size " + n);
    check(s.occupiedCells() == occupied, () -> "stats occupied " + s.occupiedCells() + ", actual "
        + occupied);
    check(s.cells() == cells, () -> "stats cells " + s.cells() + ", tessellation " + cells);
    if (cells > 0) {
      check(s.coverage() == (double) occupied / cells, () -> "coverage " + s.coverage() + ", expected "
          + occupied + "/" + cells);
    } else {
      check(Double.isNaN(s.coverage()), () -> "coverage of an unbounded archive must be NaN, was "
          + s.coverage());
    }
    double sum = 0;
    double abs = 0;
    double best = Double.NEGATIVE_INFINITY;
    for (Elite e : members) {
      sum += e.quality();
      abs += Math.abs(e.quality()) + Math.abs(s.qdOffset());
      best = Math.max(best, e.quality());
    }
    double qd = sum - n * s.qdOffset();
    double tol = 1e-12 * (abs + 1) * (n + 1);
    check(Math.abs(s.qdScore() - qd) <= tol, () -> "QD score " + s.qdScore() + ", expected " + qd
        + " (offset " + s.qdOffset() + ")");
    if (n == 0) {
      check(Double.isNaN(s.bestQuality()) && Double.isNaN(s.meanQuality()),
          () -> "best and mean of an empty archive must be NaN: " + s);
      check(archive.sampleMember(new SplittableRandom(seed)).isEmpty()
              && archive.sampleByCell(new SplittableRandom(seed)).isEmpty(),
          () -> "sampling an empty archive must return empty");
    } else {
      double max = best;
      double mean = sum / n;
      check(s.bestQuality() == max, () -> "best " + s.bestQuality() + ", expected " + max);
      check(Math.abs(s.meanQuality() - mean) <= tol / n + 1e-12 * Math.abs(mean),
          () -> "mean " + s.meanQuality() + ", expected " + mean);
      Set<Elite> set = new HashSet<>(members);
      SplittableRandom random = new SplittableRandom(seed);
      for (int i = 0; i < 4; i++) {
        Elite m = archive.sampleMember(random).orElseThrow(() -> new AssertionError("no sample"));
        Elite c = archive.sampleByCell(random).orElseThrow(() -> new AssertionError("no sample"));
        check(set.contains(m) && set.contains(c), () -> "sampled elites must be members");
      }
    }
  }

  private static void checkSameState(Archive a, Archive b, String when) {
    check(a.capacity() == b.capacity(), () -> when + ": capacity " + a.capacity() + " vs "
        + b.capacity());
    check(a.members().equals(b.members()), () -> when + ": members differ: " + ids(a.members())
        + " vs " + ids(b.members()));
    check(Arrays.equals(a.occupiedCells(), b.occupiedCells()), () -> when + ": occupied cells "
        + Arrays.toString(a.occupiedCells()) + " vs " + Arrays.toString(b.occupiedCells()));
    for (int c : a.occupiedCells()) {
      check(a.cell(c).equals(b.cell(c)), () -> when + ": cell " + c + " " + ids(a.cell(c)) + " vs "
          + ids(b.cell(c)));
    }
    check(a.stats().equals(b.stats()), () -> when + ": stats " + a.stats() + " vs " + b.stats());
    check(a.tessellation().cellCount() == b.tessellation().cellCount()
            && a.tessellation().existingCells() == b.tessellation().existingCells(),
        () -> when + ": tessellations differ");
  }

  /** The cells' contents, independent of cell numbering and member order. */
  private static Set<List<Elite>> canonicalState(Archive archive) {
    Set<List<Elite>> out = new HashSet<>();
    for (int c : archive.occupiedCells()) {
      out.add(archive.cell(c));
    }
    return out;
  }

  /** Equal statuses, values and insertion flags (cell numbers may depend on the order). */
  private static boolean sameOutcomes(List<List<AddResult>> a, List<List<AddResult>> b) {
    for (int i = 0; i < a.size(); i++) {
      for (int j = 0; j < a.get(i).size(); j++) {
        AddResult x = a.get(i).get(j);
        AddResult y = b.get(i).get(j);
        if (x.status() != y.status() || Double.compare(x.value(), y.value()) != 0
            || x.inserted() != y.inserted() || (x.cell() < 0) != (y.cell() < 0)) {
          return false;
        }
      }
    }
    return true;
  }

  private static List<int[]> permutations(int n) {
    List<int[]> out = new ArrayList<>();
    permute(new int[n], new boolean[n], 0, out);
    return out;
  }

  private static void permute(int[] cur, boolean[] used, int k, List<int[]> out) {
    if (k == cur.length) {
      out.add(cur.clone());
      return;
    }
    for (int i = 0; i < cur.length; i++) {
      if (!used[i]) {
        used[i] = true;
        cur[k] = i;
        permute(cur, used, k + 1, out);
        used[i] = false;
      }
    }
  }

  private static double[] qualities(List<Elite> members) {
    double[] q = new double[members.size()];
    for (int i = 0; i < q.length; i++) {
      q[i] = members.get(i).quality();
    }
    return q;
  }

  private static List<String> ids(List<Elite> elites) {
    List<String> out = new ArrayList<>();
    for (Elite e : elites) {
      out.add(e.id() + "@" + e.quality());
    }
    return out;
  }

  private static void check(boolean condition, Supplier<String> message) {
    if (!condition) {
      throw new AssertionError(message.get());
    }
  }
}
