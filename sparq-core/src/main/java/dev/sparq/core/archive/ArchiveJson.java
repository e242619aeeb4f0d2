package dev.sparq.core.archive;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.sparq.core.internal.Json;
import dev.sparq.core.SparqException;
import dev.sparq.core.internal.Streams;
import dev.sparq.core.model.Elite;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes {@link CellArchive}s as JSON. The round trip is exact: the same tessellation (with
 * categorical keys in cell order), the same members in the same internal order and ranks, so a
 * restored archive samples exactly like the original for the same random generator.
 *
 * <p>Format: {@code {"format":"sparq-archive","version":1,"capacity":..,"qdOffset":..,
 * "tessellation":{"type":"grid"|"cvt"|"categorical",...},"occupied":[cells...],
 * "members":[{"cell":..,"rank":..,"elite":{...}}...]}}.
 */
public final class ArchiveJson {
  /** The format tag written into every file. */
  public static final String FORMAT = "sparq-archive";

  /** The format version this class writes. */
  public static final int VERSION = 1;

  private ArchiveJson() {}

  record Member(@JsonProperty("cell") int cell, @JsonProperty("rank") int rank,
      @JsonProperty("elite") Elite elite) {}

  record Document(
      @JsonProperty("format") String format,
      @JsonProperty("version") int version,
      @JsonProperty("capacity") int capacity,
      @JsonProperty("qdOffset") double qdOffset,
      @JsonProperty("tessellation") Tessellation tessellation,
      @JsonProperty("occupied") int[] occupied,
      @JsonProperty("members") List<Member> members) {}

  /** Writes an archive; the stream is not closed. */
  public static void write(CellArchive archive, OutputStream out) throws IOException {
    Json.mapper().writeValue(Streams.nonClosing(out), document(archive));
  }

  /**
   * Writes an archive as the next value of {@code g} (for a document that embeds it, such as a
   * checkpoint, written without building the archive's text first); the generator is not closed.
   */
  public static void write(CellArchive archive, com.fasterxml.jackson.core.JsonGenerator g)
      throws IOException {
    Json.mapper().writeValue(g, document(archive));
  }

  private static Document document(CellArchive archive) {
    synchronized (archive) {
      List<Member> members = new ArrayList<>();
      for (CellArchive.Placed p : archive.snapshot()) {
        members.add(new Member(p.cell(), p.rank(), p.elite()));
      }
      return new Document(FORMAT, VERSION, archive.capacity(), archive.qdOffset(),
          archive.tessellation(), archive.occupiedCells(), members);
    }
  }

  /** Writes an archive to a string. */
  public static String toJson(CellArchive archive) {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try {
      write(archive, bytes);
    } catch (IOException e) {
      throw new SparqException("cannot serialise archive", e);
    }
    return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Reads an archive; the stream is not closed. */
  public static CellArchive read(InputStream in) throws IOException {
    Document doc = Json.mapper().readValue(Streams.nonClosing(in), Document.class);
    return fromDocument(doc);
  }

  /**
   * Reads an archive document from {@code p}, positioned on the document's opening brace, binding
   * the members one at a time as they are parsed, so that neither the document's text nor a tree of
   * it is held in memory (a checkpoint embeds the archive: at the SPARQ paper's scale tens of
   * thousands of elites with their texts). {@code checkHead} sees the document without its
   * {@code members} (format, capacity, tessellation, occupied cells) before the archive is built and
   * its cells are allocated; it throws to refuse it.
   *
   * @throws com.fasterxml.jackson.databind.DatabindException for a value that does not bind; its path
   *     starts at the document ({@code members[3].elite.difficulty})
   * @throws SparqException for a document that is not an archive or is inconsistent
   */
  public static CellArchive read(com.fasterxml.jackson.core.JsonParser p,
      java.util.function.Consumer<com.fasterxml.jackson.databind.JsonNode> checkHead)
      throws IOException {
    com.fasterxml.jackson.databind.ObjectMapper m = Json.mapper();
    if (p.currentToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
      throw new SparqException("not a valid archive document: expected an object, found "
          + p.currentToken());
    }
    com.fasterxml.jackson.databind.node.ObjectNode head = m.createObjectNode();
    List<CellArchive.Placed> placed = null;
    while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
      String name = p.currentName();
      com.fasterxml.jackson.core.JsonToken t = p.nextToken();
      if (name.equals("members") && t == com.fasterxml.jackson.core.JsonToken.START_ARRAY) {
        placed = new ArrayList<>();
        int i = 0;
        while (p.nextToken() != com.fasterxml.jackson.core.JsonToken.END_ARRAY) {
          Member member;
          try {
            member = m.readValue(p, Member.class);
          } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
            e.prependPath(placed, i);
            e.prependPath(head, "members");
            throw e;
          }
          if (member == null || member.elite() == null) {
            throw new SparqException("archive document: members[" + i + "]: field 'elite' is missing");
          }
          placed.add(new CellArchive.Placed(member.cell(), member.rank(), member.elite()));
          i++;
        }
      } else {
        head.set(name, p.readValueAsTree());
      }
    }
    checkHead.accept(head);
    Document doc = m.treeToValue(head, Document.class);
    return fromDocument(doc, placed);
  }

  /** Reads an archive from a string. */
  public static CellArchive fromJson(String json) {
    try {
      return fromDocument(Json.mapper().readValue(json, Document.class));
    } catch (com.fasterxml.jackson.databind.DatabindException e) {
      // the field path and the value's problem, without Jackson's "Cannot construct instance of ..."
      String path = dev.sparq.core.internal.StrictJson.path(e);
      throw new SparqException("not a valid archive document: " + (path.isEmpty() ? "" : "field '" + path + "': ")
          + dev.sparq.core.internal.StrictJson.bindingProblem(e), e);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new SparqException("not a valid archive document: " + dev.sparq.core.internal.StrictJson.problem(e), e);
    } catch (IOException e) {
      throw new SparqException("not a valid archive document: " + e.getMessage(), e);
    }
  }

  private static CellArchive fromDocument(Document doc) {
    return fromDocument(doc, null);
  }

  /** The archive of {@code doc}, with {@code streamed} as its members when they were bound apart. */
  private static CellArchive fromDocument(Document doc, List<CellArchive.Placed> streamed) {
    if (!FORMAT.equals(doc.format())) {
      throw new SparqException("not a SPARQ archive: field 'format' is " + doc.format());
    }
    if (doc.version() != VERSION) {
      throw new SparqException("archive format version " + doc.version() + " is not supported (expected "
          + VERSION + ")");
    }
    if (doc.tessellation() == null) {
      throw new SparqException("archive document: field 'tessellation' is missing");
    }
    List<CellArchive.Placed> placed = streamed != null ? streamed : new ArrayList<>();
    if (streamed == null && doc.members() != null) {
      for (int i = 0; i < doc.members().size(); i++) {
        Member m = doc.members().get(i);
        if (m == null || m.elite() == null) {
          throw new SparqException("archive document: members[" + i + "]: field 'elite' is missing");
        }
        placed.add(new CellArchive.Placed(m.cell(), m.rank(), m.elite()));
      }
    }
    try {
      return CellArchive.restore(doc.tessellation(), doc.capacity(), doc.qdOffset(), placed,
          doc.occupied());
    } catch (IllegalArgumentException e) {
      throw new SparqException("archive document is inconsistent: " + e.getMessage(), e);
    }
  }
}
