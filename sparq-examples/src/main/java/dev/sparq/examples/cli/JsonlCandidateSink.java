package dev.sparq.examples.cli;

import dev.sparq.core.Json;
import dev.sparq.core.SparqException;
import dev.sparq.core.engine.CandidateSink;
import dev.sparq.core.model.EvaluatedCandidate;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Appends every evaluated candidate to a JSON-lines file, one {@link EvaluatedCandidate} per line:
 * SPARQ's archive A kept on disk by the {@code sparq} command.
 */
final class JsonlCandidateSink implements CandidateSink {
  private final Path file;
  private final BufferedWriter out;

  JsonlCandidateSink(Path file) {
    this.file = file;
    try {
      this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + file, e);
    }
  }

  @Override
  public void accept(long iteration, List<EvaluatedCandidate> candidates) {
    try {
      for (EvaluatedCandidate c : candidates) {
        out.write(Json.mapper().writeValueAsString(c));
        out.write('\n');
      }
    } catch (IOException e) {
      throw new SparqException("cannot append to " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void flush() {
    try {
      out.flush();
    } catch (IOException e) {
      throw new SparqException("cannot flush " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new SparqException("cannot close " + file + ": " + e.getMessage(), e);
    }
  }
}
