package dev.sparq.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparq.onnx.testing.TinyDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code bin/sparq} of the packaged distribution ({@code target/sparq-<version>/}, built by
 * {@code mvn package}) as a user would: a separate process whose class path is only the
 * distribution's {@code lib/}, with no Maven involved. Run by failsafe after {@code package}.
 */
class DistributionIT {
  static Path dist;
  @TempDir Path tmp;

  @BeforeAll
  static void locate() {
    String d = System.getProperty("sparq.dist");
    Assumptions.assumeTrue(d != null, "sparq.dist not set (run through mvn verify)");
    dist = Path.of(d);
  }

  record Result(int status, String out, String err) {}

  private Result sparq(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(dist.resolve("bin/sparq").toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
    Map<String, String> env = pb.environment();
    env.remove("CLASSPATH");
    env.remove("SPARQ_ONNXRUNTIME");
    env.put("JAVA_HOME", System.getProperty("java.home"));
    Path out = tmp.resolve("stdout-" + System.nanoTime());
    Path err = tmp.resolve("stderr-" + System.nanoTime());
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("bin/sparq " + String.join(" ", args) + " ran over 300 s");
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void layoutHasTheCpuRuntimeAndAnExecutableLauncher() throws Exception {
    assertTrue(Files.isExecutable(dist.resolve("bin/sparq")));
    List<String> jars;
    try (Stream<Path> s = Files.list(dist.resolve("lib"))) {
      jars = s.map(p -> p.getFileName().toString()).sorted().toList();
    }
    try (Stream<Path> s = Files.list(dist.resolve("lib/onnxruntime"))) {
      List<String> ort = s.map(p -> p.getFileName().toString()).toList();
      assertTrue(ort.size() == 1 && ort.get(0).matches("onnxruntime-\\d.*\\.jar"), ort.toString());
    }
    assertFalse(jars.stream().anyMatch(j -> j.startsWith("onnxruntime_gpu")), jars.toString());
    assertFalse(jars.stream().anyMatch(j -> j.startsWith("hadoop")), jars.toString());
    assertTrue(jars.stream().anyMatch(j -> j.startsWith("slf4j-simple")), jars.toString());
    assertTrue(jars.stream().anyMatch(j -> j.startsWith("sparq-examples")), jars.toString());
    String name = dist.getFileName().toString();
    // the JSON Schema of run.yaml ships next to bin/, and is what `sparq config --schema` prints
    Path schema = dist.resolve("run.schema.json");
    assertTrue(Files.isRegularFile(schema), "run.schema.json is in the distribution");
    Result printed = sparq("config", "--schema");
    assertEquals(0, printed.status(), printed.err());
    assertEquals(Files.readString(schema, StandardCharsets.UTF_8), printed.out());
    assertTrue(Files.size(dist.resolveSibling(name + ".tar.gz")) > 1_000_000);
    assertTrue(Files.size(dist.resolveSibling(name + ".zip")) > 1_000_000);
  }

  @Test
  void readmeDemoRunsFromSparqJarWithoutOnnxRuntime() throws Exception {
    // README's first command: java -jar sparq-examples/target/sparq.jar demo (no ONNX Runtime inside)
    Path jar = dist.getParent().resolve("sparq.jar");
    assertTrue(Files.isRegularFile(jar), jar + " missing");
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", jar.toString(), "demo", "-o", "d", "--iterations", "2", "--progress", "none")
        .directory(tmp.toFile());
    pb.environment().remove("CLASSPATH");
    Path out = tmp.resolve("jar-demo.out");
    Process p = pb.redirectErrorStream(true).redirectOutput(out.toFile()).start();
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("java -jar sparq.jar demo ran over 300 s");
    }
    String log = Files.readString(out, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), log);
    assertTrue(Files.isRegularFile(tmp.resolve("d/report.html")), log);
  }

  @Test
  void demoRunsAndExportsVerlParquetWithoutMaven() throws Exception {
    Result demo = sparq("demo", "-o", "d", "--iterations", "3", "--progress", "none");
    assertEquals(0, demo.status(), demo.out() + demo.err());
    Result export = sparq("export", "d", "--format", "verl");
    assertEquals(0, export.status(), export.out() + export.err());
    byte[] head = Files.readAllBytes(tmp.resolve("d/export/verl/sparq.parquet"));
    assertEquals("PAR1", new String(head, 0, 4, StandardCharsets.US_ASCII));
  }

  @Test
  void onnxBackendLoadsTheCpuRuntimeAndShowsLibraryWarnings() throws Exception {
    Path model = new TinyDecoder(new TinyDecoder.Spec(32, 2, 4, 64, 2048, 42, false))
        .writeTo(tmp.resolve("model"));
    StringBuilder seeds = new StringBuilder();
    for (int i = 1; i <= 6; i++) {
      seeds.append("{\"problem\": \"What is ").append(i).append(" + 1?\", \"answer\": \"")
          .append(i + 1).append("\"}\n");
    }
    Files.writeString(tmp.resolve("seeds.jsonl"), seeds);
    Files.writeString(tmp.resolve("run.yaml"), """
        backend: {type: onnx, model: "%s", device: cuda, maxTokens: 12}
        seeds: {format: jsonl, path: seeds.jsonl}
        k: 2
        batchSize: 4
        budget: {iterations: 1}
        output: run
        """.formatted(model.toString().replace("\\", "/")));
    Result r = sparq("run", "--config", "run.yaml", "--progress", "none");
    // the random decoder's replies are noise: it loads and answers, and no seed gets a skill set
    assertEquals(2, r.status(), r.out() + r.err());
    assertTrue(r.err().contains("no seed problem could be described (6 seeds given)"), r.err());
    // asked for CUDA on the CPU build of ONNX Runtime: the library's warning reaches the user
    assertTrue(r.err().contains("WARN") && r.err().contains("CUDA requested"), r.err());
  }
}
