package dev.sparq.onnx.embed;

import dev.sparq.core.describe.DescriptorUnion;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sparq.core.ConfigException;
import dev.sparq.core.Outcome;
import dev.sparq.core.archive.CvtTessellation;
import dev.sparq.core.archive.GridTessellation;
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
 * Semantic niches: places a problem by the embedding of its statement, projected to a few bounded
 * measures by an {@link EmbeddingProjection} fitted on the seed set. Pair it with a CVT or grid
 * {@link dev.sparq.core.archive.CellArchive} over {@link #lowerBounds()} to {@link #upperBounds()}.
 *
 * <pre>{@code
 * try (OnnxEmbedder embedder = OnnxEmbedder.open(Path.of("models/all-MiniLM-L6-v2"))) {
 *   EmbeddingDescriptor descriptor = EmbeddingDescriptor.fit(embedder, seeds,
 *       EmbeddingProjection.Spec.pca(4));
 *   CellArchive archive = CellArchive.builder()
 *       .tessellation(descriptor.cvt(256, 20_000, new SplittableRandom(7)))
 *       .capacity(4).build();
 *   SparqRun.builder(runDir, engine)...  // the projection is saved with every checkpoint
 *   ...
 * }
 * }</pre>
 *
 * <p>Its only state is the fitted projection, which {@link #saveState()} saves with every
 * checkpoint and restores on resume. Thread-safe when its embedder is; a problem's measures depend only
 * on its statement (with a batch-invariant embedder, as {@link OnnxEmbedder} is by default for
 * quantised models and exactly for full-precision ones), so results do not depend on how the
 * engine splits batches across threads.
 */
public final class EmbeddingDescriptor implements DiversityDescriptor, Stateful {
  private final TextEmbedder embedder;
  /** Replaced only when a checkpoint slot is restored. */
  private volatile EmbeddingProjection projection;

  /**
   * A descriptor with an already fitted (for example restored) projection.
   *
   * @throws ConfigException when the embedder's dimension differs from the projection's
   */
  public EmbeddingDescriptor(TextEmbedder embedder, EmbeddingProjection projection) {
    this.embedder = Objects.requireNonNull(embedder, "embedder");
    this.projection = Objects.requireNonNull(projection, "projection");
    if (embedder.dimension() != projection.inputDimension()) {
      throw ConfigException.forKey("projection", "fitted on " + projection.inputDimension()
          + "-dimensional embeddings but the embedder gives " + embedder.dimension());
    }
  }

  /** Embeds the seeds' statements and fits a projection on them. */
  public static EmbeddingDescriptor fit(TextEmbedder embedder, List<Problem> seeds,
      EmbeddingProjection.Spec spec) {
    float[][] e = embedder.embed(statements(seeds));
    return new EmbeddingDescriptor(embedder, EmbeddingProjection.fit(e, spec));
  }

  /** The problems' statements, in order: what is embedded. */
  static List<String> statements(List<Problem> problems) {
    List<String> out = new ArrayList<>(problems.size());
    for (Problem p : problems) {
      out.add(p.statement());
    }
    return out;
  }

  /**
   * The projection as a checkpoint slot named {@code embedding_projection}
   * ({@link EmbeddingProjection#toJson()}). Restoring replaces this descriptor's projection with the
   * saved one, so a resumed run places problems exactly as before even if refitting on the seeds
   * would give another projection (other seeds, another random projection seed, another PCA sign).
   *
   * @throws ConfigException on restore, when the saved projection does not fit this descriptor's
   *     embedder or has another number of measures
   */
  @Override
  public String stateName() {
    return stateView().stateName();
  }

  @Override
  public JsonNode saveState() {
    return stateView().saveState();
  }

  @Override
  public void restoreState(JsonNode state) {
    stateView().restoreState(state);
  }

  private Stateful stateView() {
    return new Stateful() {
      @Override
      public String stateName() {
        return "embedding_projection";
      }

      @Override
      public JsonNode saveState() {
        return projection.toJson();
      }

      @Override
      public void restoreState(JsonNode state) {
        EmbeddingProjection p = EmbeddingProjection.fromJson(state);
        if (p.inputDimension() != embedder.dimension() || p.dimensions() != dimensions()) {
          throw ConfigException.forKey("embedding_projection", "the checkpoint's projection maps "
              + p.inputDimension() + " to " + p.dimensions() + " dimensions, this descriptor "
              + embedder.dimension() + " to " + dimensions());
        }
        projection = p;
      }
    };
  }

  /** The fitted projection (or the one restored from a checkpoint). */
  public EmbeddingProjection projection() {
    return projection;
  }

  /** The embedder. */
  public TextEmbedder embedder() {
    return embedder;
  }

  /** Number of measures. */
  public int dimensions() {
    return projection.dimensions();
  }

  /** Per-measure lower bounds (all equal to the projection's {@code lower}). */
  public double[] lowerBounds() {
    return projection.lowerBounds();
  }

  /** Per-measure upper bounds (all equal to the projection's {@code upper}). */
  public double[] upperBounds() {
    return projection.upperBounds();
  }

  /** The bounded measures of each problem's statement, in order. */
  public double[][] measures(List<Problem> problems) {
    EmbeddingProjection p = projection;
    float[][] e = embedder.embed(statements(problems));
    double[][] out = new double[e.length][];
    for (int i = 0; i < e.length; i++) {
      out[i] = p.measures(e[i]);
    }
    return out;
  }

  @Override
  public List<Outcome<Descriptor>> describe(List<Problem> problems, StageContext context) {
    double[][] m = measures(problems);
    List<Outcome<Descriptor>> out = new ArrayList<>(m.length);
    for (double[] x : m) {
      out.add(Outcome.of(Descriptor.ofMeasures(x)));
    }
    return out;
  }

  /**
   * This descriptor as a categorical one: each problem gets the single label
   * {@code prefix + cell}, its cell in {@code cells} (a CVT over this descriptor's measures), and
   * no measures. Combined with skill labels by {@link DescriptorUnion}, a categorical archive then
   * has one niche per (skill set, semantic region).
   *
   * <p>The result keeps this descriptor's current projection and {@code cells} as its own state and
   * checkpoints both in the slot {@value EmbeddingRegions#SLOT} (a later restore of this descriptor's
   * {@code embedding_projection} slot does not change it). {@link EmbeddingRegions#fitSeeds} gives
   * the same regions as {@code asCellLabel(cvtFromSeeds(...))} on a freshly fitted descriptor while
   * embedding the seeds once instead of twice.
   *
   * @throws ConfigException when the CVT has another number of dimensions than the projection
   */
  public EmbeddingRegions asCellLabel(CvtTessellation cells, String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    if (cells.dimensions() != dimensions()) {
      throw ConfigException.forKey("cells", "CVT has " + cells.dimensions()
          + " dimensions, the projection " + dimensions());
    }
    return new EmbeddingRegions(embedder, projection, cells, prefix);
  }

  /**
   * A CVT over the measure box: {@code cells} centroids by k-means over {@code samples} uniform
   * points (20 Lloyd iterations), deterministic for the generator's state.
   */
  public CvtTessellation cvt(int cells, int samples, RandomGenerator random) {
    return CvtTessellation.build(cells, lowerBounds(), upperBounds(), samples, 20, random);
  }

  /**
   * A CVT whose centroids are k-means centres of the seeds' measures, so cells follow where the
   * seeds are dense (needs at least {@code cells} seeds).
   */
  public CvtTessellation cvtFromSeeds(List<Problem> seeds, int cells, RandomGenerator random) {
    return CvtTessellation.fromPoints(cells, measures(seeds), EmbeddingRegions.ITERATIONS, random);
  }

  /** A regular grid with {@code binsPerDimension} bins on each measure. */
  public GridTessellation grid(int binsPerDimension) {
    return GridTessellation.uniform(dimensions(), binsPerDimension, projection.lower(),
        projection.upper());
  }
}
