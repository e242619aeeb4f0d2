package dev.sparq.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * HfTokenizer against the Python {@code tokenizers} library on a corpus of hard texts (LaTeX, math
 * symbols, CJK, emoji, combining marks, whitespace runs, control and zero-width characters, long
 * words), with the real {@code tokenizer.json} of every model family the chat-template goldens
 * use (installed from npm by the build, see {@code src/test/npm}).
 * {@code src/test/golden/make_tokenizer_goldens.py} wrote {@code resources/tokenizer-goldens}: per
 * text the ids with and without special tokens, their decode with and without skipping special
 * tokens, the pieces of a streaming decode, and the decode of prefixes that end inside a
 * multi-byte character (a stream that ends there must return what it streamed plus the held-back
 * bytes as U+FFFD); and id sequences a model could sample (beyond the vocabulary too) decoded and
 * streamed, and ids that are no token ids (negative, 2^32 and more) refused. A field listed in {@code known-differences.txt} must differ (with its
 * reason written there); every other field must be equal.
 */
class TokenizerParityGoldenTest {
  static final Path GOLDENS = Path.of("src/test/resources/tokenizer-goldens");
  static final ObjectMapper JSON = new ObjectMapper();

  static List<String> families() throws IOException {
    try (Stream<Path> s = Files.list(GOLDENS)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".json") && !n.equals("corpus.json"))
          .map(n -> n.substring(0, n.length() - 5)).sorted().toList();
    }
  }

  static Map<String, String> corpus() throws IOException {
    Map<String, String> texts = new HashMap<>();
    for (JsonNode t : JSON.readTree(GOLDENS.resolve("corpus.json").toFile()).get("texts")) {
      texts.put(t.get("name").asText(), t.get("text").asText());
    }
    return texts;
  }

  /** "family case field" -> reason, from known-differences.txt. */
  static Map<String, String> knownDifferences() throws IOException {
    Map<String, String> known = new TreeMap<>();
    for (String line : Files.readAllLines(GOLDENS.resolve("known-differences.txt"),
        StandardCharsets.UTF_8)) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      String[] p = l.split("\\s+", 4);
      assertTrue(p.length == 4 && !p[3].isBlank(),
          "known-differences.txt: '" + l + "' is not 'family case field reason'");
      known.put(p[0] + " " + p[1] + " " + p[2], p[3]);
    }
    return known;
  }

  /** Escapes what would be invisible or break a report line. */
  static String show(String s) {
    StringBuilder b = new StringBuilder("\"");
    int shown = 0;
    for (int i = 0; i < s.length() && shown < 80; i++, shown++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa1) || Character.isSurrogate(c)
          || Character.getType(c) == Character.FORMAT || Character.isSpaceChar(c) && c != ' ') {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append(s.length() > 80 ? "\"..." : "\"").toString();
  }

  static String firstDifference(long[] want, long[] got) {
    int i = 0;
    while (i < want.length && i < got.length && want[i] == got[i]) {
      i++;
    }
    return "first differing id at " + i + ": ours " + (i < got.length ? got[i] : "<end>")
        + ", theirs " + (i < want.length ? want[i] : "<end>") + " (lengths " + got.length + " vs "
        + want.length + ")";
  }

  static String firstDifference(String want, String got) {
    int i = 0;
    while (i < want.length() && i < got.length() && want.charAt(i) == got.charAt(i)) {
      i++;
    }
    return "first differing char at " + i + ": ours " + show(got.substring(i)) + ", theirs "
        + show(want.substring(i));
  }

  /** Every field of one family that differs, as "family case field" -> description. */
  static Map<String, String> differences(String family, Map<String, String> texts)
      throws IOException {
    JsonNode doc = JSON.readTree(GOLDENS.resolve(family + ".json").toFile());
    Path file = ChatTemplateGoldenTest.modelsOf(family).resolve("tokenizer.json");
    Map<String, String> diffs = new TreeMap<>();
    try (HfTokenizer tok = HfTokenizer.open(file)) {
      for (JsonNode c : doc.get("cases")) {
        String name = c.get("name").asText();
        String text = texts.get(name);
        assertTrue(text != null, "corpus.json has no text " + name);
        String key = family + " " + name + " ";
        String where = " on " + show(text);
        // Python refuses text with a lone surrogate ("error"); its ids are those of the text with
        // U+FFFD in each one's place ("replaced"), which is what HfTokenizer must encode.
        long[] want = JSON.convertValue(c.get("ids"), long[].class);
        long[] got = tok.encode(text);
        if (!java.util.Arrays.equals(want, got)) {
          diffs.put(key + "ids", firstDifference(want, got) + where);
        }
        long[] wantSpecial = JSON.convertValue(c.get("ids_special"), long[].class);
        long[] gotSpecial = tok.encode(text, true);
        if (!java.util.Arrays.equals(wantSpecial, gotSpecial)) {
          diffs.put(key + "ids_special", firstDifference(wantSpecial, gotSpecial) + where);
        }
        // Decode the reference ids, so a decode difference is not hidden by an encode one.
        String decoded = tok.decode(wantSpecial, false);
        if (!decoded.equals(c.get("decoded").asText())) {
          diffs.put(key + "decoded", firstDifference(c.get("decoded").asText(), decoded) + where);
        }
        String skip = tok.decode(wantSpecial, true);
        if (!skip.equals(c.get("decoded_skip").asText())) {
          diffs.put(key + "decoded_skip",
              firstDifference(c.get("decoded_skip").asText(), skip) + where);
        }
        JsonNode stream = c.get("stream");
        compareStream(tok, want, c, key, where, diffs);
        for (JsonNode cut : c.get("cuts")) {
          int k = cut.get("k").asInt();
          HfTokenizer.IncrementalDecoder p = tok.incremental();
          for (int i = 0; i < k; i++) {
            p.add(want[i]);
          }
          StringBuilder streamed = new StringBuilder();
          for (int i = 0; i < k; i++) {
            streamed.append(stream.get(i).asText());
          }
          String expected = streamed + cut.get("held").asText();
          String finished = p.finish();
          if (!finished.equals(expected)) {
            diffs.put(key + "cut" + k, firstDifference(expected, finished) + where);
          }
        }
      }
      for (JsonNode c : doc.get("id_sequences")) {
        String key = family + " " + c.get("name").asText() + " ";
        long[] ids = JSON.convertValue(c.get("ids"), long[].class);
        String where = " on ids " + java.util.Arrays.toString(ids);
        if (c.has("error")) {
          for (boolean skip : new boolean[] {false, true}) {
            try {
              String text = tok.decode(ids, skip);
              diffs.put(key + "error", "decoded to " + show(text) + " instead of refusing ("
                  + c.get("error").asText() + ")" + where);
            } catch (IllegalArgumentException e) {
              if (!e.getMessage().contains("position")) {
                diffs.put(key + "error", "refused without naming the position: "
                    + e.getMessage());
              }
            }
          }
          continue;
        }
        String decoded = tok.decode(ids, false);
        if (!decoded.equals(c.get("decoded").asText())) {
          diffs.put(key + "decoded", firstDifference(c.get("decoded").asText(), decoded) + where);
        }
        String skip = tok.decode(ids, true);
        if (!skip.equals(c.get("decoded_skip").asText())) {
          diffs.put(key + "decoded_skip",
              firstDifference(c.get("decoded_skip").asText(), skip) + where);
        }
        compareStream(tok, ids, c, key, where, diffs);
      }
    }
    return diffs;
  }

  /**
   * The pieces of the incremental decoder, id by id, against DecodeStream's; where DecodeStream
   * raised ("stream_error": its decode of the window no longer started with what it had emitted)
   * the comparison stops, as HfTokenizer's decoder holds the text back instead of failing.
   */
  static void compareStream(HfTokenizer tok, long[] ids, JsonNode c, String key, String where,
      Map<String, String> diffs) {
    JsonNode stream = c.get("stream");
    int steps = c.has("stream_error") ? c.get("stream_error").get("step").asInt() : ids.length;
    assertEquals(steps, stream.size(), key + "stream has " + stream.size() + " pieces");
    HfTokenizer.IncrementalDecoder d = tok.incremental();
    for (int i = 0; i < steps; i++) {
      String piece = d.add(ids[i]);
      if (!piece.equals(stream.get(i).asText())) {
        diffs.put(key + "stream", "piece " + i + " (id " + ids[i] + "): ours " + show(piece)
            + ", theirs " + show(stream.get(i).asText()) + where);
        return;
      }
    }
  }

  @TestFactory
  Stream<DynamicTest> everyTextEncodesAndDecodesAsTokenizersDoes() throws IOException {
    ChatTemplateGoldenTest.assumePackages();
    Map<String, String> texts = corpus();
    Map<String, String> known = knownDifferences();
    List<String> families = families();
    assertTrue(families.size() >= 10, "only " + families + " have goldens");
    assertTrue(texts.size() >= 300, "corpus has only " + texts.size() + " texts");
    List<DynamicTest> tests = new ArrayList<>();
    for (String fam : families) {
      tests.add(DynamicTest.dynamicTest(fam, () -> {
        Map<String, String> diffs = differences(fam, texts);
        List<String> report = new ArrayList<>();
        diffs.forEach((k, v) -> {
          if (!known.containsKey(k)) {
            report.add(k + ": " + v);
          }
        });
        known.forEach((k, reason) -> {
          if (k.startsWith(fam + " ") && !diffs.containsKey(k)) {
            report.add(k + ": listed in known-differences.txt but now equal; remove the line");
          }
        });
        Map<String, Integer> kinds = new TreeMap<>();
        for (String r : report) {
          kinds.merge(r.split(" ")[2].replaceAll("[0-9]*:$", ""), 1, Integer::sum);
        }
        assertTrue(report.isEmpty(), report.size() + " differences from tokenizers in " + fam
            + " " + kinds + ":\n"
            + String.join("\n", report.subList(0, Math.min(40, report.size()))));
      }));
    }
    return tests.stream();
  }

  @Test
  void knownDifferencesNameGoldenFamiliesAndCases() throws IOException {
    Set<String> fams = new TreeSet<>(families());
    Map<String, String> texts = corpus();
    for (String k : knownDifferences().keySet()) {
      String[] p = k.split(" ");
      assertTrue(fams.contains(p[0]), "known-differences.txt: no family " + p[0]);
      assertTrue(texts.containsKey(p[1]) || p[1].matches("ids_[0-9]+|invalid_[0-9]+"),
          "known-differences.txt: no case " + p[1]);
    }
  }

  @Test
  void reportShowsInvisibleCharacters() {
    assertEquals("\"a\\u00a0b\\u200d\\u000d\\u000a\\ud800\"", show("a\u00a0b\u200d\r\n\ud800"));
    assertEquals("first differing id at 2: ours <end>, theirs 3 (lengths 2 vs 3)",
        firstDifference(new long[] {1, 2, 3}, new long[] {1, 2}));
  }
}
