package dev.sparq.core.seeds;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparq.core.DataException;
import dev.sparq.core.internal.BoundedLines;
import dev.sparq.core.internal.IoMessages;
import dev.sparq.core.internal.StrictJson;
import dev.sparq.core.internal.UntrustedFiles;
import dev.sparq.core.model.Lineage;
import dev.sparq.core.model.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads seed problems (SPARQ's seed set D) from MATH, GSM8K and generic JSON / JSON Lines files, and
 * from Parquet as the Hugging Face Hub ships datasets.
 *
 * <ul>
 *   <li>{@link #math(Path)}: a directory tree of per-problem JSON files ({@code problem},
 *       {@code level}, {@code type}, {@code solution}) as the MATH release ships, or one JSON Lines
 *       file with the same fields. The answer is the last brace-matched {@code \boxed{...}}.
 *   <li>{@link #gsm8k(Path)}: JSON Lines with {@code question} and {@code answer}, whose last line is
 *       {@code #### N}. The solution keeps the worked text (calculator annotations
 *       {@code <<6*4=24>>} removed); the answer is N without thousands separators.
 *   <li>{@link #generic(Path, FieldMapping)}: a JSON array or JSON Lines with a field mapping.
 * </ul>
 *
 * <p><b>Parquet.</b> Every loader also reads Parquet, with the same fields, rules and strict or lenient
 * behaviour: a file named {@code *.parquet}, a directory of
 * {@code .parquet} shards (searched recursively, in name order; refused when its file names show more
 * than one split, such as {@code train-00000-of-00001.parquet} beside {@code test-...}), or a glob
 * naming one split's shards, such as {@code hendrycks_math/*&#47;train-*.parquet} ({@code *} within a
 * folder, {@code **} across folders). A directory holding {@code .parquet} files is read as Parquet
 * by {@link #loadMath} too; one without is a MATH tree. Text columns may be {@code string} or
 * {@code large_string}, plain or dictionary-encoded, nullable; pages may be SNAPPY, ZSTD, GZIP or
 * uncompressed (another codec is an error naming it). The statement column must be a string column;
 * answers and attributes may be numbers, as in JSON. A missing column, or a statement column of
 * another type, is an error naming the file and field; a bad value names the row and its row group,
 * both counted from 0 as {@code datasets} and pandas count ({@code train.parquet: row 11 (row group
 * 0): field 'question': is missing}); the {@code origin} attribute is {@code file#row}. Reading needs
 * no Hadoop, streams one row group at a time, and checks every size the file states first: footer at
 * most 16 MiB, a column chunk at most 256 MiB compressed, a page (so one value) at most
 * {@link #MAX_RECORD_BYTES} decompressed.
 *
 * <p>Files must be UTF-8 (a byte-order mark is allowed); malformed bytes are an error, never
 * replaced. Every error is a {@link DataException} naming the file, line and field. In lenient mode
 * ({@link #lenient()}) a bad record, a duplicate or an undecodable/empty file is skipped with a
 * warning (logged, and kept in {@link SeedSet#warnings()}) and counted; loading still fails when
 * nothing at all could be loaded. Duplicates are problems with the same id (the same normalised
 * statement); the first one wins.
 *
 * <p>Seed files may come from someone else, so reading is bounded: only regular files are read (a
 * FIFO or a device such as {@code /dev/zero} is refused before it is opened); a seed file is at most
 * {@link #MAX_FILE_BYTES} (1 GiB), a JSON array file, which is decoded whole, at most
 * {@link #MAX_ARRAY_BYTES} (256 MiB), and one JSON Lines record or one MATH problem file at most
 * {@link #MAX_RECORD_BYTES} (64 MiB). JSON Lines files are streamed: the memory needed is that of the
 * problems kept and one line, whatever the file's size, and a longer line is skipped without being
 * held in memory. The path given may be a symbolic link to a file; inside a MATH
 * directory, files that are symbolic links are refused (skipped with a warning in lenient mode) and
 * linked folders are not entered, so nothing outside the directory is read.
 */
public final class SeedLoader {
  private static final Logger LOG = LoggerFactory.getLogger(SeedLoader.class);
  private static final Pattern CALCULATOR = Pattern.compile("<<[^<>]*>>");

  /**
   * The largest seed file read (1 GiB). A JSON Lines file is streamed, one line in memory at a time;
   * a JSON array file is read whole (see {@link #MAX_ARRAY_BYTES}).
   */
  public static final long MAX_FILE_BYTES = 1L << 30;
  /** The largest JSON array seed file (256 MiB): it is decoded as one text. */
  public static final long MAX_ARRAY_BYTES = 256L << 20;
  /** The largest JSON Lines record (one line) or MATH problem file (64 MiB), as for the candidate log. */
  public static final int MAX_RECORD_BYTES = 64 << 20;

  private final boolean lenient;

  private SeedLoader(boolean lenient) {
    this.lenient = lenient;
  }

  /** A loader that stops at the first bad record. */
  public static SeedLoader strict() {
    return new SeedLoader(false);
  }

  /** A loader that skips bad records with a warning and counts them. */
  public static SeedLoader lenient() {
    return new SeedLoader(true);
  }

  /** Loads MATH seeds, strictly. */
  public static SeedSet math(Path path) {
    return strict().loadMath(path);
  }

  /** Loads GSM8K seeds, strictly. */
  public static SeedSet gsm8k(Path path) {
    return strict().loadGsm8k(path);
  }

  /** Loads generic seeds, strictly. */
  public static SeedSet generic(Path path, FieldMapping mapping) {
    return strict().loadGeneric(path, mapping);
  }

  /**
   * MATH: a directory of per-problem {@code .json} files (searched recursively), a JSONL file, or
   * Parquet with the same columns ({@code problem}, {@code level}, {@code type}, {@code solution}) as
   * {@code EleutherAI/hendrycks_math} ships them.
   */
  public SeedSet loadMath(Path path) {
    Run run = new Run("math");
    if (run.parquet(path, FieldMapping.math())) {
      return run.finish(path);
    }
    if (Files.isDirectory(path)) {
      List<Path> files;
      // links to folders are not entered (walk does not follow them); a file that is a link, broken
      // or not, is listed and then refused by read(), so it is reported, never read
      try (Stream<Path> s = Files.walk(path)) {
        files = s.filter(p -> p.toString().endsWith(".json")
            && !Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).sorted()
            .toList();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + path, e);
      }
      if (files.isEmpty()) {
        throw new DataException(path, 0, null, "no .json problem files in this directory");
      }
      for (Path f : files) {
        run.singleObjectFile(f, FieldMapping.math(), path);
      }
    } else {
      run.file(path, FieldMapping.math());
    }
    return run.finish(path);
  }

  /** GSM8K JSON Lines, or Parquet with {@code question} and {@code answer} columns as {@code openai/gsm8k} ships them. */
  public SeedSet loadGsm8k(Path path) {
    Run run = new Run("gsm8k");
    if (!run.parquet(path, FieldMapping.gsm8k())) {
      run.file(path, FieldMapping.gsm8k());
    }
    return run.finish(path);
  }

  /**
   * The command line's {@code jsonl} seed format: JSON Lines (or a JSON array) of objects with
   * {@code problem} (or {@code statement}) as text, and {@code answer} or a {@code solution} whose
   * last {@code \boxed{}} is the answer; every other scalar field becomes an attribute.
   */
  public SeedSet loadJsonl(Path path) {
    Run run = new Run(null);
    if (!run.parquet(path, null)) {
      run.file(path, null);
    }
    return run.finish(path);
  }

  /** The mapping of one {@link #loadJsonl} record: its statement field and its other scalar fields. */
  private static FieldMapping jsonlMapping(JsonNode node) {
    String problem = node.has("problem") || !node.has("statement") ? "problem" : "statement";
    List<String> attrs = new ArrayList<>();
    for (Map.Entry<String, JsonNode> f : node.properties()) {
      if (f.getValue().isValueNode() && !f.getValue().isNull()
          && !List.of("problem", "statement", "solution", "answer").contains(f.getKey())) {
        attrs.add(f.getKey());
      }
    }
    return new FieldMapping(problem, "solution", "answer", AnswerExtraction.BOXED, null, attrs);
  }

  /** Generic JSON (an array of objects), JSON Lines or Parquet (column names as fields), with a field mapping. */
  public SeedSet loadGeneric(Path path, FieldMapping mapping) {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(mapping, "mapping: give the field names of your file (FieldMapping)");
    Run run = new Run(null);
    if (!run.parquet(path, mapping)) {
      run.file(path, mapping);
    }
    return run.finish(path);
  }

  /** State of one load: problems so far, ids seen, skips and warnings. */
  private final class Run {
    private final String source;
    private final List<Problem> problems = new ArrayList<>();
    private final Map<String, String> seen = new HashMap<>();
    private final List<String> warnings = new ArrayList<>();
    private int skipped;

    Run(String source) {
      this.source = source;
    }

    /** Handles a failure: throws in strict mode, records a warning in lenient mode. */
    private void fail(DataException e) {
      if (!lenient) {
        throw e;
      }
      skipped++;
      warnings.add(e.getMessage());
      LOG.warn("skipped: {}", e.getMessage());
    }

    /**
     * Reads {@code path} as Parquet when it names Parquet input (a {@code .parquet} file, a
     * directory holding {@code .parquet} files, or a glob); returns
     * false, having read nothing, when it does not.
     */
    boolean parquet(Path path, FieldMapping mapping) {
      ParquetInputs.Selection in = ParquetInputs.select(path);
      if (in == null) {
        return false;
      }
      for (Path f : in.files()) {
        parquetFile(f, in.single() ? UntrustedFiles.Links.FOLLOW : UntrustedFiles.Links.REFUSE,
            in.origin(f), mapping);
      }
      return true;
    }

    private void parquetFile(Path file, UntrustedFiles.Links links, String origin, FieldMapping mapping) {
      ParquetSeeds.File pf;
      try {
        pf = ParquetSeeds.open(file, links);
      } catch (DataException e) {
        fail(e);
        return;
      }
      try (pf) {
        List<ParquetSeeds.Column> wanted = ParquetInputs.columns(file, pf.columns(), mapping);
        pf.read(wanted, (row, group, values) -> {
          At at = At.row(file, row, group);
          ObjectNode node = JsonNodeFactory.instance.objectNode();
          for (Map.Entry<String, Object> v : values.entrySet()) {
            Object x = v.getValue();
            if (x instanceof ParquetSeeds.BadText bad) {
              fail(at.error(v.getKey(), bad.problem()));
              return;
            }
            if (x == null) {
              node.putNull(v.getKey());
            } else if (x instanceof String t) {
              node.put(v.getKey(), t);
            } else if (x instanceof Long n) {
              node.put(v.getKey(), n);
            } else if (x instanceof Double d) {
              node.put(v.getKey(), d);
            } else {
              node.put(v.getKey(), (Boolean) x);
            }
          }
          record(at, node, mapping, origin);
        });
      } catch (DataException e) {
        // a file-level fault (a column missing or of the wrong type, a damaged page): the rest of the
        // file is skipped in lenient mode
        fail(e);
      }
    }

    void file(Path file, FieldMapping mapping) {
      long size;
      try {
        // only a regular file (a FIFO or /dev/zero is refused before opening), bounded in size
        size = UntrustedFiles.requireRegularFile(file, UntrustedFiles.Links.FOLLOW, "seed file");
      } catch (DataException e) {
        fail(e);
        return;
      }
      if (size > MAX_FILE_BYTES) {
        fail(UntrustedFiles.tooLarge(file, "seed file", MAX_FILE_BYTES));
        return;
      }
      int first;
      try {
        first = firstByte(file);
      } catch (DataException e) {
        fail(e);
        return;
      }
      if (first < 0) {
        fail(new DataException(file, 0, null, "the file is empty"));
      } else if (first == '[') {
        if (size > MAX_ARRAY_BYTES) {
          fail(new DataException(file, 0, null, "a JSON array seed file may hold at most " + MAX_ARRAY_BYTES
              + " bytes (256 MiB), as it is read as one text; this one has " + size
              + ": write it as JSON Lines (one object per line), which may be up to 1 GiB"));
          return;
        }
        byte[] bytes = read(file, MAX_ARRAY_BYTES, UntrustedFiles.Links.FOLLOW);
        if (bytes != null) {
          jsonArray(file, bytes, mapping);
        }
      } else {
        jsonLines(file, mapping);
      }
    }

    /**
     * The first byte of the file after its byte-order mark that is not white space, or -1 when there
     * is none; only as much of the file is read as it takes to find it.
     */
    private int firstByte(Path file) {
      try (InputStream in = UntrustedFiles.open(file, UntrustedFiles.Links.FOLLOW, "seed file")) {
        return BoundedLines.firstByte(in);
      } catch (IOException e) {
        throw new DataException(file, 0, null, "cannot read the seed file: " + IoMessages.describe(e), e);
      }
    }

    private byte[] read(Path file, long maxBytes, UntrustedFiles.Links links) {
      byte[] bytes;
      try {
        // only a regular file (a FIFO or /dev/zero is refused before opening), bounded in size
        bytes = UntrustedFiles.readAllBytes(file, maxBytes, links, "seed file");
      } catch (DataException e) {
        // unreadable (permissions, a directory, a link, a FIFO, too large): lenient mode skips it
        fail(e);
        return null;
      }
      int start = bomLength(bytes);
      boolean blank = true;
      for (int i = start; i < bytes.length && blank; i++) {
        blank = Character.isWhitespace(bytes[i]);
      }
      if (blank) {
        fail(new DataException(file, 0, null, "the file is empty"));
        return null;
      }
      return bytes;
    }

    /**
     * JSON Lines, streamed: one line in memory at a time (at most {@link #MAX_RECORD_BYTES}; a longer
     * line is skipped to its end without being held, and reported).
     */
    private void jsonLines(Path file, FieldMapping mapping) {
      InputStream in;
      try {
        in = UntrustedFiles.open(file, UntrustedFiles.Links.FOLLOW, "seed file");
      } catch (DataException e) {
        fail(e); // it changed since it was checked
        return;
      }
      try (BoundedLines lines = new BoundedLines(in, MAX_RECORD_BYTES)) {
        while (lines.next()) {
          long line = lines.number();
          if (lines.tooLong()) {
            fail(new DataException(file, line, null, "the line is " + lines.length() + " bytes long; a seed "
                + "record may have at most " + MAX_RECORD_BYTES + " bytes (64 MiB)"));
            continue;
          }
          String text;
          try {
            text = decode(lines.buffer(), lines.start(), (int) lines.length(), file, line);
          } catch (DataException e) {
            fail(e);
            continue;
          }
          if (text.isBlank()) {
            continue;
          }
          JsonNode node;
          try {
            node = StrictJson.mapper().readTree(text);
          } catch (JsonProcessingException e) {
            // also two objects on one line, trailing text, or a key given twice
            fail(StrictJson.error(file, line, "not valid JSON", e));
            continue;
          }
          record(At.line(file, line), node, mapping, file.getFileName().toString());
        }
      } catch (IOException e) {
        throw new DataException(file, 0, null, "cannot read the seed file: " + IoMessages.describe(e), e);
      }
    }

    /** The whole file as text without its byte-order mark; null (after {@link #fail}) if not UTF-8. */
    private String decodeWhole(byte[] bytes, Path file) {
      try {
        return decode(bytes, bomLength(bytes), bytes.length - bomLength(bytes), file, 0);
      } catch (DataException e) {
        fail(e);
        return null;
      }
    }

    private void jsonArray(Path file, byte[] bytes, FieldMapping mapping) {
      String text = decodeWhole(bytes, file);
      if (text == null) {
        return;
      }
      try (JsonParser p = StrictJson.mapper().getFactory().createParser(text)) {
        p.nextToken();
        while (true) {
          JsonToken t = p.nextToken();
          if (t == null) {
            throw new DataException(file, p.currentLocation().getLineNr(), null,
                "not valid JSON: the array is not closed with ']'");
          }
          if (t == JsonToken.END_ARRAY) {
            if (p.nextToken() != null) {
              throw new DataException(file, p.currentTokenLocation().getLineNr(), null,
                  "not valid JSON: text after the closing ']' of the array (column "
                      + p.currentTokenLocation().getColumnNr() + ")");
            }
            break;
          }
          long line = p.currentTokenLocation().getLineNr();
          JsonNode node = StrictJson.mapper().reader()
              .without(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(p);
          record(At.line(file, line), node, mapping, file.getFileName().toString());
        }
      } catch (JsonProcessingException e) {
        JsonLocation loc = e.getLocation();
        // a broken array cannot be resynchronised: this is fatal even in lenient mode
        throw StrictJson.error(file, "not valid JSON", e);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
    }

    void singleObjectFile(Path file, FieldMapping mapping, Path root) {
      // a file found inside the directory: never through a link (it could point outside)
      byte[] bytes = read(file, MAX_RECORD_BYTES, UntrustedFiles.Links.REFUSE);
      if (bytes == null) {
        return;
      }
      String text = decodeWhole(bytes, file);
      if (text == null) {
        return;
      }
      JsonNode node;
      try {
        node = StrictJson.mapper().readTree(text);
      } catch (JsonProcessingException e) {
        fail(StrictJson.error(file, "not valid JSON", e));
        return;
      }
      record(At.line(file, 0), node, mapping, root.relativize(file).toString().replace('\\', '/'));
    }

    private void record(At at, JsonNode node, FieldMapping mapping, String origin) {
      if (!node.isObject()) {
        fail(at.error(null, "expected a JSON object, found " + node.getNodeType()));
        return;
      }
      if (mapping == null && !node.hasNonNull("problem") && !node.hasNonNull("statement")) {
        fail(at.error("problem", "is missing (or give 'statement')"));
        return;
      }
      FieldMapping m = mapping != null ? mapping : jsonlMapping(node);
      try {
        Problem p = toProblem(at, node, m, origin);
        String where = at.place();
        String first = seen.putIfAbsent(p.id(), where);
        if (first != null) {
          throw at.error(m.problem(),
              "duplicate problem: the same statement (after normalisation) is at " + first);
        }
        problems.add(p);
      } catch (DataException e) {
        fail(e);
      }
    }

    private Problem toProblem(At at, JsonNode node, FieldMapping m, String origin) {
      JsonNode st = node.get(m.problem());
      if (st != null && !st.isNull() && !st.isTextual()) {
        throw at.error(m.problem(), "expected text, found " + st.getNodeType()
            + " (" + abbreviate(st.toString()) + ")");
      }
      String statement = text(at, node, m.problem(), true);
      String solution = m.solution() == null ? "" : text(at, node, m.solution(),
          m.answer() == null);
      String answer = m.answer() == null ? null : text(at, node, m.answer(), false);
      if (answer == null || answer.isBlank()) {
        if (m.extraction() == AnswerExtraction.NONE || solution == null) {
          throw at.error(m.answer() == null ? m.solution() : m.answer(),
              "the answer is missing");
        }
        Optional<String> a = m.extraction().extract(solution);
        if (a.isEmpty()) {
          throw at.error(m.solution(), m.extraction() == AnswerExtraction.BOXED
              ? "no \\boxed{...} answer found in the solution"
              : "no '#### <answer>' line found in the solution");
        }
        answer = a.get();
      }
      if (m.extraction() == AnswerExtraction.GSM8K && solution != null) {
        int mark = solution.lastIndexOf("####");
        solution = CALCULATOR.matcher(mark >= 0 ? solution.substring(0, mark) : solution).replaceAll("")
            .strip();
      }
      Map<String, String> attrs = new TreeMap<>();
      for (String f : m.attributes()) {
        JsonNode v = node.get(f);
        if (v != null && !v.isNull()) {
          attrs.put(f, v.isValueNode() ? v.asText() : v.toString());
        }
      }
      if (source != null) {
        attrs.put("source", source);
      }
      attrs.put("origin", origin + at.suffix());
      String id = m.id() == null ? null : text(at, node, m.id(), true);
      return new Problem(id, statement, solution == null ? "" : solution, answer, Lineage.seed(), attrs);
    }

    private String text(At at, JsonNode node, String field, boolean required) {
      JsonNode v = node.get(field);
      if (v == null || v.isNull()) {
        if (required) {
          throw at.error(field, "is missing");
        }
        return null;
      }
      if (v.isTextual()) {
        String s = v.textValue();
        if (required && s.isBlank()) {
          throw at.error(field, "is empty");
        }
        return s;
      }
      if (v.isNumber() || v.isBoolean()) {
        return v.asText();
      }
      throw at.error(field, "expected text, found " + v.getNodeType());
    }

    SeedSet finish(Path path) {
      if (problems.isEmpty()) {
        throw new DataException(path, 0, null, "no seed problem could be loaded"
            + (skipped > 0 ? " (" + skipped + " skipped: " + warnings.get(0) + ")" : ""));
      }
      return new SeedSet(problems, skipped, warnings);
    }
  }

  /**
   * Where a record is: a line of a JSON file (0 when the file is one record), or a row of a Parquet
   * file (its index from 0, as {@code datasets} and pandas count, and its row group's).
   */
  private record At(Path file, long line, long row, int group) {
    static At line(Path file, long line) {
      return new At(file, line, -1, -1);
    }

    static At row(Path file, long row, int group) {
      return new At(file, 0, row, group);
    }

    DataException error(String field, String problem) {
      return row < 0 ? new DataException(file, line, field, problem)
          : new DataException(file, "row " + row + " (row group " + group + ")", field, problem);
    }

    /** The place, for a message: {@code file:line} or {@code file, row N}. */
    String place() {
      return row >= 0 ? file + ", row " + row : file + (line > 0 ? ":" + line : "");
    }

    /** What follows the file's name in the {@code origin} attribute: {@code :line} or {@code #row}. */
    String suffix() {
      return row >= 0 ? "#" + row : line > 0 ? ":" + line : "";
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }

  private static int bomLength(byte[] b) {
    return b.length >= 3 && (b[0] & 0xff) == 0xEF && (b[1] & 0xff) == 0xBB && (b[2] & 0xff) == 0xBF
        ? 3 : 0;
  }

  /**
   * A whole file's bytes as text: strict UTF-8, a leading byte-order mark dropped. Malformed bytes
   * (Latin-1, UTF-16) are a {@link DataException} naming the line and column.
   */
  public static String decodeUtf8(byte[] bytes, Path file) {
    int bom = bomLength(bytes);
    return decode(bytes, bom, bytes.length - bom, file, 0);
  }

  /**
   * Decodes UTF-8 strictly. On malformed input the error names the line (counted from
   * {@code firstLine}, or from the bytes themselves when the range spans lines) and byte column.
   */
  static String decode(byte[] bytes, int off, int len, Path file, long firstLine) {
    CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes, off, len);
    CharBuffer out = CharBuffer.allocate(len);
    CoderResult r = dec.decode(in, out, true);
    if (!r.isError()) {
      r = dec.flush(out);
    }
    if (r.isError()) {
      int bad = in.position();
      long line = firstLine > 0 ? firstLine : 1;
      int lineStart = off;
      if (firstLine <= 0) {
        for (int i = off; i < bad; i++) {
          if (bytes[i] == '\n') {
            line++;
            lineStart = i + 1;
          }
        }
      }
      throw new DataException(file, line, null, String.format(
          "malformed UTF-8 (byte 0x%02X at column %d): the file must be UTF-8; re-encode it, for "
              + "example with iconv -f latin1 -t utf-8", bad < bytes.length ? bytes[bad] & 0xff : 0, bad - lineStart + 1));
    }
    out.flip();
    return out.toString();
  }
}
