package dev.sparq.core.seeds;

import dev.sparq.core.DataException;
import dev.sparq.core.internal.IoMessages;
import dev.sparq.core.internal.UntrustedFiles;
import io.airlift.compress.MalformedInputException;
import io.airlift.compress.snappy.SnappyDecompressor;
import io.airlift.compress.zstd.ZstdDecompressor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.impl.ColumnReaderImpl;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.CompressionCodec;
import org.apache.parquet.format.ConvertedType;
import org.apache.parquet.format.DataPageHeader;
import org.apache.parquet.format.DataPageHeaderV2;
import org.apache.parquet.format.FieldRepetitionType;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.SchemaElement;
import org.apache.parquet.format.Util;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type.Repetition;
import org.apache.parquet.schema.Types;

/**
 * Reads the flat columns of a Parquet seed file, one row group at a time, with nothing of Hadoop:
 * the footer and page headers are decoded with parquet-format's Thrift classes, the pages with
 * parquet-column's column readers, and pages are decompressed here (SNAPPY and ZSTD with
 * aircompressor's pure-Java decoders, GZIP with {@link java.util.zip}, or none).
 *
 * <p>Every size that the file states is checked before anything is allocated: the footer, each
 * column chunk that is read (only the columns asked for are read) and each page once decompressed.
 * Memory is one row group's chunks of the columns asked for plus one decompressed page per column.
 */
final class ParquetSeeds {
  /** The largest footer (file metadata) read: 16 MiB. */
  static final int MAX_FOOTER_BYTES = 16 << 20;
  /** The largest compressed column chunk (one column of one row group) read: 256 MiB. */
  static final long MAX_CHUNK_BYTES = 256L << 20;
  /** The largest page once decompressed, and so the largest value: as a JSON Lines record. */
  static final int MAX_PAGE_BYTES = SeedLoader.MAX_RECORD_BYTES;

  private static final byte[] MAGIC = {'P', 'A', 'R', '1'};

  private ParquetSeeds() {}

  /** What a column holds, as far as seeds care. */
  enum Kind {
    /** UTF-8 text ({@code string} or {@code large_string}, plain or dictionary-encoded). */
    TEXT,
    /** A 32- or 64-bit integer. */
    INTEGER,
    /** A 32- or 64-bit floating-point number. */
    REAL,
    /** A boolean. */
    BOOLEAN,
    /** Anything else: bytes, decimals, timestamps, lists, structs, maps. Not read. */
    OTHER
  }

  /** A top-level column: its name, its kind and, for {@link Kind#OTHER}, what it is. */
  record Column(String name, Kind kind, String type, int index, PrimitiveType primitive, boolean optional) {}

  /** The rows of a file, delivered one at a time. */
  interface RowSink {
    /**
     * One row: {@code values} maps each column asked for to a {@link String}, {@link Long},
     * {@link Double}, {@link Boolean}, {@code null}, or a {@link BadText} when the bytes of a
     * text value are not UTF-8.
     *
     * @param row the row's index in the file, from 0 (as {@code datasets} and pandas count)
     * @param group the row group's index, from 0
     */
    void row(long row, int group, Map<String, Object> values);
  }

  /** A text value whose bytes are not valid UTF-8. */
  record BadText(String problem) {}

  /** An open Parquet file: its footer decoded, its top-level columns listed. */
  static final class File implements AutoCloseable {
    private final Path path;
    private final FileChannel channel;
    private final FileMetaData meta;
    private final Map<String, Column> columns = new LinkedHashMap<>();
    private final long dataEnd;

    private File(Path path, FileChannel channel, FileMetaData meta, long dataEnd) {
      this.path = path;
      this.channel = channel;
      this.meta = meta;
      this.dataEnd = dataEnd;
      List<SchemaElement> schema = meta.getSchema();
      if (schema == null || schema.isEmpty()) {
        throw corrupt("the footer has no schema");
      }
      int children = schema.get(0).getNum_children();
      int at = 1;
      int leaf = 0;
      for (int c = 0; c < children; c++) {
        if (at >= schema.size()) {
          throw corrupt("the schema is cut short");
        }
        SchemaElement e = schema.get(at);
        int leaves = leaves(schema, at);
        int end = skip(schema, at);
        columns.put(e.getName(), column(e, leaf, leaves));
        leaf += leaves;
        at = end;
      }
    }

    /** The top-level columns, in file order. */
    Map<String, Column> columns() {
      return columns;
    }

