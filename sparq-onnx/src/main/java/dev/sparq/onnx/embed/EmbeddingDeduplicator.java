package dev.sparq.onnx.embed;

import dev.sparq.core.export.TextDeduplicator;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Near-duplicate detection for texts: embeds them with a {@link TextEmbedder} and keeps their
 * vectors in a {@link NearDuplicateIndex}. Two problems whose statements' embeddings have cosine
 * similarity at least the threshold are near duplicates. With all-MiniLM-L6-v2, light edits
 * (punctuation, casing, a filler word) score 0.96 to 0.99, the same problem with one number changed
 * 0.83 to 0.88, a full paraphrase from 0.54 up and unrelated problems below 0.3 (our test set), so
 * 0.9 removes edits but keeps number variants and 0.8 removes both.
 *
 * <p>For a filter that checks first and adds later (an exporter that keeps a problem only after it
 * passed further steps), {@link #isDuplicate(String)} followed by {@link #add(String)} embeds the
 * text once: the last text checked and its vector are remembered. Thread-safe.
 *
 * <p>It is the {@link TextDeduplicator} of sparq-core's exporter: {@code
 * Exporter.builder()...textDeduplicator(new EmbeddingDeduplicator(embedder, 0.9))} drops problems
 * whose statement embeds close to an earlier kept one (counted as {@code duplicate_text}).
 */
public final class EmbeddingDeduplicator implements TextDeduplicator {
  private final TextEmbedder embedder;
  private final NearDuplicateIndex index;
  private String lastText;
  private float[] lastVector;

  /** A deduplicator with an empty index. */
  public EmbeddingDeduplicator(TextEmbedder embedder, double threshold) {
    this.embedder = Objects.requireNonNull(embedder, "embedder");
    this.index = new NearDuplicateIndex(embedder.dimension(), threshold);
  }

  /** The index (for its size, or to add vectors computed elsewhere). */
  public NearDuplicateIndex index() {
    return index;
  }

  private synchronized float[] vector(String text) {
    if (!text.equals(lastText)) {
      lastVector = embedder.embed(text);
      lastText = text;
    }
    return lastVector;
  }

  /** The stored text this one duplicates, if any. */
  public Optional<NearDuplicateIndex.Match> duplicateOf(String text) {
    return index.findDuplicate(vector(text));
  }

  /** Whether a stored text is a near duplicate of this one. */
  @Override
  public boolean isDuplicate(String text) {
    return duplicateOf(text).isPresent();
  }

  /** Stores a text (without checking); the text is its key. */
  @Override
  public void add(String text) {
    index.add(text, vector(text));
  }

  /** Stores the text unless it duplicates a stored one; returns whether it was stored. */
  public boolean addIfNovel(String text) {
    return index.addIfNovel(text, vector(text)).isEmpty();
  }

  /**
   * Deduplicates a batch in order (one embedding call): a text is kept when it duplicates neither a
   * stored text nor an earlier kept text of the batch; kept texts are stored.
   *
   * @return indices of the kept texts, ascending
   */
  public List<Integer> keep(List<String> texts) {
    float[][] v = embedder.embed(texts);
    List<Integer> kept = new ArrayList<>();
    for (int i = 0; i < v.length; i++) {
      if (index.addIfNovel(texts.get(i), v[i]).isEmpty()) {
        kept.add(i);
      }
    }
    return kept;
  }
}
