package dev.sparq.core.archive;

/**
 * A snapshot of an archive's statistics.
 *
 * @param members number of stored members
 * @param occupiedCells cells with at least one member
 * @param cells the number of cells when finite, else -1
 * @param coverage {@code occupiedCells / cells} when the cell count is finite, else NaN
 * @param qdScore sum over members of {@code quality - qdOffset}
 * @param qdOffset the offset used for {@code qdScore}
 * @param bestQuality the best member quality (NaN when empty)
 * @param meanQuality the mean member quality (NaN when empty)
 */
public record ArchiveStats(
    int members,
    int occupiedCells,
    int cells,
    double coverage,
    double qdScore,
    double qdOffset,
    double bestQuality,
    double meanQuality) {}