    /** The number of rows the footer states. */
    long rows() {
      return meta.getNum_rows();
    }

    private Column column(SchemaElement e, int leaf, int leaves) {
      boolean group = e.isSetNum_children() && e.getNum_children() > 0 || !e.isSetType();
      boolean repeated = e.getRepetition_type() == FieldRepetitionType.REPEATED;
      if (group || repeated || leaves != 1) {
        return new Column(e.getName(), Kind.OTHER, group ? "a nested (list, struct or map) column"
            : "a repeated column", leaf, null, false);
      }
      boolean optional = e.getRepetition_type() != FieldRepetitionType.REQUIRED;
      Repetition rep = optional ? Repetition.OPTIONAL : Repetition.REQUIRED;
      boolean annotated = e.isSetLogicalType() || e.isSetConverted_type();
      Kind kind;
      PrimitiveTypeName type;
      String what;
      switch (e.getType()) {
        case BYTE_ARRAY -> {
          boolean text = e.isSetLogicalType() ? e.getLogicalType().isSetSTRING()
              || e.getLogicalType().isSetENUM() || e.getLogicalType().isSetJSON()
              : e.getConverted_type() == ConvertedType.UTF8 || e.getConverted_type() == ConvertedType.ENUM
                  || e.getConverted_type() == ConvertedType.JSON;
          kind = text ? Kind.TEXT : Kind.OTHER;
          type = PrimitiveTypeName.BINARY;
          what = text ? "a string column" : "a binary (bytes, not text) column";
        }
        case INT32, INT64 -> {
          boolean plain = !annotated || e.isSetLogicalType() && e.getLogicalType().isSetINTEGER()
              || !e.isSetLogicalType() && e.isSetConverted_type() && e.getConverted_type().name().matches("U?INT_.*");
          kind = plain ? Kind.INTEGER : Kind.OTHER;
          type = e.getType() == org.apache.parquet.format.Type.INT32 ? PrimitiveTypeName.INT32 : PrimitiveTypeName.INT64;
          what = plain ? "an integer (" + e.getType().name().toLowerCase(java.util.Locale.ROOT) + ") column"
              : "a " + annotation(e) + " column";
        }
        case FLOAT, DOUBLE -> {
          kind = Kind.REAL;
          type = e.getType() == org.apache.parquet.format.Type.FLOAT ? PrimitiveTypeName.FLOAT : PrimitiveTypeName.DOUBLE;
          what = "a floating-point column";
        }
        case BOOLEAN -> {
          kind = Kind.BOOLEAN;
          type = PrimitiveTypeName.BOOLEAN;
          what = "a boolean column";
        }
        default -> {
          return new Column(e.getName(), Kind.OTHER, "a " + e.getType().name().toLowerCase(java.util.Locale.ROOT)
              + " column", leaf, null, optional);
        }
      }
      if (kind == Kind.OTHER) {
        return new Column(e.getName(), kind, what, leaf, null, optional);
      }
      return new Column(e.getName(), kind, what, leaf, Types.primitive(type, rep).named(e.getName()), optional);
    }

