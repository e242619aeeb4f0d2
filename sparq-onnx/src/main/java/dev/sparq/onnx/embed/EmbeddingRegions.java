package dev.sparq.onnx.embed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparq.core.ConfigException;
import dev.sparq.core.DataException;
import dev.sparq.core.Outcome;
import dev.sparq.core.archive.CvtTessellation;
import dev.sparq.core.internal.Json;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Problem;
import dev.sparq.core.stage.DiversityDescriptor;
import dev.sparq.core.stage.StageContext;
import dev.sparq.core.state.Stateful;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Semantic regions as a categorical descriptor: each problem gets the single label
 * {@code prefix + cell}, where {@code cell} is the nearest of a few centres to the problem's
 * embedding measures ({@link EmbeddingProjection#measures}), and no measures. Combined with skill
 * labels by {@link dev.sparq.core.describe.DescriptorUnion}, a categorical archive then has one
 * niche per (skill set, semantic region); this is what the command line's {@code descriptor.type:
 * embedding} and {@code both} use.
 *
 * <p>Its state is the fitted projection and the centres, kept together: as a {@link Stateful}
 * component it saves both in the checkpoint slot {@value #SLOT} and restores both at once, so a
 * resumed run places problems exactly as before even when refitting would give something else (other
 * seeds, another model file or ONNX Runtime, other numerics), and a restored projection is never
 * mixed with freshly computed centres. A descriptor for a resume need not embed the seeds at all:
 * {@link #toRestore} starts empty and refuses to describe anything until the checkpoint restores it.
 *
 * <p>Thread-safe when its embedder is; a problem's label depends only on its statement (with a
 * batch-invariant embedder).
 */
public final class EmbeddingRegions implements DiversityDescriptor, Stateful {
  /** The checkpoint slot: {@code {"projection": ..., "centroids": [[...], ...]}}. */
  public static final String SLOT = "embedding_regions";

  /**
   * Lloyd iterations of the k-means over the seeds' measures, here and in
   * {@link EmbeddingDescriptor#cvtFromSeeds}, which must give the same centres.
   */
  static final int ITERATIONS = 20;

  /** The projection and the centres, replaced together (only when the slot is restored). */
  private record Fitted(EmbeddingProjection projection, CvtTessellation cells) {}

  private final TextEmbedder embedder;
  private final String prefix;
  private final int dimensions;
  private final int cellCount;
  /** Null until restored, for a descriptor made by {@link #toRestore}. */
  private volatile Fitted fitted;

  private EmbeddingRegions(TextEmbedder embedder, String prefix, int dimensions, int cellCount,
      Fitted fitted) {
    this.embedder = Objects.requireNonNull(embedder, "embedder");
    this.prefix = Objects.requireNonNull(prefix, "prefix");
    if (dimensions < 1 || dimensions > 127) {
      throw ConfigException.forKey("dimensions", "must be 1..127, was " + dimensions);
    }
    if (cellCount < 1) {
      throw ConfigException.forKey("cells", "must be at least 1, was " + cellCount);
    }
    this.dimensions = dimensions;
    this.cellCount = cellCount;
    this.fitted = fitted;
  }

  /**
   * Regions given by a fitted projection and a CVT over its measures.
   *
   * @throws ConfigException when the projection does not fit the embedder or the CVT has another
   *     number of dimensions than the projection's measures
   */
  public EmbeddingRegions(TextEmbedder embedder, EmbeddingProjection projection,
      CvtTessellation cells, String prefix) {
    this(embedder, prefix, projection.dimensions(), cells.cellCount(), new Fitted(projection, cells));
    if (embedder.dimension() != projection.inputDimension()) {
      throw ConfigException.forKey("projection", "fitted on " + projection.inputDimension()
          + "-dimensional embeddings but the embedder gives " + embedder.dimension());
    }
    if (cells.dimensions() != projection.dimensions()) {
      throw ConfigException.forKey("cells", "CVT has " + cells.dimensions()
          + " dimensions, the projection " + projection.dimensions());
    }
  }

  /**
   * Embeds the seeds' statements once, fits a projection on the embeddings, and takes as centres
   * {@code cells} k-means centres of the seeds' measures (20 Lloyd iterations, deterministic for the
   * generator's state), so regions follow where the seeds are dense. The same regions as
   * {@code ed.asCellLabel(ed.cvtFromSeeds(seeds, cells, random), prefix)} with
   * {@code ed = EmbeddingDescriptor.fit(embedder, seeds, spec)}, for a deterministic embedder, with
   * half the embedding work.
   *
   * @throws ConfigException when there are fewer seeds than {@code cells}, or the projection cannot
   *     be fitted
   */
  public static EmbeddingRegions fitSeeds(TextEmbedder embedder, List<Problem> seeds,
      EmbeddingProjection.Spec spec, int cells, RandomGenerator random, String prefix) {
    if (cells < 1 || cells > seeds.size()) {
      throw ConfigException.forKey("cells", cells + " cells need at least as many seeds; there are "
          + seeds.size());
    }
    float[][] e = embedder.embed(EmbeddingDescriptor.statements(seeds));
    EmbeddingProjection p = EmbeddingProjection.fit(e, spec);
    double[][] m = new double[e.length][];
    for (int i = 0; i < e.length; i++) {
      m[i] = p.measures(e[i]);
    }
    return new EmbeddingRegions(embedder, p, CvtTessellation.fromPoints(cells, m, ITERATIONS, random),
        prefix);
  }

  /**
   * Regions for a run that resumes from a checkpoint holding their state (the slot {@value #SLOT}):
   * nothing is embedded or fitted, since restoring replaces the projection and the centres anyway
   * ({@link dev.sparq.core.store.SparqRun} restores them before the engine describes anything).
   * Until {@link #restoreState} is called, {@link #describe}, {@link #saveState()},
   * {@link #projection()} and {@link #cells()} throw {@link IllegalStateException}, so a run that
   * has no such checkpoint fails at once instead of placing problems by regions nobody fitted.
   *
   * @param dimensions the number of measures the restored projection must have
   * @param cells the number of centres the restored state must have
   */
  public static EmbeddingRegions toRestore(TextEmbedder embedder, int dimensions, int cells,
      String prefix) {
    return new EmbeddingRegions(embedder, prefix, dimensions, cells, null);
  }

  private Fitted current() {
    Fitted f = fitted;
    if (f == null) {
      throw new IllegalStateException("the semantic regions were to come from a checkpoint (slot '"
          + SLOT + "'), but none was restored: resume from a checkpoint written with this"
          + " descriptor (one written before the regions were checkpointed has no such slot, and its"
          + " regions cannot be recovered exactly: start that run again), or fit the regions on the"
          + " seeds (EmbeddingRegions.fitSeeds)");
    }
    return f;
  }

  /** Whether the projection and the centres are there (false for {@link #toRestore} until restored). */
  public boolean isFitted() {
    return fitted != null;
  }

  /** The projection (fitted, or restored from a checkpoint). */
  public EmbeddingProjection projection() {
    return current().projection();
  }

  /** The centres, one cell each (fitted, or restored from a checkpoint). */
  public CvtTessellation cells() {
    return current().cells();
  }

  /** The embedder. */
  public TextEmbedder embedder() {
    return embedder;
  }

  /** The prefix of every label. */
  public String prefix() {
    return prefix;
  }

  /** Number of measures of the projection. */
  public int dimensions() {
    return dimensions;
  }

  /** Number of regions. */
  public int cellCount() {
    return cellCount;
  }

  @Override
  public List<Outcome<Descriptor>> describe(List<Problem> problems, StageContext context) {
    Fitted f = current();
    float[][] e = embedder.embed(EmbeddingDescriptor.statements(problems));
    List<Outcome<Descriptor>> out = new ArrayList<>(e.length);
    for (float[] x : e) {
      out.add(Outcome.of(Descriptor.ofLabels(prefix + f.cells().nearest(f.projection().measures(x)))));
    }
    return out;
  }

  /** {@value #SLOT}. */
  @Override
  public String stateName() {
    return SLOT;
  }

  /**
   * The projection ({@link EmbeddingProjection#toJson()}) and the centres, as
   * {@code {"projection": ..., "centroids": [[...], ...]}}.
   *
   * @throws IllegalStateException for a descriptor made by {@link #toRestore} not yet restored
   */
  @Override
  public JsonNode saveState() {
    Fitted f = current();
    ObjectNode o = Json.mapper().createObjectNode();
    o.set("projection", f.projection().toJson());
    ArrayNode cs = o.putArray("centroids");
    for (double[] c : f.cells().centroids()) {
      ArrayNode row = cs.addArray();
      for (double v : c) {
        row.add(v);
      }
    }
    return o;
  }

  /**
   * Replaces the projection and the centres with saved ones, both at once.
   *
   * @throws ConfigException naming the slot when the state is malformed (a missing or invalid
   *     projection, a non-numeric or non-finite centre coordinate), or does not fit this descriptor:
   *     another embedding dimension than the embedder's, another number of measures or of centres;
   *     this descriptor is then unchanged
   */
  @Override
  public void restoreState(JsonNode state) {
    if (state == null || !state.isObject()) {
      throw ConfigException.forKey(SLOT, "the checkpoint's regions are not a JSON object");
    }
    if (!state.hasNonNull("projection")) {
      throw ConfigException.forKey(SLOT, "the checkpoint's regions have no 'projection'");
    }
    EmbeddingProjection p;
    try {
      p = EmbeddingProjection.fromJson(state.get("projection"));
    } catch (DataException e) {
      ConfigException x = ConfigException.forKey(SLOT, "the checkpoint's projection is invalid: "
          + e.getMessage());
      x.initCause(e);
      throw x;
    }
    if (p.inputDimension() != embedder.dimension() || p.dimensions() != dimensions) {
      throw ConfigException.forKey(SLOT, "the checkpoint's projection maps " + p.inputDimension()
          + " to " + p.dimensions() + " dimensions, this descriptor " + embedder.dimension() + " to "
          + dimensions);
    }
    JsonNode cs = state.get("centroids");
    if (cs == null || !cs.isArray()) {
      throw ConfigException.forKey(SLOT, "the checkpoint's regions have no 'centroids' array");
    }
    if (cs.size() != cellCount) {
      throw ConfigException.forKey(SLOT, "the checkpoint has " + cs.size() + " region centres, this"
          + " descriptor " + cellCount + " cells");
    }
    double[][] c = new double[cellCount][dimensions];
    for (int i = 0; i < cellCount; i++) {
      JsonNode row = cs.get(i);
      if (row == null || !row.isArray() || row.size() != dimensions) {
        throw ConfigException.forKey(SLOT, "region centre " + i + " needs " + dimensions
            + " numbers, has " + (row != null && row.isArray() ? row.size() + "" : "none"));
      }
      for (int j = 0; j < dimensions; j++) {
        JsonNode v = row.get(j);
        if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
          throw ConfigException.forKey(SLOT, "region centre " + i + " has a coordinate that is not"
              + " a finite number: " + v);
        }
        c[i][j] = v.doubleValue();
      }
    }
    fitted = new Fitted(p, new CvtTessellation(c));
  }
}
