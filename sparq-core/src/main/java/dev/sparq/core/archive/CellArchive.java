package dev.sparq.core.archive;

import dev.sparq.core.model.AddStatus;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Elite;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The archive family of SPARQ for Java: a {@link Tessellation} plus a per-cell capacity. Capacity 1
 * is classic MAP-Elites; capacity T is SPARQ's per-niche cap. Built with {@link #builder()} or the
 * shortcuts {@link #grid}, {@link #cvt} and {@link #categorical}.
 *
 * <p>No two members share a problem id: a candidate whose id is already a member, or belongs to an
 * earlier candidate of the same batch, is refused as a duplicate ({@link AddResult#duplicate()}).
 *
 * <p>All methods are synchronized: adds are atomic, and concurrent adds behave like some sequential
 * order of them.
 */
public final class CellArchive implements Archive {

  /** One stored member with its position in {@link #all}. */
  private static final class Entry {
    final Elite elite;
    final double quality;
    final int cell;
    int pos;

    Entry(Elite elite, int cell) {
      this.elite = elite;
      this.quality = elite.quality();
      this.cell = cell;
    }
  }

  /** Members of one cell, sorted by quality descending, ties in arrival order. */
  private static final class Cell {
    Entry[] slots;
    int size;

    Cell(int capacity) {
      this.slots = new Entry[Math.min(capacity, 4)];
    }

    double worst() {
      return slots[size - 1].quality;
    }
  }

  private final Tessellation tessellation;
  private final int capacity;
  private final double qdOffset;
  private Cell[] cells;
  private final ArrayList<Entry> all = new ArrayList<>();
  /** Members per problem id: 1 for every member of an archive built by adds. */
  private final HashMap<String, Integer> ids = new HashMap<>();
  private int[] occupied = new int[16];
  private int occupiedCount;

  private CellArchive(Tessellation tessellation, int capacity, double qdOffset) {
    this.tessellation = Objects.requireNonNull(tessellation, "tessellation");
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1, was " + capacity);
    }
    if (!Double.isFinite(qdOffset)) {
      throw new IllegalArgumentException("qdOffset must be finite");
    }
    this.capacity = capacity;
    this.qdOffset = qdOffset;
    int initial = tessellation.cellCount() > 0 ? tessellation.cellCount() : 64;
    this.cells = new Cell[Math.max(initial, tessellation.existingCells())];
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A grid archive with capacity 1. */
  public static CellArchive grid(int[] bins, double[] lower, double[] upper) {
    return builder().tessellation(new GridTessellation(bins, lower, upper)).build();
  }

  /** A CVT archive with capacity 1 over the given tessellation. */
  public static CellArchive cvt(CvtTessellation tessellation) {
    return builder().tessellation(tessellation).build();
  }

  /** An unbounded categorical archive keyed by the descriptor's label set, capacity {@code T}. */
  public static CellArchive categorical(int capacity) {
    return builder().tessellation(new CategoricalTessellation()).capacity(capacity).build();
  }

  @Override
  public int capacity() {
    return capacity;
  }

  @Override
  public synchronized Tessellation tessellation() {
    return tessellation.copy();
  }

  /** The offset subtracted from each quality in the QD score. */
  public double qdOffset() {
    return qdOffset;
  }

  @Override
  public synchronized List<AddResult> add(List<Elite> candidates) {
    int n = candidates.size();
    int[] cellIdx = new int[n];
    AddStatus[] status = new AddStatus[n];
    double[] value = new double[n];
    // reject a null before pass 1 creates categorical cells, so a failed batch changes nothing
    for (int i = 0; i < n; i++) {
      Objects.requireNonNull(candidates.get(i), "candidate " + i);
    }
    // pass 1: judge every candidate against the archive before the batch
    boolean[] duplicate = new boolean[n];
    HashSet<String> batchIds = new HashSet<>();
    for (int i = 0; i < n; i++) {
      Elite e = candidates.get(i);
      if (!batchIds.add(e.id()) || ids.containsKey(e.id())) {
        duplicate[i] = true;
        status[i] = AddStatus.NOT_ADDED;
        continue;
      }
      int c = tessellation.cellOf(e.descriptor(), true);
      cellIdx[i] = c;
      double q = e.quality();
      if (c < 0) {
        status[i] = AddStatus.NOT_ADDED;
        value[i] = 0.0;
        continue;
      }
      Cell cell = cellAt(c);
      status[i] = judge(cell, q);
      value[i] = valueOf(cell, q);
    }
    // pass 2: insert accepted candidates in batch order; a later candidate only displaces what is
    // strictly worse, so ties go to members and earlier candidates
    Entry[] entries = new Entry[n];
    for (int i = 0; i < n; i++) {
      if (status[i].accepted()) {
        entries[i] = insert(candidates.get(i), cellIdx[i]);
      }
    }
    List<AddResult> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      if (duplicate[i]) {
        // the cell as it is after the batch, without creating one
        out.add(AddResult.duplicateOf(tessellation.cellOf(candidates.get(i).descriptor(), false)));
        continue;
      }
      boolean inserted = entries[i] != null && entries[i].pos >= 0;
      out.add(new AddResult(status[i], value[i], cellIdx[i], inserted));
    }
    return out;
  }

  /** A batch of one, without the batch's bookkeeping arrays; the same rule as {@link #add(List)}. */
  @Override
  public synchronized AddResult add(Elite candidate) {
    Objects.requireNonNull(candidate, "candidate 0");
    if (ids.containsKey(candidate.id())) {
      return AddResult.duplicateOf(tessellation.cellOf(candidate.descriptor(), false));
    }
    int c = tessellation.cellOf(candidate.descriptor(), true);
    if (c < 0) {
      return new AddResult(AddStatus.NOT_ADDED, 0.0, c, false);
    }
    double q = candidate.quality();
    Cell cell = cellAt(c);
    AddStatus status = judge(cell, q);
    double value = valueOf(cell, q);
    boolean inserted = status.accepted() && insert(candidate, c) != null;
    return new AddResult(status, value, c, inserted);
  }

  private Cell cellAt(int c) {
    return c < cells.length ? cells[c] : null;
  }

  /** The status of quality {@code q} against a cell as it is now (null = empty cell). */
  private AddStatus judge(Cell cell, double q) {
    if (cell == null || cell.size < capacity) {
      return AddStatus.NEW;
    }
    return q > cell.worst() ? AddStatus.IMPROVED : AddStatus.NOT_ADDED;
  }

  /** The add value of quality {@code q}: itself for a free slot, else minus the worst member. */
  private double valueOf(Cell cell, double q) {
    return cell == null || cell.size < capacity ? q : q - cell.worst();
  }

  /** Inserts into a cell if it ranks within capacity; returns the entry or null. */
  private Entry insert(Elite e, int c) {
    ensureCells(c);
    Cell cell = cells[c];
    if (cell == null) {
      cell = new Cell(capacity);
      cells[c] = cell;
    }
    double q = e.quality();
    if (cell.size == capacity && !(q > cell.worst())) {
      return null;
    }
    // position: after every slot with quality >= q
    int p = cell.size;
    while (p > 0 && cell.slots[p - 1].quality < q) {
      p--;
    }
    Entry entry = new Entry(e, c);
    if (cell.size == capacity) {
      Entry evicted = cell.slots[capacity - 1];
      removeFromAll(evicted);
      System.arraycopy(cell.slots, p, cell.slots, p + 1, capacity - 1 - p);
    } else {
      if (cell.size == cell.slots.length) {
        cell.slots = Arrays.copyOf(cell.slots, Math.min(capacity, cell.slots.length * 2));
      }
      System.arraycopy(cell.slots, p, cell.slots, p + 1, cell.size - p);
      if (cell.size == 0) {
        addOccupied(c);
      }
      cell.size++;
    }
    cell.slots[p] = entry;
    entry.pos = all.size();
    all.add(entry);
    ids.merge(e.id(), 1, Integer::sum);
    return entry;
  }

  private void removeFromAll(Entry e) {
    int last = all.size() - 1;
    Entry moved = all.get(last);
    all.set(e.pos, moved);
    moved.pos = e.pos;
    all.remove(last);
    e.pos = -1;
    ids.computeIfPresent(e.elite.id(), (k, v) -> v == 1 ? null : v - 1);
  }

  private void addOccupied(int c) {
    if (occupiedCount == occupied.length) {
      occupied = Arrays.copyOf(occupied, occupied.length * 2);
    }
    occupied[occupiedCount++] = c;
  }

  private void ensureCells(int c) {
    if (c >= cells.length) {
      cells = Arrays.copyOf(cells, Math.max(c + 1, cells.length * 2));
    }
  }

  @Override
  public synchronized int cellOf(Descriptor descriptor) {
    return tessellation.cellOf(descriptor, false);
  }

  @Override
  public synchronized List<Elite> cell(int c) {
    if (c < 0 || c >= cells.length || cells[c] == null) {
      return List.of();
    }
    Cell cell = cells[c];
    List<Elite> out = new ArrayList<>(cell.size);
    for (int i = 0; i < cell.size; i++) {
      out.add(cell.slots[i].elite);
    }
    return List.copyOf(out);
  }

  @Override
  public synchronized int[] occupiedCells() {
    return Arrays.copyOf(occupied, occupiedCount);
  }

  @Override
  public synchronized List<Elite> members() {
    List<Elite> out = new ArrayList<>(all.size());
    for (Entry e : all) {
      out.add(e.elite);
    }
    return List.copyOf(out);
  }

  @Override
  public synchronized int size() {
    return all.size();
  }

  @Override
  public synchronized ArchiveStats stats() {
    int n = all.size();
    double sum = 0;
    double best = Double.NaN;
    for (Entry e : all) {
      sum += e.quality;
      if (!(e.quality <= best)) {
        best = e.quality;
      }
    }
    int total = tessellation.cellCount();
    double coverage = total > 0 ? (double) occupiedCount / total : Double.NaN;
    return new ArchiveStats(n, occupiedCount, total, coverage, sum - n * qdOffset, qdOffset, best,
        n == 0 ? Double.NaN : sum / n);
  }

  @Override
  public synchronized Optional<Elite> sampleMember(RandomGenerator random) {
    if (all.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(all.get(random.nextInt(all.size())).elite);
  }

  @Override
  public synchronized Optional<Elite> sampleByCell(RandomGenerator random) {
    if (occupiedCount == 0) {
      return Optional.empty();
    }
    Cell cell = cells[occupied[random.nextInt(occupiedCount)]];
    return Optional.of(cell.slots[random.nextInt(cell.size)].elite);
  }

  /** Whether a member has problem id {@code id}. */
  public synchronized boolean containsId(String id) {
    return ids.containsKey(id);
  }

  /** An independent deep copy in the same state (same member order, same cell order). */
  public synchronized CellArchive copy() {
    return restore(tessellation.copy(), capacity, qdOffset, snapshot(), occupiedCells());
  }

  // ---- persistence support (used by ArchiveJson) ----

  /** One stored member with its cell and rank, in internal order. */
  record Placed(int cell, int rank, Elite elite) {}

  synchronized List<Placed> snapshot() {
    List<Placed> out = new ArrayList<>(all.size());
    for (Entry e : all) {
      Cell cell = cells[e.cell];
      int rank = 0;
      while (cell.slots[rank] != e) {
        rank++;
      }
      out.add(new Placed(e.cell, rank, e.elite));
    }
    return out;
  }

  static CellArchive restore(
      Tessellation t, int capacity, double qdOffset, List<Placed> placed, int[] occupiedOrder) {
    CellArchive a = new CellArchive(t, capacity, qdOffset);
    for (Placed p : placed) {
      if (p.cell() < 0 || (t.cellCount() > 0 && p.cell() >= t.cellCount())
          || p.cell() >= Math.max(t.existingCells(), t.cellCount())) {
        throw new IllegalArgumentException("member " + p.elite().id() + " has invalid cell " + p.cell());
      }
      if (p.rank() < 0 || p.rank() >= capacity) {
        throw new IllegalArgumentException("member " + p.elite().id() + " has invalid rank " + p.rank());
      }
      a.ensureCells(p.cell());
      Cell cell = a.cells[p.cell()];
      if (cell == null) {
        cell = new Cell(capacity);
        a.cells[p.cell()] = cell;
        if (occupiedOrder == null) {
          a.addOccupied(p.cell());
        }
      }
      if (p.rank() >= cell.slots.length) {
        cell.slots = Arrays.copyOf(cell.slots, Math.min(capacity, Math.max(p.rank() + 1, cell.slots.length * 2)));
      }
      if (cell.slots[p.rank()] != null) {
        throw new IllegalArgumentException("two members at cell " + p.cell() + " rank " + p.rank());
      }
      Entry e = new Entry(p.elite(), p.cell());
      cell.slots[p.rank()] = e;
      cell.size++;
      e.pos = a.all.size();
      a.all.add(e);
      // archives saved before the duplicate rule may hold an id twice; they load unchanged
      a.ids.merge(p.elite().id(), 1, Integer::sum);
    }
    for (int c = 0; c < a.cells.length; c++) {
      Cell cell = a.cells[c];
      if (cell == null) {
        continue;
      }
      for (int r = 0; r < cell.size; r++) {
        if (cell.slots[r] == null) {
          throw new IllegalArgumentException("cell " + c + " has a gap at rank " + r);
        }
        if (r > 0 && cell.slots[r].quality > cell.slots[r - 1].quality) {
          throw new IllegalArgumentException("cell " + c + " is not sorted by quality at rank " + r);
        }
      }
    }
    if (occupiedOrder != null) {
      boolean[] listed = new boolean[a.cells.length];
      for (int c : occupiedOrder) {
        if (c < 0 || c >= a.cells.length || a.cells[c] == null) {
          throw new IllegalArgumentException("occupied list names empty cell " + c);
        }
        if (listed[c]) {
          throw new IllegalArgumentException("occupied list names cell " + c + " twice");
        }
        listed[c] = true;
        a.addOccupied(c);
      }
      int nonEmpty = 0;
      for (Cell cell : a.cells) {
        if (cell != null) {
          nonEmpty++;
        }
      }
      if (nonEmpty != a.occupiedCount) {
        throw new IllegalArgumentException("occupied list has " + a.occupiedCount + " cells, archive has "
            + nonEmpty);
      }
    }
    return a;
  }

  /** Builder of {@link CellArchive}. */
  public static final class Builder {
    private Tessellation tessellation;
    private int capacity = 1;
    private double qdOffset = 0.0;

    private Builder() {}

    /** How cells are found (required). */
    public Builder tessellation(Tessellation tessellation) {
      this.tessellation = tessellation;
      return this;
    }

    /** Members per cell (default 1, classic MAP-Elites). */
    public Builder capacity(int capacity) {
      this.capacity = capacity;
      return this;
    }

    /** Offset subtracted from each quality in the QD score (default 0). */
    public Builder qdOffset(double qdOffset) {
      this.qdOffset = qdOffset;
      return this;
    }

    public CellArchive build() {
      if (tessellation == null) {
        throw new IllegalStateException("CellArchive.builder(): tessellation is required");
      }
      return new CellArchive(tessellation.copy(), capacity, qdOffset);
    }
  }
}