    private static String annotation(SchemaElement e) {
      if (e.isSetLogicalType()) {
        return e.getLogicalType().getSetField().getFieldName().toLowerCase(java.util.Locale.ROOT);
      }
      return e.getConverted_type().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The index just past the subtree rooted at {@code at}. */
    private int skip(List<SchemaElement> schema, int at) {
      int n = schema.get(at).isSetNum_children() ? schema.get(at).getNum_children() : 0;
      int next = at + 1;
      for (int i = 0; i < n; i++) {
        if (next >= schema.size()) {
          throw corrupt("the schema is cut short");
        }
        next = skip(schema, next);
      }
      return next;
    }

    /** The number of leaf (primitive) columns in the subtree rooted at {@code at}. */
    private int leaves(List<SchemaElement> schema, int at) {
      int n = schema.get(at).isSetNum_children() ? schema.get(at).getNum_children() : 0;
      if (n == 0) {
        return 1;
      }
      int count = 0;
      int next = at + 1;
      for (int i = 0; i < n; i++) {
        if (next >= schema.size()) {
          throw corrupt("the schema is cut short");
        }
        count += leaves(schema, next);
        next = skip(schema, next);
      }
      return count;
    }

    /**
   * Streams the rows, with the values of {@code wanted} (columns of kind other than OTHER). A file
   * whose row groups claim more rows than it has bytes is refused before any row is read.
   */
    void read(List<Column> wanted, RowSink sink) {
      long row = 0;
      List<RowGroup> groups = meta.getRow_groups() == null ? List.of() : meta.getRow_groups();
      long claimed = 0;
      for (RowGroup group : groups) {
        claimed += Math.max(0, group.getNum_rows());
      }
      // run-length encoding can state billions of rows (nulls, one repeated value) in a few bytes;
      // a seed file has fewer rows than bytes, as a JSON Lines file has fewer lines than bytes, which
      // bounds the rows (and lenient mode's warnings) by the file's size
      if (claimed > dataEnd) {
        throw corrupt("its row groups claim " + claimed + " rows in " + dataEnd + " bytes of data; a seed "
            + "file has fewer rows than bytes");
      }
      for (int g = 0; g < groups.size(); g++) {
        RowGroup group = groups.get(g);
        long n = group.getNum_rows();
        if (n < 0) {
          throw corrupt("row group " + g + " has a negative row count");
        }
        List<ColumnReaderImpl> readers = new ArrayList<>();
        for (Column c : wanted) {
          readers.add(reader(group, g, c, n));
        }
        for (long i = 0; i < n; i++, row++) {
          Map<String, Object> values = new LinkedHashMap<>();
          for (int k = 0; k < wanted.size(); k++) {
            values.put(wanted.get(k).name(), value(readers.get(k), wanted.get(k), g));
          }
          sink.row(row, g, values);
        }
      }
    }

    private Object value(ColumnReaderImpl r, Column c, int group) {
      try {
        Object v = null;
        if (r.getCurrentDefinitionLevel() == r.getDescriptor().getMaxDefinitionLevel()) {
          v = switch (c.kind()) {
            case TEXT -> text(r.getBinary());
            case INTEGER -> c.primitive().getPrimitiveTypeName() == PrimitiveTypeName.INT32
                ? (long) r.getInteger() : r.getLong();
            case REAL -> c.primitive().getPrimitiveTypeName() == PrimitiveTypeName.FLOAT
                ? (double) r.getFloat() : r.getDouble();
            case BOOLEAN -> r.getBoolean();
            case OTHER -> throw new IllegalStateException(c.name());
          };
        }
        r.consume();
        return v;
      } catch (DataException e) {
        throw e;
      } catch (RuntimeException e) {
        // parquet-column's decoders throw their own unchecked exceptions on damaged pages
        throw corrupt("column '" + c.name() + "' of row group " + group + " cannot be decoded ("
            + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
      }
    }

    private static Object text(Binary b) {
      ByteBuffer bytes = b.toByteBuffer();
      if (bytes.remaining() > MAX_PAGE_BYTES) {
        return new BadText("the value is " + bytes.remaining() + " bytes long; a seed value may have at most "
            + MAX_PAGE_BYTES + " bytes (64 MiB)");
      }
      try {
        CharBuffer chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes);
        return chars.toString();
      } catch (CharacterCodingException e) {
        return new BadText("malformed UTF-8 in a string column");
      }
    }

    private ColumnReaderImpl reader(RowGroup group, int g, Column c, long rows) {
      if (group.getColumns() == null || c.index() >= group.getColumns().size()) {
        throw corrupt("row group " + g + " lacks the chunk of column '" + c.name() + "'");
      }
      ColumnChunk chunk = group.getColumns().get(c.index());
      ColumnMetaData cm = chunk.getMeta_data();
      if (cm == null) {
        throw corrupt("column '" + c.name() + "' of row group " + g + " has no metadata (encrypted or "
            + "in another file; neither is supported)");
      }
      if (chunk.isSetFile_path()) {
        throw corrupt("column '" + c.name() + "' of row group " + g + " is in another file ("
            + chunk.getFile_path() + "); a seed file must hold its own data");
      }
      if (cm.getNum_values() != rows) {
        throw corrupt("column '" + c.name() + "' of row group " + g + " has " + cm.getNum_values()
            + " values for " + rows + " rows");
      }
      long start = cm.getData_page_offset();
      if (cm.isSetDictionary_page_offset() && cm.getDictionary_page_offset() > 0
          && cm.getDictionary_page_offset() < start) {
        start = cm.getDictionary_page_offset();
      }
      long length = cm.getTotal_compressed_size();
      if (length > MAX_CHUNK_BYTES) {
        throw new DataException(path, 0, null, "column '" + c.name() + "' of row group " + g + " is "
            + length + " bytes compressed; a seed file's column chunk may have at most " + MAX_CHUNK_BYTES
            + " bytes (256 MiB): write the file with smaller row groups (pyarrow: row_group_size)");
      }
      if (start < MAGIC.length || length < 0 || start + length > dataEnd) {
        throw corrupt("column '" + c.name() + "' of row group " + g + " lies outside the file's data "
            + "(bytes " + start + " to " + (start + length) + " of " + dataEnd + ")");
      }
      byte[] bytes = new byte[(int) length];
      readFully(ByteBuffer.wrap(bytes), start);
      ColumnDescriptor d = new ColumnDescriptor(new String[] {c.name()}, c.primitive(), 0, c.optional() ? 1 : 0);
      Pages pages = new Pages(this, c, g, cm.getCodec(), bytes, rows);
      return new ColumnReaderImpl(d, pages, new PrimitiveConverter() {}, null);
    }

    private void readFully(ByteBuffer into, long position) {
      try {
        long at = position;
        while (into.hasRemaining()) {
          int n = channel.read(into, at);
          if (n < 0) {
            throw corrupt("the file ends before byte " + (position + into.capacity()));
          }
          at += n;
        }
      } catch (IOException e) {
        throw new DataException(path, 0, null, "cannot read the seed file: " + IoMessages.describe(e), e);
      }
    }

    DataException corrupt(String problem) {
      return corrupt(problem, null);
    }

    DataException corrupt(String problem, Throwable cause) {
      return new DataException(path, 0, null, "not a readable Parquet file: " + problem, cause);
    }

    @Override
    public void close() {
      try {
        channel.close();
      } catch (IOException e) {
        // read-only: nothing to lose
      }
    }
  }

