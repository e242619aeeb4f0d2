package dev.sparq.core.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparq.core.internal.AtomicFiles;
import dev.sparq.core.internal.Json;
import dev.sparq.core.internal.StrictJson;
import dev.sparq.core.internal.UntrustedFiles;
import dev.sparq.core.DataException;
import dev.sparq.core.SparqException;
import dev.sparq.core.archive.ArchiveJson;
import dev.sparq.core.archive.CellArchive;
import dev.sparq.core.engine.EngineState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A snapshot of a run: the engine state (seed and totals; randomness is derived from seed and
 * iteration, so there is no generator state), the archive, the candidate log position and named
 * component state ({@link dev.sparq.core.state.Stateful} components and {@link CheckpointSlot}s). Written atomically: to a temporary file that is forced
 * to disk and then renamed over the previous checkpoint, so a crash leaves either the old or the new
 * checkpoint, never a mix.
 *
 * @param state engine state
 * @param log where the candidate log stood (it is truncated back to this on resume)
 * @param archive the archive when it is a {@link CellArchive} (stored in field {@code archive}); null
 *     when the run's archive is another class, whose state is then one of the {@code slots} (it
 *     implements {@link dev.sparq.core.state.Stateful})
 * @param slots component state by slot name
 * @param settings the engine settings a resumed run must share with this one
 *     ({@link dev.sparq.core.engine.SparqConfig#resumeSettings()}; stored in field {@code settings});
 *     empty in checkpoints written before they were recorded, which are then not checked
 */
public record Checkpoint(EngineState state, LogPosition log, CellArchive archive,
    Map<String, JsonNode> slots, Map<String, String> settings) {
  /** Format tag of checkpoint files. */
  public static final String FORMAT = "sparq-checkpoint";

  /** Version of the checkpoint layout. */
  public static final int VERSION = 1;

  public Checkpoint {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(log, "log");
    slots = Map.copyOf(new TreeMap<>(slots));
    settings = settings == null ? Map.of()
        : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(settings));
  }

  /** A checkpoint without recorded settings (a resume from it is not checked against them). */
  public Checkpoint(EngineState state, LogPosition log, CellArchive archive,
      Map<String, JsonNode> slots) {
    this(state, log, archive, slots, Map.of());
  }

  /**
   * The checkpoint as one JSON document: what {@link #writeTo} streams, as a tree (for tools and
   * tests; a run writes its checkpoints with {@link #write}, which never builds the tree).
   */
  public ObjectNode toJson() {
    ObjectMapper m = Json.mapper();
    try (com.fasterxml.jackson.databind.util.TokenBuffer buf =
        new com.fasterxml.jackson.databind.util.TokenBuffer(m, false)) {
      writeTo(buf, m);
      return m.readTree(buf.asParser());
    } catch (IOException e) {
      throw new SparqException("cannot serialise the checkpoint", e);
    }
  }

  /** Parses a checkpoint document. */
  public static Checkpoint fromJson(JsonNode root, Path source) {
    return fromJson(root, source, false, null, null);
  }

  /**
   * Parses a checkpoint document; when {@code streamed}, its archive was already read (to
   * {@code streamedArchive}, null when the document had none) and {@code root} holds the rest;
   * {@code streamedState}, when not null, is field {@code state}, already bound from the stream.
   */
  private static Checkpoint fromJson(JsonNode root, Path source, boolean streamed,
      CellArchive streamedArchive, EngineState streamedState) {
    ObjectMapper m = Json.mapper();
    if (!FORMAT.equals(root.path("format").asText())) {
      throw new SparqException(source + ": not a SPARQ checkpoint (field 'format' is "
          + root.path("format") + ")");
    }
    if (root.path("version").asInt() != VERSION) {
      throw new SparqException(source + ": checkpoint version " + root.path("version")
          + " is not supported (expected " + VERSION + ")");
    }
    for (String f : new String[] {"state", "log"}) {
      if (!root.hasNonNull(f) && !(f.equals("state") && streamedState != null)) {
        throw new SparqException(source + ": field '" + f + "' is missing");
      }
    }
    if (!streamed) {
      checkShape(root.get("archive"), source);
    }
    try {
      EngineState state = streamedState != null ? streamedState
          : bind(m, root, "state", EngineState.class, source);
      LogPosition log = bind(m, root, "log", LogPosition.class, source);
      checkCounts(state, log, source);
      CellArchive archive = streamed ? streamedArchive
          : root.hasNonNull("archive") ? archive(m, root.get("archive"), source) : null;
      Map<String, JsonNode> slots = new TreeMap<>();
      root.path("slots").properties().forEach(e -> slots.put(e.getKey(), e.getValue()));
      Map<String, String> settings = new java.util.LinkedHashMap<>();
      JsonNode set = root.path("settings");
      if (!set.isMissingNode() && !set.isObject()) {
        throw new DataException(source, 0, "settings", "must be an object of text values");
      }
      set.properties().forEach(e -> settings.put(e.getKey(), e.getValue().asText()));
      return new Checkpoint(state, log, archive, slots, settings);
    } catch (IOException e) {
      throw new SparqException(source + ": malformed checkpoint: " + e.getMessage(), e);
    }
  }

  /** Binds the value at the parser as field {@code name}; an error names the file and the field's path. */
  private static <T> T bind(ObjectMapper m, com.fasterxml.jackson.core.JsonParser p, String name,
      Class<T> type, Path source) throws IOException {
    try {
      return m.readValue(p, type);
    } catch (com.fasterxml.jackson.databind.DatabindException e) {
      throw StrictJson.bindingError(source, name, e);
    }
  }

  /** Binds field {@code name} of the document; an error names the file and the field's path. */
  private static <T> T bind(ObjectMapper m, JsonNode root, String name, Class<T> type, Path source)
      throws IOException {
    try {
      return m.treeToValue(root.get(name), type);
    } catch (com.fasterxml.jackson.databind.DatabindException e) {
      throw StrictJson.bindingError(source, name, e);
    }
  }

  /**
   * The archive of the document; an error names the file and the field's path
   * ({@code archive.members[1].elite.difficulty}), or field {@code archive} when the document is
   * well-formed but inconsistent.
   */
  private static CellArchive archive(ObjectMapper m, JsonNode archive, Path source) throws IOException {
    try {
      return ArchiveJson.fromJson(m.writeValueAsString(archive));
    } catch (SparqException e) {
      if (e.getCause() instanceof com.fasterxml.jackson.databind.DatabindException d) {
        throw StrictJson.bindingError(source, "archive", d);
      }
      String msg = e.getMessage().replaceFirst("^(not a valid archive document|archive document): ", "");
      throw new DataException(source, 0, "archive", msg, e);
    }
  }

  /**
   * Refuses negative counts and log positions before anything acts on them: resuming truncates the
   * candidate log to {@code log.offset} and deletes the shards after {@code log.shard}, so an
   * edited {@code -1} there would delete every shard, and a negative offset failed deep in the
   * file-system code.
   */
  private static void checkCounts(EngineState state, LogPosition log, Path source) {
    nonNegative(source, "log.shard", log.shard());
    nonNegative(source, "log.offset", log.offset());
    nonNegative(source, "log.shardRecords", log.shardRecords());
    nonNegative(source, "log.records", log.records());
    if (log.shardRecords() > log.records()) {
      throw new DataException(source, 0, "log.shardRecords", "is " + log.shardRecords()
          + ", more than the whole log's records (log.records = " + log.records() + ")");
    }
    dev.sparq.core.engine.RunStats t = state.totals();
    nonNegative(source, "state.totals.iterations", t.iterations());
    nonNegative(source, "state.totals.candidates", t.candidates());
    nonNegative(source, "state.totals.generated", t.generated());
    nonNegative(source, "state.totals.evaluated", t.evaluated());
    nonNegative(source, "state.totals.rollouts", t.rollouts());
    nonNegative(source, "state.totals.added", t.added());
    nonNegative(source, "state.totals.duplicates", t.duplicates());
    nonNegative(source, "state.totals.tokens", t.tokens());
    t.statusCounts().forEach((k, v) -> nonNegative(source, "state.totals.statusCounts." + k, v));
    t.rejections().forEach((k, v) -> nonNegative(source, "state.totals.rejections." + k, v));
    nonNegative(source, "state.stalled", state.stalled());
  }

  private static void nonNegative(Path source, String field, long value) {
    if (value < 0) {
      throw new DataException(source, 0, field, "must be a whole number >= 0, is " + value
          + "; a checkpoint written by sparq never holds that, so the file was edited or damaged");
    }
  }

  /**
   * The most cells a checkpointed grid may describe (16 Mi). The archive allocates one slot per
   * cell, so a few edited bytes in {@code bins} must not make a reader allocate gigabytes.
   */
  public static final long MAX_GRID_CELLS = 1L << 24;

  /** Refuses archive shapes whose size is out of proportion to the file, naming the field. */
  private static void checkShape(JsonNode archive, Path source) {
    if (archive == null || archive.isNull()) {
      return; // a custom archive keeps its state in a slot of its own (Stateful)
    }
    JsonNode t = archive.path("tessellation");
    if (!"grid".equals(t.path("type").asText())) {
      return;
    }
    JsonNode bins = t.get("bins");
    String field = "archive.tessellation.bins";
    if (bins == null || !bins.isArray() || bins.isEmpty()) {
      throw new DataException(source, 0, field, "must be a non-empty list of whole numbers >= 1");
    }
    long cells = 1;
    for (JsonNode b : bins) {
      if (!b.isIntegralNumber() || !b.canConvertToInt() || b.intValue() < 1) {
        throw new DataException(source, 0, field, "must hold whole numbers >= 1, has " + b);
      }
      cells *= b.intValue();
      if (cells > MAX_GRID_CELLS) {
        throw new DataException(source, 0, field, "describes more than " + MAX_GRID_CELLS + " cells ("
            + bins + "); a checkpoint written by sparq never does, so the file was edited or damaged");
      }
    }
  }

  /**
   * Writes atomically: temporary file (created exclusively, never through a symbolic link), fsync,
   * rename over {@code file}, fsync of the directory ({@link AtomicFiles}).
   */
  public void write(Path file) {
    write(file, MAX_BYTES);
  }

  /**
   * Writes atomically, refusing (before the file is renamed into place, so the previous checkpoint
   * stays) a document longer than {@code maxBytes}, the most that {@link #read} accepts: a run must
   * never leave a checkpoint that its own resume, report and export would refuse.
   */
  void write(Path file, long maxBytes) {
    try {
      AtomicFiles.write(file, out -> writeTo(new java.io.FilterOutputStream(out) {
        private long written;

        @Override
        public void write(int b) throws IOException {
          count(1);
          out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          count(len);
          out.write(b, off, len);
        }

        private void count(long n) {
          if ((written += n) > maxBytes) {
            throw new SparqException("cannot write checkpoint " + file + ": it would be larger than "
                + maxBytes + " bytes (Checkpoint.MAX_BYTES), the most a checkpoint is read back; "
                + "the previous checkpoint is kept. Its size is the archive (state.evaluated is a "
                + "few tens of bytes per candidate); a smaller archive (fewer niches or a lower "
                + "niche capacity) or shorter problem texts keep it under the limit");
          }
        }
      }));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write checkpoint " + file, e);
    }
  }

  /**
   * Streams the document to {@code out} (which is not closed) without building it in memory first
   * ({@link #toJson()} is the same document as a tree). A checkpoint of a run at the
   * paper's scale holds tens of thousands of elites with their texts and every evaluated id (100 to
   * 300 MB); as a tree, plus the archive's text that the tree was parsed from, plus the bytes, it
   * needed several times that much heap at every checkpoint, where streaming needs a buffer.
   */
  public void writeTo(java.io.OutputStream out) throws IOException {
    ObjectMapper m = Json.mapper();
    java.io.OutputStream buffered = new java.io.BufferedOutputStream(
        dev.sparq.core.internal.Streams.nonClosing(out), 1 << 16);
    try (com.fasterxml.jackson.core.JsonGenerator g = m.getFactory().createGenerator(buffered)) {
      writeTo(g, m);
    } // closing the generator flushes it and the buffer; out itself stays open
  }

  /** Writes the document to {@code g}: the one serialisation of a checkpoint. */
  private void writeTo(com.fasterxml.jackson.core.JsonGenerator g, ObjectMapper m) throws IOException {
    g.writeStartObject();
    g.writeStringField("format", FORMAT);
    g.writeNumberField("version", VERSION);
    g.writeFieldName("state");
    m.writeValue(g, state);
    g.writeFieldName("log");
    m.writeValue(g, log);
    g.writeObjectFieldStart("slots");
    for (Map.Entry<String, JsonNode> e : new TreeMap<>(slots).entrySet()) {
      g.writeFieldName(e.getKey());
      m.writeTree(g, e.getValue());
    }
    g.writeEndObject();
    if (!settings.isEmpty()) {
      g.writeObjectFieldStart("settings");
      for (Map.Entry<String, String> e : settings.entrySet()) {
        g.writeStringField(e.getKey(), e.getValue());
      }
      g.writeEndObject();
    }
    if (archive != null) {
      g.writeFieldName("archive");
      ArchiveJson.write(archive, g);
    }
    g.writeEndObject();
  }

  /**
   * The largest checkpoint read and written (1 GiB). A checkpoint holds the archive's elites,
   * component state and the evaluated problem ids (about 28 bytes per candidate, so 20 million
   * candidates take about 560 MB); the grid itself is bounded by 2^24 cells. A larger file is
   * refused before it is read, and {@link #write} refuses to write one. The reader streams the
   * archive and the evaluated ids, so what it holds in memory is in proportion to the content.
   */
  public static final long MAX_BYTES = 1L << 30;

  /**
   * Reads a checkpoint file. A run directory may come from someone else, so the file must be a
   * regular file of at most {@link #MAX_BYTES}: a symbolic link (which could lead to a file outside
   * the directory), a FIFO or a device is refused before it is opened, with a {@link
   * dev.sparq.core.DataException} naming the file.
   */
  public static Checkpoint read(Path file) {
    return read(file, MAX_BYTES);
  }

  /** Reads a checkpoint of at most {@code maxBytes} ({@link #read(Path)} reads at most {@link #MAX_BYTES}). */
  static Checkpoint read(Path file, long maxBytes) {
    if (!Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      throw new SparqException("no checkpoint at " + file);
    }
    if (UntrustedFiles.requireRegularFile(file, UntrustedFiles.Links.REFUSE, "checkpoint") > maxBytes) {
      throw UntrustedFiles.tooLarge(file, "checkpoint", maxBytes);
    }
    ObjectMapper m = Json.mapper();
    try (java.io.InputStream in = new Bounded(UntrustedFiles.open(file, UntrustedFiles.Links.REFUSE,
            "checkpoint"), file, maxBytes);
        com.fasterxml.jackson.core.JsonParser p = m.getFactory().createParser(in)) {
      // streamed: the archive (nearly all of a checkpoint) is bound member by member as it is
      // parsed, the rest of the document becomes a tree as before; the file's bytes, its text and
      // a tree of the archive are never in memory at once
      if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
        return fromJson(p.currentToken() == null ? m.nullNode() : p.readValueAsTree(), file);
      }
      ObjectNode root = m.createObjectNode();
      boolean streamed = false;
      CellArchive archive = null;
      EngineState state = null;
      while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
        String name = p.currentName();
        com.fasterxml.jackson.core.JsonToken t = p.nextToken();
        if (name.equals("archive") && t == com.fasterxml.jackson.core.JsonToken.START_OBJECT
            && !streamed && FORMAT.equals(root.path("format").asText())
            && root.path("version").asInt() == VERSION) {
          // only once the document says it is a checkpoint this version reads; otherwise the
          // archive is kept as a tree and fromJson reports what is wrong, as before
          archive = streamArchive(p, file);
          streamed = true;
        } else if (name.equals("state") && t == com.fasterxml.jackson.core.JsonToken.START_OBJECT
            && state == null && FORMAT.equals(root.path("format").asText())
            && root.path("version").asInt() == VERSION) {
          // bound as it is parsed: state.evaluated holds an entry per candidate of the run
          state = bind(m, p, "state", EngineState.class, file);
        } else {
          root.set(name, p.readValueAsTree());
        }
      }
      if (streamed) {
        root.remove("archive"); // a later duplicate key is ignored, as the tree reader kept the last
      }
      if (state != null) {
        root.remove("state");
      }
      return fromJson(root, file, streamed, archive, state);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new SparqException(file + ": malformed checkpoint: " + StrictJson.problem(e), e);
    } catch (IOException e) {
      throw new SparqException(file + ": malformed checkpoint: " + e.getMessage(), e);
    }
  }

  /**
   * Reads the archive from the parser ({@link ArchiveJson#read(com.fasterxml.jackson.core.JsonParser,
   * java.util.function.Consumer)}), refusing an oversized grid before its cells are allocated; errors
   * name the file and the field as those of {@link #fromJson} do.
   */
  private static CellArchive streamArchive(com.fasterxml.jackson.core.JsonParser p, Path source)
      throws IOException {
    try {
      return ArchiveJson.read(p, head -> checkShape(head, source));
    } catch (com.fasterxml.jackson.databind.DatabindException d) {
      throw StrictJson.bindingError(source, "archive", d);
    } catch (DataException e) {
      throw e;
    } catch (SparqException e) {
      if (e.getCause() instanceof com.fasterxml.jackson.databind.DatabindException d) {
        throw StrictJson.bindingError(source, "archive", d);
      }
      String msg = e.getMessage().replaceFirst("^(not a valid archive document|archive document): ", "");
      throw new DataException(source, 0, "archive", msg, e);
    }
  }

  /** Refuses to read past the limit (a file that grew after its size was checked). */
  private static final class Bounded extends java.io.FilterInputStream {
    private final Path file;
    private final long max;
    private long read;

    Bounded(java.io.InputStream in, Path file, long max) {
      super(in);
      this.file = file;
      this.max = max;
    }

    private void count(long n) {
      if (n > 0 && (read += n) > max) {
        throw UntrustedFiles.tooLarge(file, "checkpoint", max);
      }
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      count(b < 0 ? 0 : 1);
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      count(n);
      return n;
    }
  }
}
