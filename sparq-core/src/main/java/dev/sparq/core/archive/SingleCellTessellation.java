package dev.sparq.core.archive;

import dev.sparq.core.model.Descriptor;

/**
 * One cell for every descriptor. With capacity T it keeps the T best members overall: the working set
 * of SPARQ's "dynamic uniform" variant (top-T by quality).
 */
public final class SingleCellTessellation implements Tessellation {
  @Override
  public int cellOf(Descriptor descriptor, boolean create) {
    return 0;
  }

  @Override
  public int cellCount() {
    return 1;
  }

  @Override
  public int existingCells() {
    return 1;
  }

  @Override
  public String label(int cell) {
    return "all";
  }

  @Override
  public Tessellation copy() {
    return this;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SingleCellTessellation;
  }

  @Override
  public int hashCode() {
    return 1;
  }
}
