package dev.sparq.core.archive;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.sparq.core.model.Descriptor;

/**
 * Maps descriptors to cell indices. Implementations: {@link GridTessellation} (numeric bins),
 * {@link CvtTessellation} (nearest centroid) and {@link CategoricalTessellation} (a discrete key,
 * cells created on first use).
 *
 * <p>Archives call a tessellation while holding their lock, so implementations need not be
 * thread-safe themselves.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = GridTessellation.class, name = "grid"),
  @JsonSubTypes.Type(value = CvtTessellation.class, name = "cvt"),
  @JsonSubTypes.Type(value = CategoricalTessellation.class, name = "categorical"),
  @JsonSubTypes.Type(value = SingleCellTessellation.class, name = "single")
})
public interface Tessellation {
  /** Cell count reported by tessellations whose cells are created on demand and unbounded. */
  int UNBOUNDED = -1;

  /**
   * The cell of a descriptor.
   *
   * @param create whether a tessellation with on-demand cells may create a cell for a new key
   * @return the cell index, or -1 when there is no such cell (unknown key and {@code create} false,
   *     or a bounded categorical tessellation that is full)
   * @throws IllegalArgumentException when the descriptor does not fit (wrong dimension count, NaN or
   *     infinite measure)
   */
  int cellOf(Descriptor descriptor, boolean create);

  /** The number of cells when finite (grids, CVT, bounded categorical), else {@link #UNBOUNDED}. */
  int cellCount();

  /** Cells that exist now (for on-demand tessellations, the cells created so far). */
  int existingCells();

  /** A human-readable name of a cell: grid indices, centroid number or the categorical key. */
  String label(int cell);

  /** An independent copy in the same state (used by {@link CellArchive#copy()}). */
  Tessellation copy();
}
