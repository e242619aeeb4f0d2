package dev.sparq.core.seeds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparq.core.DataException;
import dev.sparq.core.internal.UntrustedFiles;
import dev.sparq.core.model.Problem;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parquet seed files as the Hugging Face Hub ships them. The files under
 * {@code src/test/resources/dev/sparq/core/seeds/parquet} were written by pyarrow and {@code datasets}
 * ({@code src/test/python/make_parquet_seeds.py}), never by SPARQ, and {@code manifest.json} lists
 * every value Python wrote; these tests need no Python, except the one that regenerates the files.
 */
class SeedLoaderParquetTest {
  @TempDir Path tmp;

  static Path goldens() {
    try {
      return Path.of(SeedLoaderParquetTest.class.getResource("parquet/manifest.json").toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Path golden(String rel) {
    return goldens().resolve(rel);
  }

  @Test
  void gsm8kAsTheHubShipsItLoads() {
    SeedSet s = SeedLoader.gsm8k(golden("gsm8k/main/train-00000-of-00001.parquet"));
    assertEquals(4, s.size());
    List<String> answers = s.problems().stream().map(Problem::answer).toList();
    assertEquals(List.of("31", "150", "900", "98"), answers);
    Problem first = s.problems().get(0);
    assertTrue(first.statement().startsWith("Ana buys 3 boxes"), first.statement());
    // the calculator annotations and the #### line are gone, as for JSON Lines
    assertEquals("Ana buys 3 * 12 = 36 pencils.\nShe keeps 36 - 5 = 31 pencils.", first.solution());
    assertEquals("gsm8k", first.attributes().get("source"));
    assertEquals("train-00000-of-00001.parquet#0", first.attributes().get("origin"));
    assertTrue(s.problems().get(3).statement().endsWith("\u00dcber-easy."));
  }

  @Test
  void aSplitIsChosenWithAGlob() {
    SeedSet s = SeedLoader.gsm8k(golden("gsm8k/*/train-*.parquet"));
    assertEquals(4, s.size());
    assertEquals("main/train-00000-of-00001.parquet#1", s.problems().get(1).attributes().get("origin"));
  }

  @Test
  void aDirectoryWithTwoSplitsIsRefused() {
    DataException e = assertThrows(DataException.class, () -> SeedLoader.gsm8k(golden("gsm8k")));
    assertTrue(e.getMessage().contains("holds the splits test, train"), e.getMessage());
    assertTrue(e.getMessage().contains(golden("gsm8k") + "/*/train-*.parquet"), e.getMessage());
    DataException m = assertThrows(DataException.class, () -> SeedLoader.math(golden("hendrycks_math")));
    assertTrue(m.getMessage().contains("hendrycks_math/*/train-*.parquet"), m.getMessage());
  }

  @Test
  void hendrycksMathSubjectsLoadAcrossCodecsAndPageVersions() {
    // algebra: ZSTD, dictionary pages, two row groups; geometry: GZIP, plain, data page v2
    SeedSet s = SeedLoader.math(golden("hendrycks_math/*/train-*.parquet"));
    assertEquals(5, s.size());
    assertEquals(List.of("4", "5", "\\frac{3}{4}", "9", "4\\pi"),
        s.problems().stream().map(Problem::answer).toList());
    Problem p = s.problems().get(3);
    assertEquals("Level 1", p.attributes().get("level"));
    assertEquals("Geometry", p.attributes().get("type"));
    assertEquals("math", p.attributes().get("source"));
    assertEquals("geometry/train-00000-of-00001.parquet#0", p.attributes().get("origin"));
    // one uncompressed file, given by name
    assertEquals("1", SeedLoader.math(golden("hendrycks_math/algebra/test-00000-of-00001.parquet"))
        .problems().get(0).answer());
  }

  @Test
  void genericShardsInADirectory() {
    FieldMapping m = FieldMapping.of("problem", "answer").withAttributes(List.of("source", "difficulty"));
    SeedSet s = SeedLoader.generic(golden("generic/data"), m);
    assertEquals(5, s.size());
    assertEquals(List.of("56", "4", "7", "1024", "0.75"), s.problems().stream().map(Problem::answer).toList());
    assertEquals("arith", s.problems().get(0).attributes().get("source"));
    assertEquals("1", s.problems().get(0).attributes().get("difficulty"));
    assertNull(s.problems().get(1).attributes().get("source"), "a null attribute is left out");
    assertNull(s.problems().get(2).attributes().get("difficulty"));
    assertEquals("train-00001-of-00002.parquet#1", s.problems().get(4).attributes().get("origin"));
    // the command line's jsonl format: problem and answer, every other scalar column an attribute
    SeedSet j = SeedLoader.strict().loadJsonl(golden("generic/data"));
    assertEquals(s.problems().stream().map(Problem::id).toList(), j.problems().stream().map(Problem::id).toList());
    assertEquals("powers", j.problems().get(3).attributes().get("source"));
    assertEquals("3", j.problems().get(3).attributes().get("difficulty"));
  }

  @Test
  void everyValueIsWhatPythonWrote() throws IOException {
    assertEquals(7, checkAgainstManifest(goldens()));
  }

  /** Reads every column of every file in the manifest and compares each value; returns the files. */
  static int checkAgainstManifest(Path root) throws IOException {
    JsonNode manifest = new ObjectMapper().readTree(root.resolve("manifest.json").toFile());
    int files = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = manifest.fields(); it.hasNext(); files++) {
      Map.Entry<String, JsonNode> e = it.next();
      List<Map<String, Object>> rows = new ArrayList<>();
      try (ParquetSeeds.File f = ParquetSeeds.open(root.resolve(e.getKey()), UntrustedFiles.Links.REFUSE)) {
        f.read(List.copyOf(f.columns().values()), (row, group, values) -> {
          assertEquals(rows.size(), row);
          rows.add(new LinkedHashMap<>(values));
        });
      }
      assertEquals(e.getValue().size(), rows.size(), e.getKey());
      for (int i = 0; i < rows.size(); i++) {
        JsonNode want = e.getValue().get(i);
        Map<String, Object> got = rows.get(i);
        TreeSet<String> names = new TreeSet<>();
        want.fieldNames().forEachRemaining(names::add);
        assertEquals(names, new TreeSet<>(got.keySet()), e.getKey());
        for (Map.Entry<String, Object> v : got.entrySet()) {
          JsonNode w = want.get(v.getKey());
          Object expected = w.isNull() ? null : w.isIntegralNumber() ? (Object) w.asLong() : w.asText();
          assertEquals(expected, v.getValue(), e.getKey() + " row " + i + " " + v.getKey());
        }
      }
    }
    return files;
  }

  @Test
  void aMissingColumnNamesTheFileAndTheColumnsThereAre() {
    Path f = golden("broken/missing_answer.parquet");
    DataException e = assertThrows(DataException.class, () -> SeedLoader.gsm8k(f));
    assertEquals(f + ": field 'answer': no such column; the file has the columns question", e.getMessage());
    assertEquals("answer", e.field().orElseThrow());
  }

  @Test
  void aNullInARequiredFieldNamesTheRowAndRowGroup() {
    Path f = golden("broken/null_question.parquet");
    DataException e = assertThrows(DataException.class, () -> SeedLoader.gsm8k(f));
    assertEquals(f + ": row 2 (row group 1): field 'question': is missing", e.getMessage());
    assertEquals("row 2 (row group 1)", e.where().orElseThrow());
    // lenient: the row is skipped with a warning, the others kept
    SeedSet s = SeedLoader.lenient().loadGsm8k(f);
    assertEquals(2, s.size());
    assertEquals(1, s.skipped());
    assertEquals(e.getMessage(), s.warnings().get(0));
  }

  @Test
  void anIntegerColumnWhereTextIsExpected() {
    Path f = golden("broken/int_question.parquet");
    DataException e = assertThrows(DataException.class, () -> SeedLoader.gsm8k(f));
    assertEquals(f + ": field 'question': is an integer (int64) column; expected a string column", e.getMessage());
  }

  @Test
  void unsupportedCodecsAreNamed() {
    for (String name : List.of("lz4", "brotli")) {
      Path f = golden("broken/" + name + ".parquet");
      DataException e = assertThrows(DataException.class, () -> SeedLoader.gsm8k(f));
      assertTrue(e.getMessage().startsWith(f + ": field 'question': row group 0 is compressed with "
          + name.toUpperCase(java.util.Locale.ROOT)), e.getMessage());
      assertTrue(e.getMessage().contains("not supported; seed files may use SNAPPY, ZSTD, GZIP"), e.getMessage());
    }
  }

  @Test
  void aTruncatedFileIsRefused() {
    Path f = golden("broken/truncated.parquet");
    DataException e = assertThrows(DataException.class, () -> SeedLoader.gsm8k(f));
    assertEquals(f + ": not a readable Parquet file: it does not end with 'PAR1' (truncated, or still being "
        + "written?)", e.getMessage());
  }

  @Test
  void lenientSkipsBadFilesOfADirectory() throws IOException {
    Path dir = tmp.resolve("mixed");
    Files.createDirectories(dir);
    for (String rel : List.of("gsm8k/main/train-00000-of-00001.parquet", "broken/lz4.parquet",
        "broken/truncated.parquet", "broken/int_question.parquet")) {
      Files.copy(golden(rel), dir.resolve(golden(rel).getFileName()));
    }
    assertThrows(DataException.class, () -> SeedLoader.gsm8k(dir));
    SeedSet s = SeedLoader.lenient().loadGsm8k(dir);
    assertEquals(4, s.size());
    assertEquals(3, s.skipped());
    assertTrue(s.warnings().stream().anyMatch(w -> w.contains("lz4.parquet") && w.contains("LZ4")), s.warnings().toString());
  }

  @Test
  void symbolicLinksInsideADirectoryAreRefused() throws IOException {
    Path dir = tmp.resolve("linked");
    Files.createDirectories(dir);
    Path link = Files.createSymbolicLink(dir.resolve("train-00000-of-00001.parquet"),
        golden("gsm8k/main/train-00000-of-00001.parquet"));
    DataException e = assertThrows(DataException.class, () -> SeedLoader.gsm8k(dir));
    assertTrue(e.getMessage().startsWith(link + ": refusing to read the seed file through a symbolic link"),
        e.getMessage());
    // the path given may itself be a link
    assertEquals(4, SeedLoader.gsm8k(link).size());
  }

  @Test
  void statedSizesAreCheckedBeforeAnythingIsAllocated() throws IOException {
    // a footer that claims 2 GiB
    ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
    b.put("PAR1".getBytes(StandardCharsets.US_ASCII)).position(24);
    b.putInt(Integer.MAX_VALUE).put("PAR1".getBytes(StandardCharsets.US_ASCII));
    Path f = Files.write(tmp.resolve("huge-footer.parquet"), b.array());
    DataException e = assertThrows(DataException.class, () -> SeedLoader.gsm8k(f));
    assertTrue(e.getMessage().contains("footer may have at most 16777216 bytes"), e.getMessage());
  }

  @Test
  void aColumnChunkOrPageThatClaimsTooMuchIsRefusedBeforeItIsRead() throws IOException {
    FieldMapping m = FieldMapping.of("q", "q");
    Path chunk = claiming(tmp.resolve("chunk.parquet"), 300L << 20, 10);
    DataException c = assertThrows(DataException.class, () -> SeedLoader.generic(chunk, m));
    assertTrue(c.getMessage().startsWith(chunk + ": column 'q' of row group 0 is 314572800 bytes compressed; "
        + "a seed file's column chunk may have at most 268435456 bytes"), c.getMessage());
    Path page = claiming(tmp.resolve("page.parquet"), -1, 100 << 20);
    DataException p = assertThrows(DataException.class, () -> SeedLoader.generic(page, m));
    assertEquals(page + ": field 'q': a page in row group 0 is 104857600 bytes once decompressed; a seed file's "
        + "page (and so one value) may have at most 67108864 bytes (64 MiB)", p.getMessage());
    Path fine = claiming(tmp.resolve("fine.parquet"), -1, 10);
    // the same file with honest sizes is read: the sizes were all that was wrong
    assertEquals("abcdef", SeedLoader.generic(fine, m).problems().get(0).statement());
    // a billion rows stated in a few bytes (run-length encoding allows it) are refused up front, in
    // lenient mode too, rather than read into a billion warnings
    Path rows = claiming(tmp.resolve("rows.parquet"), -1, 10, 1_000_000_000L);
    DataException r = assertThrows(DataException.class, () -> SeedLoader.lenient().loadGeneric(rows, m));
    assertTrue(r.getMessage().contains("its row groups claim 1000000000 rows in "), r.getMessage());
  }

  /**
   * A Parquet file, written with the Thrift structures, whose one string column {@code q} holds one
   * page of 10 bytes but whose chunk (when {@code chunkBytes >= 0}) and page headers may claim more.
   */
  private static Path claiming(Path file, long chunkBytes, int pageBytes) throws IOException {
    return claiming(file, chunkBytes, pageBytes, 1);
  }

  private static Path claiming(Path file, long chunkBytes, int pageBytes, long rows) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.write("PAR1".getBytes(StandardCharsets.US_ASCII));
    org.apache.parquet.format.PageHeader h = new org.apache.parquet.format.PageHeader(
        org.apache.parquet.format.PageType.DATA_PAGE, pageBytes, 10);
    h.setData_page_header(new org.apache.parquet.format.DataPageHeader(1, org.apache.parquet.format.Encoding.PLAIN,
        org.apache.parquet.format.Encoding.RLE, org.apache.parquet.format.Encoding.RLE));
    org.apache.parquet.format.Util.writePageHeader(h, out);
    out.write(new byte[] {6, 0, 0, 0, 'a', 'b', 'c', 'd', 'e', 'f'});
    long size = out.size() - 4;
    org.apache.parquet.format.ColumnMetaData cm = new org.apache.parquet.format.ColumnMetaData(
        org.apache.parquet.format.Type.BYTE_ARRAY, List.of(org.apache.parquet.format.Encoding.PLAIN), List.of("q"),
        org.apache.parquet.format.CompressionCodec.UNCOMPRESSED, rows, size, chunkBytes >= 0 ? chunkBytes : size, 4);
    org.apache.parquet.format.ColumnChunk cc = new org.apache.parquet.format.ColumnChunk(4);
    cc.setMeta_data(cm);
    org.apache.parquet.format.SchemaElement root = new org.apache.parquet.format.SchemaElement("schema");
    root.setNum_children(1);
    org.apache.parquet.format.SchemaElement q = new org.apache.parquet.format.SchemaElement("q");
    q.setType(org.apache.parquet.format.Type.BYTE_ARRAY);
    q.setRepetition_type(org.apache.parquet.format.FieldRepetitionType.REQUIRED);
    q.setConverted_type(org.apache.parquet.format.ConvertedType.UTF8);
    org.apache.parquet.format.FileMetaData meta = new org.apache.parquet.format.FileMetaData(1, List.of(root, q), rows,
        List.of(new org.apache.parquet.format.RowGroup(List.of(cc), size, rows)));
    java.io.ByteArrayOutputStream footer = new java.io.ByteArrayOutputStream();
    org.apache.parquet.format.Util.writeFileMetaData(meta, footer);
    out.write(footer.toByteArray());
    out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(footer.size()).array());
    out.write("PAR1".getBytes(StandardCharsets.US_ASCII));
    return Files.write(file, out.toByteArray());
  }

