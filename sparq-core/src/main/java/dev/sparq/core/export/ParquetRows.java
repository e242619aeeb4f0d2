package dev.sparq.core.export;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * Writes {@link Row}s to a Parquet file with parquet-java and no Hadoop at run time: a local output
 * file, a plain configuration and a pure-Java GZIP codec. The schema is derived from a template row
 * (every field required; lists of structs in the standard three-level list layout), so a file has
 * exactly the columns of the JSON Lines rows. Memory is bounded by the row group size.
 */
final class ParquetRows implements Closeable {
  /** Row group target: the writer buffers at most about this much before flushing a group. */
  static final long ROW_GROUP_BYTES = 32L << 20;
  static final int PAGE_BYTES = 1 << 20;

  private final ParquetWriter<Row> writer;

  ParquetRows(Path file, Row template) throws IOException {
    MessageType schema = schema(template);
    this.writer = new Builder(new LocalOutputFile(file), schema)
        .withConf(new PlainParquetConfiguration())
        .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
        .withCodecFactory(new GzipCodecFactory())
        .withCompressionCodec(CompressionCodecName.GZIP)
        .withRowGroupSize(ROW_GROUP_BYTES)
        .withPageSize(PAGE_BYTES)
        .withDictionaryPageSize(PAGE_BYTES)
        .build();
  }

  void write(Row row) throws IOException {
    writer.write(row);
  }

  @Override
  public void close() throws IOException {
    writer.close();
  }

  /** The Parquet schema of rows shaped like {@code template}. */
  static MessageType schema(Row template) {
    Types.MessageTypeBuilder b = Types.buildMessage();
    for (int i = 0; i < template.size(); i++) {
      b.addField(type(template.names.get(i), template.values.get(i)));
    }
    return b.named("sparq");
  }