  /**
   * Opens a Parquet file and decodes its footer.
   *
   * @param links whether the path may be a symbolic link (the path given) or not (a file found in a
   *     directory)
   */
  static File open(Path path, UntrustedFiles.Links links) {
    long size = UntrustedFiles.requireRegularFile(path, links, "seed file");
    if (size > SeedLoader.MAX_FILE_BYTES) {
      throw UntrustedFiles.tooLarge(path, "seed file", SeedLoader.MAX_FILE_BYTES);
    }
    FileChannel channel;
    try {
      OpenOption[] options = links == UntrustedFiles.Links.REFUSE
          ? new OpenOption[] {StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS}
          : new OpenOption[] {StandardOpenOption.READ};
      channel = FileChannel.open(path, options);
    } catch (IOException e) {
      throw new DataException(path, 0, null, "cannot read the seed file: " + IoMessages.describe(e), e);
    }
    try {
      size = size(channel, path);
      if (size > SeedLoader.MAX_FILE_BYTES) {
        throw UntrustedFiles.tooLarge(path, "seed file", SeedLoader.MAX_FILE_BYTES);
      }
      if (size < 12) {
        throw new DataException(path, 0, null, "not a readable Parquet file: it has only " + size
            + " bytes (truncated?)");
      }
      ByteBuffer head = ByteBuffer.allocate(4);
      ByteBuffer tail = ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      readAt(channel, head, 0, path);
      readAt(channel, tail, size - 8, path);
      if (!java.util.Arrays.equals(head.array(), MAGIC)) {
        throw new DataException(path, 0, null, "not a Parquet file: it does not start with 'PAR1'");
      }
      byte[] end = java.util.Arrays.copyOfRange(tail.array(), 4, 8);
      if (java.util.Arrays.equals(end, new byte[] {'P', 'A', 'R', 'E'})) {
        throw new DataException(path, 0, null, "the Parquet file is encrypted; encrypted files are not supported");
      }
      if (!java.util.Arrays.equals(end, MAGIC)) {
        throw new DataException(path, 0, null, "not a readable Parquet file: it does not end with 'PAR1' "
            + "(truncated, or still being written?)");
      }
      long footer = tail.getInt(0) & 0xffffffffL;
      if (footer > MAX_FOOTER_BYTES) {
        throw new DataException(path, 0, null, "the Parquet footer is " + footer + " bytes; a seed file's "
            + "footer may have at most " + MAX_FOOTER_BYTES + " bytes (16 MiB)");
      }
      long footerStart = size - 8 - footer;
      if (footer == 0 || footerStart < MAGIC.length) {
        throw new DataException(path, 0, null, "not a readable Parquet file: its footer length (" + footer
            + ") does not fit the file's " + size + " bytes (truncated?)");
      }
      ByteBuffer bytes = ByteBuffer.allocate((int) footer);
      readAt(channel, bytes, footerStart, path);
      FileMetaData meta;
      try {
        meta = Util.readFileMetaData(new ByteArrayInputStream(bytes.array()));
      } catch (IOException | RuntimeException e) {
        throw new DataException(path, 0, null, "not a readable Parquet file: its footer cannot be decoded ("
            + e.getMessage() + ")", e);
      }
      return new File(path, channel, meta, footerStart);
    } catch (RuntimeException e) {
      try {
        channel.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  private static long size(FileChannel channel, Path path) {
    try {
      return channel.size();
    } catch (IOException e) {
      throw new DataException(path, 0, null, "cannot read the seed file: " + IoMessages.describe(e), e);
    }
  }

  private static void readAt(FileChannel channel, ByteBuffer into, long position, Path path) {
    try {
      long at = position;
      while (into.hasRemaining()) {
        int n = channel.read(into, at);
        if (n < 0) {
          throw new DataException(path, 0, null, "not a readable Parquet file: it ends early (truncated?)");
        }
        at += n;
      }
    } catch (IOException e) {
      throw new DataException(path, 0, null, "cannot read the seed file: " + IoMessages.describe(e), e);
    }
  }

  /** The pages of one column chunk, decompressed one at a time as the column reader asks. */
  private static final class Pages implements PageReader {
    private final File file;
    private final Column column;
    private final int group;
    private final CompressionCodec codec;
    private final ByteArrayInputStream in;
    private final byte[] bytes;
    private final long values;
    private PageHeader pending;

    Pages(File file, Column column, int group, CompressionCodec codec, byte[] bytes, long values) {
      this.file = file;
      this.column = column;
      this.group = group;
      this.codec = codec;
      this.bytes = bytes;
      this.in = new ByteArrayInputStream(bytes);
      this.values = values;
      requireSupported();
    }

    private void requireSupported() {
      switch (codec) {
        case UNCOMPRESSED, SNAPPY, GZIP, ZSTD -> { }
        default -> throw new DataException(file.path, 0, column.name(), "row group " + group
            + " is compressed with " + codec + ", which is not supported; seed files may use SNAPPY, ZSTD, "
            + "GZIP or no compression (pyarrow: write_table(..., compression='zstd'))");
      }
    }

    @Override
    public long getTotalValueCount() {
      return values;
    }

    private PageHeader header() {
      if (pending != null) {
        PageHeader h = pending;
        pending = null;
        return h;
      }
      if (in.available() == 0) {
        return null;
      }
      try {
        return Util.readPageHeader(in);
      } catch (IOException | RuntimeException e) {
        throw file.corrupt("a page header of column '" + column.name() + "' in row group " + group
            + " cannot be decoded (" + e.getMessage() + ")", e);
      }
    }

    @Override
    public DictionaryPage readDictionaryPage() {
      PageHeader h = header();
      if (h == null) {
        return null;
      }
      if (h.getType() != org.apache.parquet.format.PageType.DICTIONARY_PAGE) {
        pending = h;
        return null;
      }
      byte[] page = page(h);
      return new DictionaryPage(BytesInput.from(page), h.getUncompressed_page_size(),
          h.getDictionary_page_header().getNum_values(),
          encoding(h.getDictionary_page_header().getEncoding()));
    }

    @Override
    public DataPage readPage() {
      while (true) {
        PageHeader h = header();
        if (h == null) {
          return null;
        }
        switch (h.getType()) {
          case DATA_PAGE -> {
            DataPageHeader d = h.getData_page_header();
            byte[] page = page(h);
            return new DataPageV1(BytesInput.from(page), d.getNum_values(), h.getUncompressed_page_size(),
                Statistics.createStats(column.primitive()), encoding(d.getRepetition_level_encoding()),
                encoding(d.getDefinition_level_encoding()), encoding(d.getEncoding()));
          }
          case DATA_PAGE_V2 -> {
            return pageV2(h);
          }
          default -> skipPage(h); // index pages, or a second dictionary page (corrupt): not data
        }
      }
    }

    private DataPage pageV2(PageHeader h) {
      DataPageHeaderV2 d = h.getData_page_header_v2();
      int levels = d.getRepetition_levels_byte_length() + d.getDefinition_levels_byte_length();
      int compressed = h.getCompressed_page_size();
      if (d.getRepetition_levels_byte_length() < 0 || d.getDefinition_levels_byte_length() < 0
          || levels > compressed || levels > h.getUncompressed_page_size()) {
        throw file.corrupt("a page of column '" + column.name() + "' in row group " + group
            + " has level lengths that do not fit the page");
      }
      byte[] raw = raw(h);
      byte[] rep = java.util.Arrays.copyOfRange(raw, 0, d.getRepetition_levels_byte_length());
      byte[] def = java.util.Arrays.copyOfRange(raw, d.getRepetition_levels_byte_length(), levels);
      byte[] data = java.util.Arrays.copyOfRange(raw, levels, raw.length);
      int dataSize = h.getUncompressed_page_size() - levels;
      if (!d.isSetIs_compressed() || d.isIs_compressed()) {
        data = decompress(data, dataSize);
      } else if (data.length != dataSize) {
        throw file.corrupt("an uncompressed page of column '" + column.name() + "' in row group " + group
            + " has " + data.length + " bytes, not " + dataSize);
      }
      return DataPageV2.uncompressed(d.getNum_rows(), d.getNum_nulls(), d.getNum_values(),
          BytesInput.from(rep), BytesInput.from(def), encoding(d.getEncoding()), BytesInput.from(data),
          Statistics.createStats(column.primitive()));
    }

    private void skipPage(PageHeader h) {
      raw(h);
    }

    /** The page's stored bytes, checked against what is left of the chunk. */
    private byte[] raw(PageHeader h) {
      int n = h.getCompressed_page_size();
      if (n < 0 || n > in.available()) {
        throw file.corrupt("a page of column '" + column.name() + "' in row group " + group + " claims "
            + n + " bytes, more than its column chunk holds (truncated?)");
      }
      if (h.getUncompressed_page_size() < 0 || h.getUncompressed_page_size() > MAX_PAGE_BYTES) {
        throw new DataException(file.path, 0, column.name(), "a page in row group " + group + " is "
            + h.getUncompressed_page_size() + " bytes once decompressed; a seed file's page (and so one "
            + "value) may have at most " + MAX_PAGE_BYTES + " bytes (64 MiB)");
      }
      byte[] out = new byte[n];
      in.read(out, 0, n);
      return out;
    }

    /** The page's bytes, decompressed. */
    private byte[] page(PageHeader h) {
      return decompress(raw(h), h.getUncompressed_page_size());
    }

    private byte[] decompress(byte[] raw, int size) {
      if (size > MAX_PAGE_BYTES) {
        throw new DataException(file.path, 0, column.name(), "a page in row group " + group + " is " + size
            + " bytes once decompressed; at most " + MAX_PAGE_BYTES + " bytes (64 MiB) are read");
      }
      byte[] out;
      try {
        out = switch (codec) {
          case UNCOMPRESSED -> raw;
          case SNAPPY -> {
            byte[] o = new byte[size];
            int n = new SnappyDecompressor().decompress(raw, 0, raw.length, o, 0, size);
            yield n == size ? o : null;
          }
          case ZSTD -> {
            byte[] o = new byte[size];
            int n = new ZstdDecompressor().decompress(raw, 0, raw.length, o, 0, size);
            yield n == size ? o : null;
          }
          case GZIP -> gunzip(raw, size);
          default -> throw new IllegalStateException(codec.name());
        };
      } catch (MalformedInputException | IOException | IllegalArgumentException
          | IndexOutOfBoundsException e) {
        throw file.corrupt("a " + codec + " page of column '" + column.name() + "' in row group " + group
            + " cannot be decompressed (" + e.getMessage() + ")", e);
      }
      if (out == null || out.length != size) {
        throw file.corrupt("a " + codec + " page of column '" + column.name() + "' in row group " + group
            + " does not decompress to the " + size + " bytes its header states");
      }
      return out;
    }

    private static byte[] gunzip(byte[] raw, int size) throws IOException {
      try (InputStream z = new GZIPInputStream(new ByteArrayInputStream(raw))) {
        // read one byte more than stated, so a page that inflates further is caught, not kept
        byte[] out = z.readNBytes(size + 1);
        return out.length == size ? out : null;
      }
    }

    private Encoding encoding(org.apache.parquet.format.Encoding e) {
      try {
        return Encoding.valueOf(e.name());
      } catch (IllegalArgumentException | NullPointerException x) {
        throw file.corrupt("column '" + column.name() + "' in row group " + group + " uses an unknown "
            + "encoding (" + e + ")", x);
      }
    }

    @Override
    public String toString() {
      return "pages of " + column.name() + " (" + bytes.length + " bytes)";
    }
  }
}
