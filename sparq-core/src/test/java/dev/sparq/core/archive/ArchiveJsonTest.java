package dev.sparq.core.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparq.core.internal.Json;
import dev.sparq.core.SparqException;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Difficulty;
import dev.sparq.core.model.Elite;
import dev.sparq.core.model.Problem;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ArchiveJsonTest {

  private static Elite elite(String id, double quality, String... skills) {
    return new Elite(new Problem(id, "statement " + id, "", "", null, null),
        Difficulty.ofQuality(quality), Descriptor.ofLabels(skills), 3);
  }

  /** Two cells: "algebra" holds b (2.5) then a (1.0); "geometry" holds c (0.1). */
  private static CellArchive sample() {
    CellArchive a = CellArchive.builder().tessellation(new CategoricalTessellation())
        .capacity(2).qdOffset(-1).build();
    a.add(List.of(elite("a", 1.0, "algebra"), elite("c", 0.1, "geometry"),
        elite("b", 2.5, "algebra")));
    return a;
  }

  private static ObjectNode document() throws Exception {
    return (ObjectNode) Json.mapper().readTree(ArchiveJson.toJson(sample()));
  }

  private static String rejected(Consumer<ObjectNode> edit) throws Exception {
    ObjectNode doc = document();
    edit.accept(doc);
    String json = Json.mapper().writeValueAsString(doc);
    return assertThrows(SparqException.class, () -> ArchiveJson.fromJson(json)).getMessage();
  }

  private static ObjectNode member(ObjectNode doc, int i) {
    return (ObjectNode) doc.get("members").get(i);
  }

  @Test
  void roundTripKeepsOrderRanksKeysAndOffset() throws Exception {
    CellArchive a = sample();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ArchiveJson.write(a, out);
    CellArchive b = ArchiveJson.read(new ByteArrayInputStream(out.toByteArray()));
    assertEquals(a.members(), b.members());
    assertEquals(a.cell(0), b.cell(0));
    assertEquals(List.of("b", "a"), b.cell(0).stream().map(Elite::id).toList());
    assertEquals(a.stats(), b.stats());
    assertEquals(-1.0, b.qdOffset());
    assertEquals(1, b.cellOf(Descriptor.ofLabels("geometry")));
    assertEquals(ArchiveJson.toJson(a), out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void rejectsTextThatIsNotJson() {
    String m = assertThrows(SparqException.class, () -> ArchiveJson.fromJson("{\"format\": ")).getMessage();
    assertTrue(m.startsWith("not a valid archive document"), m);
  }

  @Test
  void rejectsAnotherFormatOrVersion() throws Exception {
    String m = rejected(d -> d.put("format", "pyribs"));
    assertTrue(m.contains("field 'format'") && m.contains("pyribs"), m);
    m = rejected(d -> d.put("version", 2));
    assertTrue(m.contains("version 2") && m.contains("not supported"), m);
  }

  @Test
  void rejectsMissingOrUnknownTessellation() throws Exception {
    String m = rejected(d -> d.remove("tessellation"));
    assertTrue(m.contains("field 'tessellation' is missing"), m);
    m = rejected(d -> ((ObjectNode) d.get("tessellation")).put("type", "hexagonal"));
    assertTrue(m.startsWith("not a valid archive document") && m.contains("hexagonal"), m);
    m = rejected(d -> d.set("tessellation", Json.mapper().createObjectNode().put("type", "grid")
        .set("bins", Json.mapper().createArrayNode().add(2))));
    assertTrue(m.contains("grid needs bins, lower and upper"), m);
  }

  @Test
  void rejectsBadCapacity() throws Exception {
    String m = rejected(d -> d.put("capacity", 0));
    assertTrue(m.contains("capacity must be >= 1"), m);
  }

  @Test
  void rejectsMembersInImpossiblePlaces() throws Exception {
    String m = rejected(d -> member(d, 0).put("cell", 7));
    assertTrue(m.contains("inconsistent") && m.contains("invalid cell 7"), m);
    m = rejected(d -> member(d, 0).put("cell", -1));
    assertTrue(m.contains("invalid cell -1"), m);
    m = rejected(d -> member(d, 0).put("rank", 2));
    assertTrue(m.contains("invalid rank 2"), m);
  }

  @Test
  void rejectsInconsistentRanks() throws Exception {
    // members in internal order: a (algebra, rank 1), c (geometry, rank 0), b (algebra, rank 0)
    String m = rejected(d -> member(d, 0).put("rank", 0));
    assertTrue(m.contains("two members at cell 0 rank 0"), m);
    m = rejected(d -> ((ArrayNode) d.get("members")).remove(2));
    assertTrue(m.contains("cell 0 has a gap at rank"), m);
    m = rejected(d -> {
      member(d, 0).put("rank", 0);
      member(d, 2).put("rank", 1);
    });
    assertTrue(m.contains("cell 0 is not sorted by quality at rank 1"), m);
  }

  @Test
  void rejectsAnOccupiedListThatDisagreesWithMembers() throws Exception {
    String m = rejected(d -> ((ArrayNode) d.get("occupied")).remove(1));
    assertTrue(m.contains("occupied list has 1 cells, archive has 2"), m);
    m = rejected(d -> ((ArrayNode) d.get("occupied")).set(1, 0));
    assertTrue(m.contains("occupied list names cell 0 twice"), m);
    m = rejected(d -> ((ArrayNode) d.get("occupied")).add(5));
    assertTrue(m.contains("occupied list names empty cell 5"), m);
  }

  @Test
  void rejectsAMemberWithoutItsElite() throws Exception {
    String m = rejected(d -> member(d, 1).remove("elite"));
    assertTrue(m.contains("members[1]: field 'elite' is missing"), m);
  }
}
