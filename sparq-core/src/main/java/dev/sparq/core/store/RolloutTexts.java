package dev.sparq.core.store;

/**
 * Which rollout texts the candidate log keeps ({@link LogOptions#withRolloutTexts}). Rollout texts
 * are almost all of a record: with K = 16 rollouts of 300 to 1,500 tokens a record is about 60 KB, so
 * a run at the SPARQ paper's scale (about 320,000 candidates) writes about 20 GB with {@link #ALL}.
 * Whatever the setting, every rollout keeps its entry in {@code rollouts} with its extracted
 * {@code answer}, {@code correct} and {@code tokens}; a text that is not kept is written as the empty
 * string, and the record then carries {@code texts_dropped} (the number of texts not kept). The
 * archive, the engine and checkpoints never read the log, so the setting changes no result of a run
 * and may differ between a run and its resumption.
 */
public enum RolloutTexts {
  /** Every rollout's text (the default; the log of earlier versions). */
  ALL,
  /** The texts of correct rollouts only; an incorrect rollout keeps its answer but not its text. */
  CORRECT,
  /**
   * The texts the {@link dev.sparq.core.export.Exporter} can turn into training examples: those of
   * correct rollouts of records with quality &gt; 0 (SPARQ's rule; the exporter never uses a record
   * of quality 0, nor an incorrect rollout). Because most problems are solved always or never, this
   * keeps a small fraction of the texts.
   */
  EXPORTABLE,
  /** No rollout texts (reference solutions and every other field are still written). */
  NONE;

  /** Whether the text of a rollout that is {@code correct} in a record of {@code quality} is kept. */
  boolean keeps(double quality, boolean correct) {
    return switch (this) {
      case ALL -> true;
      case CORRECT -> correct;
      case EXPORTABLE -> correct && quality > 0;
      case NONE -> false;
    };
  }
}