  private static Type type(String name, Object v) {
    if (v instanceof String) {
      return Types.required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType())
          .named(name);
    } else if (v instanceof Long) {
      return Types.required(PrimitiveTypeName.INT64).named(name);
    } else if (v instanceof Double) {
      return Types.required(PrimitiveTypeName.DOUBLE).named(name);
    } else if (v instanceof Row r) {
      return struct(name, r);
    }
    Row element = (Row) ((List<?>) v).get(0);
    return Types.requiredGroup().as(LogicalTypeAnnotation.listType())
        .addField(Types.repeatedGroup().addField(struct("element", element)).named("list"))
        .named(name);
  }

  private static GroupType struct(String name, Row r) {
    Types.GroupBuilder<GroupType> g = Types.requiredGroup();
    for (int i = 0; i < r.size(); i++) {
      g.addField(type(r.names.get(i), r.values.get(i)));
    }
    return g.named(name);
  }

  private static final class Builder extends ParquetWriter.Builder<Row, Builder> {
    private final MessageType schema;

    Builder(OutputFile file, MessageType schema) {
      super(file);
      this.schema = schema;
    }

    @Override
    protected Builder self() {
      return this;
    }

    @Override
    protected WriteSupport<Row> getWriteSupport(ParquetConfiguration conf) {
      return new RowWriteSupport(schema);
    }

    @Override
    protected WriteSupport<Row> getWriteSupport(org.apache.hadoop.conf.Configuration conf) {
      return new RowWriteSupport(schema);
    }
  }

  private static final class RowWriteSupport extends WriteSupport<Row> {
    private final MessageType schema;
    private RecordConsumer rc;

    RowWriteSupport(MessageType schema) {
      this.schema = schema;
    }

    @Override
    public WriteContext init(ParquetConfiguration conf) {
      return new WriteContext(schema, Map.of());
    }

    @Override
    public WriteContext init(org.apache.hadoop.conf.Configuration conf) {
      return new WriteContext(schema, Map.of());
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
      this.rc = recordConsumer;
    }

    @Override
    public void write(Row row) {
      rc.startMessage();
      fields(row, schema);
      rc.endMessage();
    }

    private void fields(Row row, GroupType type) {
      if (row.size() != type.getFieldCount()) {
        throw new IllegalStateException("row has fields " + row.names + ", the schema "
            + type.getFields());
      }
      for (int i = 0; i < row.size(); i++) {
        String name = row.names.get(i);
        if (!name.equals(type.getFieldName(i))) {
          throw new IllegalStateException("field " + i + " is " + name + ", the schema has "
              + type.getFieldName(i));
        }
        rc.startField(name, i);
        value(row.values.get(i), type.getType(i));
        rc.endField(name, i);
      }
    }

    private void value(Object v, Type type) {
      if (v instanceof String s) {
        rc.addBinary(Binary.fromString(s));
      } else if (v instanceof Long l) {
        rc.addLong(l);
      } else if (v instanceof Double d) {
        rc.addDouble(d);
      } else if (v instanceof Row r) {
        rc.startGroup();
        fields(r, type.asGroupType());
        rc.endGroup();
      } else {
        List<?> list = (List<?>) v;
        GroupType element = type.asGroupType().getType(0).asGroupType().getType(0).asGroupType();
        rc.startGroup();
        if (!list.isEmpty()) {
          rc.startField("list", 0);
          for (Object o : list) {
            rc.startGroup();
            rc.startField("element", 0);
            rc.startGroup();
            fields((Row) o, element);
            rc.endGroup();
            rc.endField("element", 0);
            rc.endGroup();
          }
          rc.endField("list", 0);
        }
        rc.endGroup();
      }
    }
  }

  /**
   * GZIP pages with {@link java.util.zip}: no native library and no Hadoop codec classes. Pages
   * written uncompressed need no codec at all.
   */
  static final class GzipCodecFactory implements CompressionCodecFactory {
    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
      return switch (codec) {
        case GZIP -> new BytesInputCompressor() {
          @Override
          public BytesInput compress(BytesInput bytes) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(bytes.size(), 1 << 20));
            try (GZIPOutputStream z = new FastGzip(out)) {
              bytes.writeAllTo(z);
            }
            return BytesInput.from(out.toByteArray());
          }

          @Override
          public CompressionCodecName getCodecName() {
            return CompressionCodecName.GZIP;
          }

          @Override
          public void release() {}
        };
        case UNCOMPRESSED -> new BytesInputCompressor() {
          @Override
          public BytesInput compress(BytesInput bytes) {
            return bytes;
          }

          @Override
          public CompressionCodecName getCodecName() {
            return CompressionCodecName.UNCOMPRESSED;
          }

          @Override
          public void release() {}
        };
        default -> throw new IllegalArgumentException("only GZIP and UNCOMPRESSED pages are written, "
            + "not " + codec);
      };
    }

    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
      if (codec != CompressionCodecName.GZIP && codec != CompressionCodecName.UNCOMPRESSED) {
        throw new IllegalArgumentException("only GZIP and UNCOMPRESSED pages are read, not " + codec);
      }
      boolean gzip = codec == CompressionCodecName.GZIP;
      return new BytesInputDecompressor() {
        @Override
        public BytesInput decompress(BytesInput bytes, int uncompressedSize) throws IOException {
          if (!gzip) {
            return bytes;
          }
          try (InputStream in = new GZIPInputStream(bytes.toInputStream())) {
            return BytesInput.from(in.readNBytes(uncompressedSize));
          }
        }

        @Override
        public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output,
            int uncompressedSize) throws IOException {
          byte[] in = new byte[compressedSize];
          input.get(in);
          BytesInput out = decompress(BytesInput.from(in), uncompressedSize);
          output.put(out.toByteArray());
        }

        @Override
        public void release() {}
      };
    }

    @Override
    public void release() {}
  }

  /** GZIP at level 1: pages are already dictionary/RLE encoded, the fast level loses little. */
  private static final class FastGzip extends GZIPOutputStream {
    FastGzip(ByteArrayOutputStream out) throws IOException {
      super(out, 1 << 16);
      def.setLevel(Deflater.BEST_SPEED);
    }
  }
}
