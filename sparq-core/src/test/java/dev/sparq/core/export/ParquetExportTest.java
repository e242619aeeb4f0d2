package dev.sparq.core.export;

import static dev.sparq.core.export.ExporterTest.cand;
import static dev.sparq.core.export.ExporterTest.rolls;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparq.core.internal.Json;
import dev.sparq.core.model.EvaluatedCandidate;
import dev.sparq.core.store.CandidateLog;
import dev.sparq.core.store.LogOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parquet exports are read back with parquet-java's own reader and must hold exactly the rows of the
 * JSON Lines export, for every format. parquet-java's reader needs Hadoop classes (on the test class
 * path through the provided-scope hadoop-client-api); writing must not, which
 * {@link #writingNeedsNoHadoop()} checks in a JVM whose class path lacks them.
 */
class ParquetExportTest {
  @TempDir Path tmp;

  private Path log(List<EvaluatedCandidate> cands) {
    Path dir = tmp.resolve("log" + System.nanoTime());
    try (CandidateLog log = CandidateLog.create(dir, LogOptions.defaults().withFsync(false))) {
      log.accept(0, cands);
    }
    return dir;
  }

  @Test
  void everyFormatHoldsTheSameRowsAsJsonLines() throws IOException {
    Path log = log(List.of(cand("What is 2+2?", 0.5, rolls("S1", "wrong", "S2"), "add"),
        cand("Zero quality", 0.0, rolls("S9"), "add"),
        cand("Ünïcode \\boxed{x} \"quoted\"", 0.25, rolls("T1"), "alg", "add")));
    for (String system : new String[] {null, "SYS"}) {
      for (ExportFormat f : ExportFormat.values()) {
        Path json = tmp.resolve("j-" + f.id() + system);
        Path parquet = tmp.resolve("p-" + f.id() + system);
        Exporter.builder().log(log).output(json).format(f).systemPrompt(system)
            .fileFormat(FileFormat.JSONL).build().run();
        ExportReport r = Exporter.builder().log(log).output(parquet).format(f).systemPrompt(system)
            .fileFormat(FileFormat.PARQUET).build().run();
        assertEquals(parquet.resolve("sparq.parquet"), r.data());
        assertFalse(Files.exists(parquet.resolve("sparq.jsonl")));
        List<JsonNode> expected = new ArrayList<>();
        for (String line : Files.readAllLines(json.resolve("sparq.jsonl"), StandardCharsets.UTF_8)) {
          expected.add(Json.mapper().readTree(line));
        }
        assertEquals(expected.toString(), read(r.data()).toString(), f + " system=" + system);
        assertEquals(expected.size(), r.examplesWritten());
      }
    }
  }

  @Test
  void verlIsParquetByDefaultAndTheOthersJsonLines() throws IOException {
    Path log = log(List.of(cand("Q", 0.5, rolls("S"), "x")));
    ExportReport verl = Exporter.builder().log(log).output(tmp.resolve("v"))
        .format(ExportFormat.VERL).build().run();
    assertEquals("sparq.parquet", verl.data().getFileName().toString());
    String card = Files.readString(tmp.resolve("v/README.md"));
    assertTrue(card.contains("data_files: sparq.parquet"), card);
    ExportReport msg = Exporter.builder().log(log).output(tmp.resolve("m"))
        .format(ExportFormat.MESSAGES).build().run();
    assertEquals("sparq.jsonl", msg.data().getFileName().toString());
    assertEquals(FileFormat.PARQUET, FileFormat.defaultFor(ExportFormat.VERL));
    for (ExportFormat f : ExportFormat.values()) {
      if (f != ExportFormat.VERL) {
        assertEquals(FileFormat.JSONL, FileFormat.defaultFor(f));
      }
    }
  }

  @Test
  void verlSchemaIsTheOneVerlReads() throws IOException {
    Path log = log(List.of(cand("Q", 0.5, rolls("S"), "x")));
    ExportReport r = Exporter.builder().log(log).output(tmp.resolve("v"))
        .format(ExportFormat.VERL).build().run();
    try (ParquetFileReader reader = open(r.data())) {
      MessageType schema = reader.getFooter().getFileMetaData().getSchema();
      assertEquals(List.of("data_source", "prompt", "ability", "reward_model", "extra_info"),
          schema.getFields().stream().map(Type::getName).toList());
      assertEquals(LogicalTypeAnnotation.listType(), schema.getType("prompt").getLogicalTypeAnnotation());
      assertEquals(LogicalTypeAnnotation.stringType(),
          schema.getType("data_source").getLogicalTypeAnnotation());
      GroupType extra = schema.getType("extra_info").asGroupType();
      assertEquals(PrimitiveTypeName.INT64, extra.getType("index").asPrimitiveType()
          .getPrimitiveTypeName());
      assertEquals(PrimitiveTypeName.DOUBLE, extra.getType("quality").asPrimitiveType()
          .getPrimitiveTypeName());
      assertEquals(CompressionCodecName.GZIP,
          reader.getFooter().getBlocks().get(0).getColumns().get(0).getCodec());
    }
  }

  @Test
  void sameInputGivesTheSameBytes() throws IOException {
    List<EvaluatedCandidate> cands = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      cands.add(cand("Problem number " + i + " about " + (i % 17), 0.1 + (i % 9) / 10.0,
          rolls("solution " + i, "wrong", "other " + i), "s" + (i % 5)));
    }
    Path log = log(cands);
    Path a = Exporter.builder().log(log).output(tmp.resolve("a")).format(ExportFormat.MESSAGES)
        .fileFormat(FileFormat.PARQUET).build().run().data();
    Path b = Exporter.builder().log(log).output(tmp.resolve("b")).format(ExportFormat.MESSAGES)
        .fileFormat(FileFormat.PARQUET).backgroundReader(false).build().run().data();
    assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    assertEquals(6000, read(a).size());
  }

  @Test
  void writingNeedsNoHadoop() throws Exception {
    Path log = log(List.of(cand("Q", 0.5, rolls("S"), "x")));
    String cp = System.getProperty("java.class.path");
    List<String> kept = new ArrayList<>();
    for (String e : cp.split(java.io.File.pathSeparator)) {
      if (!e.contains("hadoop-client")) {
        kept.add(e);
      }
    }
    assertTrue(kept.size() < cp.split(java.io.File.pathSeparator).length, "hadoop on the class path");
    Path out = tmp.resolve("nohadoop");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", String.join(java.io.File.pathSeparator, kept), NoHadoopExport.class.getName(),
        log.toString(), out.toString()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), output);
    assertEquals(1, read(out.resolve("sparq.parquet")).size());
  }

  /** Runs a verl export in a JVM without Hadoop (see {@link #writingNeedsNoHadoop()}). */
  static final class NoHadoopExport {
    public static void main(String[] args) throws ClassNotFoundException {
      try {
        Class.forName("org.apache.hadoop.conf.Configuration");
        throw new IllegalStateException("Hadoop is on the class path");
      } catch (ClassNotFoundException expected) {
        // as intended
      }
      Exporter.builder().log(Path.of(args[0])).output(Path.of(args[1])).format(ExportFormat.VERL)
          .build().run();
    }
  }

  @Test
  void codecsOtherThanGzipAreRefusedByName() {
    ParquetRows.GzipCodecFactory f = new ParquetRows.GzipCodecFactory();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> f.getCompressor(CompressionCodecName.SNAPPY));
    assertTrue(e.getMessage().contains("SNAPPY"), e.getMessage());
  }

  private static ParquetFileReader open(Path file) throws IOException {
    return ParquetFileReader.open(new LocalInputFile(file),
        ParquetReadOptions.builder(new PlainParquetConfiguration())
            .withCodecFactory(new ParquetRows.GzipCodecFactory()).build());
  }

  /** Every record of the file as the JSON object its columns spell (lists unwrapped). */
  static List<JsonNode> read(Path file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    try (ParquetFileReader reader = open(file)) {
      MessageType schema = reader.getFooter().getFileMetaData().getSchema();
      PageReadStore pages;
      while ((pages = reader.readNextRowGroup()) != null) {
        RecordReader<Group> records = new ColumnIOFactory().getColumnIO(schema)
            .getRecordReader(pages, new GroupRecordConverter(schema));
        for (long i = 0; i < pages.getRowCount(); i++) {
          out.add(json(records.read(), schema));
        }
      }
    }
    return out;
  }

  private static ObjectNode json(Group g, GroupType type) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    for (int i = 0; i < type.getFieldCount(); i++) {
      Type t = type.getType(i);
      String name = t.getName();
      if (t.isPrimitive()) {
        switch (t.asPrimitiveType().getPrimitiveTypeName()) {
          case BINARY -> o.put(name, g.getString(i, 0));
          case INT64 -> o.put(name, g.getLong(i, 0));
          case DOUBLE -> o.put(name, g.getDouble(i, 0));
          default -> throw new AssertionError(t);
        }
      } else if (LogicalTypeAnnotation.listType().equals(t.getLogicalTypeAnnotation())) {
        ArrayNode a = o.putArray(name);
        Group list = g.getGroup(i, 0);
        GroupType element = t.asGroupType().getType(0).asGroupType().getType(0).asGroupType();
        for (int k = 0; k < list.getFieldRepetitionCount(0); k++) {
          a.add(json(list.getGroup(0, k).getGroup(0, 0), element));
        }
      } else {
        o.set(name, json(g.getGroup(i, 0), t.asGroupType()));
      }
    }
    return o;
  }
}
