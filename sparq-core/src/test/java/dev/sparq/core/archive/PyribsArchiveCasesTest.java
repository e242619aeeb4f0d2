package dev.sparq.core.archive;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparq.core.model.AddStatus;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Difficulty;
import dev.sparq.core.model.Elite;
import dev.sparq.core.model.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * Replays the archive scenarios of pyribs' own test suite (hand-transcribed into
 * {@code pyribs-archive-cases.json}, see {@code pyribs-NOTICE.txt}) against {@link CellArchive} and
 * asserts our answers equal pyribs' expected ones. Cases that record a deliberate difference assert
 * our documented answer instead and name the difference.
 */
class PyribsArchiveCasesTest {
  private static final String RESOURCE = "pyribs-archive-cases.json";
  /** Cases in the data file; a change must be deliberate (and update src-docs/archives.md). */
  private static final int EXPECTED_CASES = 50;

  private static JsonNode data() {
    try (InputStream in = PyribsArchiveCasesTest.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the test classpath");
      }
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @TestFactory
  Stream<DynamicNode> pyribsCases() {
    JsonNode root = data();
    List<DynamicNode> nodes = new ArrayList<>();
    for (JsonNode c : root.get("cases")) {
      String name = c.get("id").asText() + " (" + c.get("file").asText() + ":" + c.get("lines").get(0)
          + "-" + c.get("lines").get(1) + ")";
      List<DynamicTest> modes = new ArrayList<>();
      JsonNode modeList = c.get("modes");
      List<String> names = new ArrayList<>();
      if (modeList == null) {
        names.add("batch");
      } else {
        modeList.forEach(m -> names.add(m.asText()));
      }
      for (String mode : names) {
        modes.add(DynamicTest.dynamicTest(mode, () -> replay(root, c, mode.equals("single"))));
      }
      nodes.add(DynamicContainer.dynamicContainer(name, modes));
    }
    return nodes.stream();
  }

  @Test
  void theDataFileIsCompleteAndEveryDifferenceIsExplained() {
    JsonNode root = data();
    assertEquals(EXPECTED_CASES, root.get("cases").size(), "number of ported cases");
    Set<String> differences = new HashSet<>();
    for (JsonNode d : root.get("differences")) {
      for (String field : List.of("id", "where", "pyribs", "ours", "reason")) {
        assertTrue(d.hasNonNull(field), "difference " + d.get("id") + " lacks " + field);
      }
      differences.add(d.get("id").asText());
    }
    Set<String> ids = new HashSet<>();
    for (JsonNode c : root.get("cases")) {
      String id = c.get("id").asText();
      assertTrue(ids.add(id), "case id " + id + " is used twice");
      for (String field : List.of("file", "test", "lines", "steps")) {
        assertTrue(c.hasNonNull(field), "case " + id + " lacks " + field);
      }
      if (c.has("difference")) {
        assertTrue(differences.contains(c.get("difference").asText()),
            "case " + id + " names an unlisted difference " + c.get("difference"));
      }
    }
  }

  // ---- replay ----

  private static void replay(JsonNode root, JsonNode c, boolean single) {
    CellArchive archive = c.has("archive") ? newArchive(root, c) : null;
    if (c.path("withElite").asBoolean(false)) {
      boolean labelled = archive.tessellation() instanceof CategoricalTessellation;
      Descriptor d = labelled ? Descriptor.ofLabels("B", "Two") : Descriptor.ofMeasures(0.25, 0.25);
      assertEquals(AddStatus.NEW, archive.add(elite("elite", 1.0, d)).status(), "fixture elite");
    }
    int n = 0;
    for (JsonNode step : c.get("steps")) {
      String where = c.get("id").asText() + " step " + n++;
      if (step.has("add")) {
        add(archive, step, single, where);
      } else if (step.has("addError")) {
        List<Elite> batch = candidates(step.get("addError"));
        List<Elite> before = archive.members();
        if (single) {
          for (Elite e : batch) {
            assertThrows(IllegalArgumentException.class, () -> archive.add(e), where);
          }
        } else {
          assertThrows(IllegalArgumentException.class, () -> archive.add(batch), where);
        }
        assertEquals(before, archive.members(), where + ": a failed add changes nothing");
      } else if (step.has("members")) {
        members(archive, step.get("members"), where);
      } else if (step.has("stats")) {
        stats(archive, step.get("stats"), where);
      } else if (step.has("cellOf")) {
        List<Executable> checks = new ArrayList<>();
        for (JsonNode q : step.get("cellOf")) {
          checks.add(() -> assertEquals(q.get("cell").asInt(), archive.cellOf(descriptor(q)),
              where + ": cell of " + q));
        }
        assertAll(where, checks.stream());
      } else if (step.has("cellOfError")) {
        for (JsonNode m : step.get("cellOfError")) {
          Descriptor d = Descriptor.ofMeasures(doubles(m));
          assertThrows(IllegalArgumentException.class, () -> archive.cellOf(d), where + ": " + m);
        }
      } else if (step.has("binsOf")) {
        GridTessellation grid = (GridTessellation) archive.tessellation();
        for (JsonNode q : step.get("binsOf")) {
          int[] bins = new int[q.get("bins").size()];
          for (int i = 0; i < bins.length; i++) {
            bins[i] = q.get("bins").get(i).asInt();
          }
          assertArrayEquals(bins, grid.binsOf(q.get("cell").asInt()), where);
          // and back: the centre of those bins maps back to the cell
          double[] centre = new double[bins.length];
          for (int i = 0; i < bins.length; i++) {
            double width = (grid.upper()[i] - grid.lower()[i]) / grid.bins()[i];
            centre[i] = grid.lower()[i] + (bins[i] + 0.5) * width;
          }
          assertEquals(q.get("cell").asInt(), archive.cellOf(Descriptor.ofMeasures(centre)), where);
        }
      } else if (step.has("retrieve")) {
        for (JsonNode q : step.get("retrieve")) {
          int cell = archive.cellOf(descriptor(q));
          List<Elite> found = cell < 0 ? List.of() : archive.cell(cell);
          assertEquals(q.get("occupied").asBoolean(), !found.isEmpty(), where + ": occupied " + q);
          if (q.has("id")) {
            assertEquals(q.get("id").asText(), found.get(0).id(), where);
          }
          if (q.has("objective")) {
            assertClose(q.get("objective").asDouble(), found.get(0).quality(), where);
          }
        }
      } else if (step.has("sample")) {
        Set<String> allowed = new HashSet<>();
        step.get("sample").forEach(s -> allowed.add(s.asText()));
        for (long seed = 0; seed < 20; seed++) {
          for (Optional<Elite> drawn : List.of(archive.sampleMember(new SplittableRandom(seed)),
              archive.sampleByCell(new SplittableRandom(seed)))) {
            assertEquals(!allowed.isEmpty(), drawn.isPresent(), where);
            drawn.ifPresent(e -> assertTrue(allowed.contains(e.id()), where + ": drew " + e.id()));
          }
        }
      } else if (step.has("size")) {
        assertEquals(step.get("size").asInt(), archive.size(), where);
        assertEquals(step.get("size").asInt() == 0, archive.isEmpty(), where);
      } else if (step.has("cellCount")) {
        assertEquals(step.get("cellCount").asInt(), archive.tessellation().cellCount(), where);
      } else if (step.has("statusOrder")) {
        List<AddStatus> order = new ArrayList<>();
        step.get("statusOrder").forEach(s -> order.add(AddStatus.valueOf(s.asText())));
        assertEquals(List.of(AddStatus.values()), order, where);
        for (int i = 1; i < order.size(); i++) {
          assertTrue(order.get(i).compareTo(order.get(i - 1)) > 0, where);
        }
        for (int i = 0; i < order.size(); i++) {
          assertEquals(step.get("truthy").get(i).asBoolean(), order.get(i).accepted(), where);
        }
      } else {
        fail(where + ": unknown step " + step);
      }
    }
  }

  private static void add(CellArchive archive, JsonNode step, boolean single, String where) {
    List<Elite> batch = candidates(step.get("add"));
    List<AddResult> results;
    if (single) {
      results = new ArrayList<>();
      for (Elite e : batch) {
        results.add(archive.add(e));
      }
    } else {
      results = archive.add(batch);
    }
    assertEquals(batch.size(), results.size(), where);
    for (int i = 0; i < results.size(); i++) {
      AddResult r = results.get(i);
      assertFalse(r.duplicate(), where + ": candidate " + i + " is not a duplicate");
      if (step.has("status")) {
        assertEquals(AddStatus.valueOf(step.get("status").get(i).asText()), r.status(),
            where + ": status of candidate " + i);
      }
      if (step.has("value")) {
        assertClose(step.get("value").get(i).asDouble(), r.value(), where + ": value of candidate " + i);
      }
      if (step.has("accepted")) {
        assertEquals(step.get("accepted").get(i).asBoolean(), r.status().accepted(), where);
      }
      if (step.has("cells")) {
        assertEquals(step.get("cells").get(i).asInt(), r.cell(), where + ": cell of candidate " + i);
        assertNotEquals(step.get("pyribsCells").get(i).asInt(), r.cell(), where
            + ": the recorded difference no longer exists; update the data and the docs");
      }
    }
  }

  /** One-to-one match of (id, objective, cell) against the members of each occupied cell. */
  private static void members(CellArchive archive, JsonNode expected, String where) {
    List<Object[]> actual = new ArrayList<>();
    for (int c : archive.occupiedCells()) {
      for (Elite e : archive.cell(c)) {
        actual.add(new Object[] {e.id(), e.quality(), c});
      }
    }
    assertEquals(archive.size(), actual.size(), where);
    assertEquals(expected.size(), actual.size(), where + ": members " + describe(actual));
    boolean[] used = new boolean[actual.size()];
    for (JsonNode m : expected) {
      boolean matched = false;
      for (int j = 0; j < actual.size() && !matched; j++) {
        Object[] a = actual.get(j);
        if (!used[j] && (m.get("id").isNull() || m.get("id").asText().equals(a[0]))
            && isClose(m.get("objective").asDouble(), (double) a[1]) && m.get("cell").asInt() == (int) a[2]) {
          used[j] = true;
          matched = true;
        }
      }
      assertTrue(matched, where + ": no member " + m + " in " + describe(actual));
    }
  }

  private static void stats(CellArchive archive, JsonNode expected, String where) {
    ArchiveStats s = archive.stats();
    if (expected.has("num_elites")) {
      assertEquals(expected.get("num_elites").asInt(), s.members(), where + ": num_elites");
    }
    if (expected.has("coverage")) {
      assertClose(number(expected.get("coverage")), s.coverage(), where + ": coverage");
    }
    if (expected.has("qd_score")) {
      assertClose(number(expected.get("qd_score")), s.qdScore(), where + ": qd_score");
    }
    if (expected.has("norm_qd_score")) {
      assertClose(number(expected.get("norm_qd_score")), s.qdScore() / s.cells(), where + ": norm_qd_score");
    }
    if (expected.has("obj_max")) {
      assertClose(number(expected.get("obj_max")), s.bestQuality(), where + ": obj_max");
    }
    if (expected.has("obj_mean")) {
      assertClose(number(expected.get("obj_mean")), s.meanQuality(), where + ": obj_mean");
    }
  }

  // ---- data ----

  private static CellArchive newArchive(JsonNode root, JsonNode c) {
    JsonNode a = root.get("archives").get(c.get("archive").asText());
    Tessellation t = switch (a.get("type").asText()) {
      case "grid" -> {
        int[] bins = new int[a.get("bins").size()];
        for (int i = 0; i < bins.length; i++) {
          bins[i] = a.get("bins").get(i).asInt();
        }
        yield new GridTessellation(bins, doubles(a.get("lower")), doubles(a.get("upper")));
      }
      case "cvt" -> {
        double[][] centroids = new double[a.get("centroids").size()][];
        for (int i = 0; i < centroids.length; i++) {
          centroids[i] = doubles(a.get("centroids").get(i));
        }
        yield new CvtTessellation(centroids);
      }
      case "categorical" -> new CategoricalTessellation();
      default -> throw new IllegalArgumentException("unknown archive type " + a.get("type"));
    };
    return CellArchive.builder().tessellation(t).capacity(1)
        .qdOffset(c.path("qdOffset").asDouble(0.0)).build();
  }

  private static List<Elite> candidates(JsonNode list) {
    List<Elite> out = new ArrayList<>();
    for (JsonNode e : list) {
      out.add(elite(e.get("id").asText(), e.get("objective").asDouble(), descriptor(e)));
    }
    return out;
  }

  private static Elite elite(String id, double objective, Descriptor d) {
    return new Elite(new Problem(id, "statement " + id, "", "", null, null),
        Difficulty.ofQuality(objective), d, 0);
  }

  private static Descriptor descriptor(JsonNode q) {
    if (q.has("labels")) {
      List<String> labels = new ArrayList<>();
      q.get("labels").forEach(l -> labels.add(l.asText()));
      return Descriptor.ofLabels(labels);
    }
    return Descriptor.ofMeasures(doubles(q.get("measures")));
  }

  private static double[] doubles(JsonNode array) {
    double[] out = new double[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = number(array.get(i));
    }
    return out;
  }

  /** A JSON number, or "NaN" / null for NaN (pyribs' None). */
  private static double number(JsonNode n) {
    if (n == null || n.isNull()) {
      return Double.NaN;
    }
    return n.isTextual() ? Double.parseDouble(n.asText()) : n.asDouble();
  }

  /** numpy.isclose with its defaults (rtol 1e-5, atol 1e-8); NaN only equals NaN. */
  private static boolean isClose(double expected, double actual) {
    if (Double.isNaN(expected) || Double.isNaN(actual)) {
      return Double.isNaN(expected) && Double.isNaN(actual);
    }
    return Math.abs(actual - expected) <= 1e-8 + 1e-5 * Math.abs(expected);
  }

  private static void assertClose(double expected, double actual, String message) {
    assertTrue(isClose(expected, actual), message + ": expected " + expected + ", got " + actual);
  }

  private static String describe(List<Object[]> members) {
    StringBuilder sb = new StringBuilder("[");
    for (Object[] m : members) {
      sb.append("(id=").append(m[0]).append(", q=").append(m[1]).append(", cell=").append(m[2]).append(')');
    }
    return sb.append(']').toString();
  }
}