  @Test
  void readingNeedsNoHadoop() throws Exception {
    String cp = System.getProperty("java.class.path");
    List<String> kept = new ArrayList<>();
    for (String e : cp.split(File.pathSeparator)) {
      if (!e.contains("hadoop")) {
        kept.add(e);
      }
    }
    assertTrue(kept.size() < cp.split(File.pathSeparator).length, "hadoop on the class path");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", String.join(File.pathSeparator, kept), NoHadoopRead.class.getName(), goldens().toString())
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), output);
    assertTrue(output.contains("loaded 4 gsm8k, 5 math, 5 generic"), output);
  }

  /**
   * Loads SNAPPY, ZSTD, GZIP and uncompressed seeds in a JVM whose class path lacks every jar with
   * "hadoop" in its name: hadoop-client-api, as a library user has it, and parquet-hadoop too, which
   * the reading path does not use.
   */
  static final class NoHadoopRead {
    public static void main(String[] args) {
      try {
        Class.forName("org.apache.hadoop.conf.Configuration");
        throw new IllegalStateException("Hadoop is on the class path");
      } catch (ClassNotFoundException expected) {
        // as intended
      }
      Path root = Path.of(args[0]);
      int g = SeedLoader.gsm8k(root.resolve("gsm8k/main/train-00000-of-00001.parquet")).size();
      int m = SeedLoader.math(root.resolve("hendrycks_math/*/train-*.parquet")).size();
      int j = SeedLoader.strict().loadJsonl(root.resolve("generic/data")).size();
      System.out.println("loaded " + g + " gsm8k, " + m + " math, " + j + " generic");
    }
  }

  @Test
  void theGoldensAreWhatTheScriptWritesToday() throws Exception {
    Path script = Path.of("src/test/python/make_parquet_seeds.py").toAbsolutePath();
    Assumptions.assumeTrue(Files.isRegularFile(script), "script not found: " + script);
    Assumptions.assumeTrue(python("import pyarrow, datasets"), "python3 with pyarrow and datasets not installed");
    Path out = tmp.resolve("regenerated");
    Process p = new ProcessBuilder("python3", script.toString(), out.toString()).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(300, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), log);
    assertEquals(files(goldens()), files(out), "the same files; run the script to update the goldens");
    assertEquals(new ObjectMapper().readTree(goldens().resolve("manifest.json").toFile()),
        new ObjectMapper().readTree(out.resolve("manifest.json").toFile()), "manifest.json is current");
    assertEquals(7, checkAgainstManifest(out));
    // the broken files still fail the same way
    for (String name : List.of("missing_answer", "null_question", "int_question", "lz4", "brotli", "truncated")) {
      String golden = message(goldens().resolve("broken/" + name + ".parquet"));
      String fresh = message(out.resolve("broken/" + name + ".parquet"));
      assertEquals(golden.substring(golden.indexOf(".parquet:")), fresh.substring(fresh.indexOf(".parquet:")), name);
    }
  }

  private static String message(Path f) {
    return assertThrows(DataException.class, () -> SeedLoader.gsm8k(f)).getMessage();
  }

  private static List<String> files(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
    }
  }

  private static boolean python(String code) {
    try {
      Process p = new ProcessBuilder("python3", "-c", code).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Test
  void jsonLinesSeedsAreStillJsonLines() throws IOException {
    Path f = Files.writeString(tmp.resolve("s.jsonl"), "{\"question\": \"Q?\", \"answer\": \"x\\n#### 3\"}\n");
    assertEquals("3", SeedLoader.gsm8k(f).problems().get(0).answer());
    assertFalse(ParquetInputs.isGlob(f.toString()));
  }
}
