package dev.sparq.core.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import dev.sparq.core.internal.Json;
import dev.sparq.core.model.AddStatus;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Difficulty;
import dev.sparq.core.model.EvaluatedCandidate;
import dev.sparq.core.model.Lineage;
import dev.sparq.core.model.Problem;
import dev.sparq.core.model.Rollout;
import dev.sparq.core.model.Validity;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Encodes one evaluated candidate as one JSON object (one line of the candidate log) and decodes it
 * again, with Jackson's streaming API (no reflection, no intermediate tree). The field set is
 * documented in {@code src-docs/storage.md}; every field has one JSON type in every record so that
 * columnar readers (Arrow, {@code datasets}) infer one schema.
 */
public final class LogCodec {
  /** Jackson's fast double parser and writer: measures and qualities are full-precision doubles. */
  private static final JsonFactory FACTORY = JsonFactory.builder()
      .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
      .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
      .build();

  /** Version of the record layout, written as {@code "v"} in every record. */
  public static final int RECORD_VERSION = 1;

  private LogCodec() {}

  /** Writes one record (without the trailing newline) to {@code out}. */
  public static void write(long seq, EvaluatedCandidate c, OutputStream out) throws IOException {
    write(seq, c, out, RolloutTexts.ALL);
  }

  /**
   * Writes one record (without the trailing newline) to {@code out}, keeping the rollout texts that
   * {@code texts} keeps; the others are written as empty strings and counted in
   * {@code texts_dropped}.
   */
  public static void write(long seq, EvaluatedCandidate c, OutputStream out, RolloutTexts texts)
      throws IOException {
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      write(seq, c, g, texts);
    }
  }

  static void write(long seq, EvaluatedCandidate c, JsonGenerator g) throws IOException {
    write(seq, c, g, RolloutTexts.ALL);
  }

  static void write(long seq, EvaluatedCandidate c, JsonGenerator g, RolloutTexts texts)
      throws IOException {
    Problem p = c.problem();
    Difficulty d = c.difficulty();
    int dropped = 0;
    if (texts != RolloutTexts.ALL) {
      for (Rollout r : c.rollouts()) {
        if (!texts.keeps(d.quality(), r.correct()) && !r.text().isEmpty()) {
          dropped++;
        }
      }
    }
    g.writeStartObject();
    // cheap scalar fields first, so readers can filter on them without parsing the texts
    g.writeNumberField("v", RECORD_VERSION);
    g.writeNumberField("seq", seq);
    g.writeNumberField("iteration", c.iteration());
    g.writeStringField("id", clean(p.id()));
    g.writeFieldName("quality");
    writeDouble(g, d.quality());
    g.writeFieldName("solve_rate");
    writeDouble(g, d.solveRate());
    g.writeNumberField("correct", d.correct());
    g.writeNumberField("num_rollouts", d.rollouts());
    g.writeStringField("validity", d.validity().name());
    g.writeStringField("status", c.status().name());
    if (c.duplicate()) {
      g.writeBooleanField("duplicate", true);
    }
    if (dropped > 0) {
      g.writeNumberField("texts_dropped", dropped);
    }
    g.writeFieldName("value");
    writeDouble(g, c.value());
    Descriptor desc = c.descriptor();
    g.writeArrayFieldStart("skills");
    for (String s : desc.labels()) {
      g.writeString(clean(s));
    }
    g.writeEndArray();
    g.writeArrayFieldStart("measures");
    for (int i = 0; i < desc.dimensions(); i++) {
      writeDouble(g, desc.measure(i));
    }
    g.writeEndArray();
    g.writeStringField("operator", clean(p.lineage().operator()));
    g.writeNumberField("generation", p.lineage().generation());
    g.writeArrayFieldStart("parent_ids");
    for (String id : p.lineage().parentIds()) {
      g.writeString(clean(id));
    }
    g.writeEndArray();
    g.writeStringField("problem", clean(p.statement()));
    g.writeStringField("answer", clean(p.answer()));
    g.writeStringField("solution", clean(p.solution()));
    g.writeStringField("attributes", clean(attributesJson(p.attributes())));
    g.writeArrayFieldStart("rollouts");
    for (Rollout r : c.rollouts()) {
      g.writeStartObject();
      g.writeStringField("text", dropped > 0 && !texts.keeps(d.quality(), r.correct()) ? ""
          : clean(r.text()));
      g.writeStringField("answer", r.answer() == null ? null : clean(r.answer()));
      g.writeBooleanField("correct", r.correct());
      g.writeNumberField("tokens", r.tokens());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  /**
   * The text with every unpaired surrogate replaced by U+FFFD: model output cut in the middle of a
   * surrogate pair cannot be encoded as UTF-8, and the log must stay readable by any UTF-8 reader.
   */
  static String clean(String s) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
          continue;
        }
        return replaceLoneSurrogates(s);
      }
    }
    return s;
  }

  private static String replaceLoneSurrogates(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        sb.append(c).append(s.charAt(++i));
      } else if (Character.isSurrogate(c)) {
        sb.append('\uFFFD');
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private static void writeDouble(JsonGenerator g, double v) throws IOException {
    if (Double.isFinite(v)) {
      g.writeNumber(v);
    } else {
      g.writeNull();
    }
  }

  private static String attributesJson(Map<String, String> attributes) throws IOException {
    if (attributes.isEmpty()) {
      return "{}";
    }
    return Json.mapper().writeValueAsString(attributes);
  }

  /**
   * Decodes one record from {@code bytes[off, off+len)}.
   *
   * @throws IOException when the bytes are not a complete, well-formed record
   */
  public static LoggedCandidate read(byte[] bytes, int off, int len) throws IOException {
    try (JsonParser p = FACTORY.createParser(bytes, off, len)) {
      return read(p);
    }
  }

  static LoggedCandidate read(JsonParser p) throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      throw new IOException("a log record must be a JSON object");
    }
    long seq = -1;
    long iteration = 0;
    String id = null;
    String statement = null;
    String solution = "";
    String answer = "";
    List<String> parents = new ArrayList<>(2);
    String operator = "";
    int generation = 0;
    Map<String, String> attributes = Map.of();
    List<Rollout> rollouts = new ArrayList<>(8);
    int correct = 0;
    int numRollouts = 0;
    double quality = 0;
    Validity validity = Validity.VALID;
    double[] measures = new double[4];
    int nMeasures = 0;
    List<String> skills = new ArrayList<>(4);
    AddStatus status = null;
    boolean duplicate = false;
    double value = 0;
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      switch (name) {
        case "seq" -> seq = p.getLongValue();
        case "iteration" -> iteration = p.getLongValue();
        case "id" -> id = text(p, v, name);
        case "problem" -> statement = text(p, v, name);
        case "solution" -> solution = v == JsonToken.VALUE_NULL ? "" : text(p, v, name);
        case "answer" -> answer = v == JsonToken.VALUE_NULL ? "" : text(p, v, name);
        case "parent_ids" -> strings(p, v, name, parents);
        case "operator" -> operator = text(p, v, name);
        case "generation" -> generation = p.getIntValue();
        case "attributes" -> attributes = attributes(p, v, true);
        case "rollouts" -> rollouts(p, v, rollouts);
        case "correct" -> correct = p.getIntValue();
        case "num_rollouts" -> numRollouts = p.getIntValue();
        case "quality" -> quality = v == JsonToken.VALUE_NULL ? Double.NaN : p.getDoubleValue();
        case "validity" -> validity = Validity.valueOf(p.getText());
        case "measures" -> {
          array(p, v, name);
          while (p.nextToken() != JsonToken.END_ARRAY) {
            if (nMeasures == measures.length) {
              measures = java.util.Arrays.copyOf(measures, nMeasures * 2);
            }
            measures[nMeasures++] = measure(p);
          }
        }
        case "skills" -> strings(p, v, name, skills);
        case "status" -> status = AddStatus.valueOf(p.getText());
        case "duplicate" -> duplicate = v == JsonToken.VALUE_TRUE;
        case "value" -> value = v == JsonToken.VALUE_NULL ? Double.NaN : p.getDoubleValue();
        default -> p.skipChildren();
      }
    }
    endOfRecord(p, t, seq, statement != null, status);
    Problem problem = new Problem(id, statement, solution, answer,
        new Lineage(parents, operator, generation), attributes);
    Difficulty difficulty = new Difficulty(correct, numRollouts, quality, validity);
    Descriptor descriptor = new Descriptor(java.util.Arrays.copyOf(measures, nMeasures), skills);
    return new LoggedCandidate(seq, new EvaluatedCandidate(iteration, problem, rollouts, difficulty,
        descriptor, status, value, duplicate));
  }

  /**
   * The checks both decodes make once a record's fields are read: the object is closed, nothing
   * follows it, and the fields every record has were there.
   */
  private static void endOfRecord(JsonParser p, JsonToken t, long seq, boolean hasProblem, AddStatus status)
      throws IOException {
    if (t != JsonToken.END_OBJECT) {
      throw new IOException("unterminated log record");
    }
    if (p.nextToken() != null) {
      throw new IOException("trailing data after a log record");
    }
    if (seq < 0) {
      throw new IOException("field 'seq' is missing");
    }
    if (!hasProblem) {
      throw new IOException("field 'problem' is missing");
    }
    if (status == null) {
      throw new IOException("field 'status' is missing");
    }
  }

  /**
   * Decodes the scalar fields of one record from {@code bytes[off, off+len)} into a
   * {@link CandidateSummary}, skipping every text (statement, solution, answer, rollouts) without
   * turning it into a {@code String}: the parser still tokenises the whole record, the short
   * {@code attributes} string is decoded and the arrays are checked through the same code as in
   * {@link #read(byte[], int, int)}, so a record the full decode refuses fails here too, and the
   * fields it returns are the ones the full decode would give.
   *
   * @throws IOException when the bytes are not a complete, well-formed record
   */
  public static CandidateSummary readSummary(byte[] bytes, int off, int len) throws IOException {
    try (JsonParser p = FACTORY.createParser(bytes, off, len)) {
      return readSummary(p);
    }
  }

  static CandidateSummary readSummary(JsonParser p) throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      throw new IOException("a log record must be a JSON object");
    }
    long seq = -1;
    long iteration = 0;
    boolean statement = false;
    String operator = "";
    int generation = 0;
    int correct = 0;
    int numRollouts = 0;
    double quality = 0;
    Validity validity = Validity.VALID;
    AddStatus status = null;
    boolean duplicate = false;
    double value = 0;
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      switch (name) {
        case "seq" -> seq = p.getLongValue();
        case "iteration" -> iteration = p.getLongValue();
        // present, as the full decode requires, but never decoded: nextToken skips its bytes
        case "problem" -> {
          statement = true;
          skipText(v, name);
        }
        case "id", "solution", "answer" -> skipText(v, name);
        case "operator" -> operator = text(p, v, name);
        case "generation" -> generation = p.getIntValue();
        // the checks of the full decode, through the same code, so that a record one refuses the
        // other refuses too; the rollouts' texts stay undecoded
        case "parent_ids", "skills" -> strings(p, v, name, null);
        case "measures" -> {
          array(p, v, name);
          while (p.nextToken() != JsonToken.END_ARRAY) {
            measure(p);
          }
        }
        case "attributes" -> attributes(p, v, false);
        case "rollouts" -> rollouts(p, v, null);
        case "correct" -> correct = p.getIntValue();
        case "num_rollouts" -> numRollouts = p.getIntValue();
        case "quality" -> quality = v == JsonToken.VALUE_NULL ? Double.NaN : p.getDoubleValue();
        case "validity" -> validity = Validity.valueOf(p.getText());
        case "status" -> status = AddStatus.valueOf(p.getText());
        case "duplicate" -> duplicate = v == JsonToken.VALUE_TRUE;
        case "value" -> value = v == JsonToken.VALUE_NULL ? Double.NaN : p.getDoubleValue();
        // strings are skipped unread; arrays and objects (the rollouts with their texts) token by token
        default -> p.skipChildren();
      }
    }
    endOfRecord(p, t, seq, statement, status);
    if (generation < 0) {
      throw new IOException("generation must be >= 0, was " + generation);
    }
    return new CandidateSummary(seq, iteration, new Difficulty(correct, numRollouts, quality, validity),
        status, duplicate, value, operator, generation);
  }

  /**
   * The leading fields of a record.
   *
   * @param seq the record's seq, or -1 when it was not found before the texts
   * @param quality the quality, or NaN when not found (or null)
   */
  record Header(long seq, double quality) {}

  /**
   * Reads only the leading scalar fields of a record up to {@code quality} (written first by
   * {@link #write}).
   */
  static Header peek(byte[] bytes, int off, int len) throws IOException {
    Header fast = fastPeek(bytes, off, len);
    if (fast != null) {
      return fast;
    }
    long seq = -1;
    double quality = Double.NaN;
    try (JsonParser p = FACTORY.createParser(bytes, off, len)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("a log record must be a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if (v.isStructStart()) {
          break;
        }
        if (name.equals("seq")) {
          seq = p.getLongValue();
        } else if (name.equals("quality")) {
          quality = v == JsonToken.VALUE_NULL ? Double.NaN : p.getDoubleValue();
          break;
        }
      }
    }
    return new Header(seq, quality);
  }

  private static final byte[] PREFIX = "{\"v\":1,\"seq\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] QUALITY = "\"quality\":".getBytes(StandardCharsets.US_ASCII);

  /**
   * The header as {@link #write} lays it out, read without a JSON parser; null when the bytes do not
   * start that way (then the caller parses properly).
   */
  private static Header fastPeek(byte[] b, int off, int len) {
    int end = off + len;
    if (len < PREFIX.length + 16 || !startsWith(b, off, PREFIX)) {
      return null;
    }
    int i = off + PREFIX.length;
    long seq = 0;
    int digits = 0;
    while (i < end && b[i] >= '0' && b[i] <= '9' && digits < 18) {
      seq = seq * 10 + (b[i++] - '0');
      digits++;
    }
    if (digits == 0 || i >= end || b[i] != ',') {
      return null;
    }
    int limit = Math.min(end - QUALITY.length, i + 256);
    for (int j = i; j < limit; j++) {
      if (b[j] == '"' && startsWith(b, j, QUALITY)) {
        int s = j + QUALITY.length;
        int e = s;
        while (e < end && b[e] != ',' && b[e] != '}') {
          e++;
        }
        if (e == end) {
          return null;
        }
        double q;
        if (e - s == 3 && b[s] == '0' && b[s + 1] == '.' && b[s + 2] == '0') {
          q = 0.0;
        } else if (e - s == 4 && b[s] == 'n') {
          q = Double.NaN;
        } else {
          try {
            q = Double.parseDouble(new String(b, s, e - s, StandardCharsets.ISO_8859_1));
          } catch (NumberFormatException ex) {
            return null;
          }
        }
        return new Header(seq, q);
      }
    }
    return null;
  }

  private static boolean startsWith(byte[] b, int at, byte[] prefix) {
    if (at + prefix.length > b.length) {
      return false;
    }
    for (int k = 0; k < prefix.length; k++) {
      if (b[at + k] != prefix[k]) {
        return false;
      }
    }
    return true;
  }

  /**
   * The rollouts array into {@code out}, or, when {@code out} is null (the summary), checked as the
   * full decode would check it without turning the texts into strings.
   */
  private static void rollouts(JsonParser p, JsonToken v, List<Rollout> out) throws IOException {
    array(p, v, "rollouts");
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t != JsonToken.START_OBJECT) {
        throw new IOException("field 'rollouts' must hold objects, found " + t);
      }
      Rollout r = readRollout(p, out != null);
      if (out != null) {
        out.add(r);
      }
    }
  }

  private static Rollout readRollout(JsonParser p, boolean decode) throws IOException {
    String text = "";
    String answer = null;
    boolean correct = false;
    int tokens = 0;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      switch (name) {
        case "text" -> {
          if (decode) {
            text = text(p, v, "rollouts.text");
          } else {
            skipText(v, "rollouts.text");
          }
        }
        case "answer" -> {
          if (v != JsonToken.VALUE_NULL) {
            if (decode) {
              answer = text(p, v, "rollouts.answer");
            } else {
              skipText(v, "rollouts.answer");
            }
          }
        }
        case "correct" -> correct = v == JsonToken.VALUE_TRUE;
        case "tokens" -> tokens = p.getIntValue();
        default -> p.skipChildren();
      }
    }
    if (!decode) {
      if (tokens < 0) {
        // as Rollout's constructor refuses it
        throw new IllegalArgumentException("tokens must be >= 0");
      }
      return null;
    }
    return new Rollout(text, answer, correct, tokens);
  }

  /** A text field's value: a string or another scalar (as read before), never an array or object. */
  private static String text(JsonParser p, JsonToken v, String name) throws IOException {
    skipText(v, name);
    return p.getText();
  }

  /**
   * Checks a text field's token without decoding it: an array or object in its place would
   * otherwise be read token by token as if its contents were the record's own fields.
   */
  private static void skipText(JsonToken v, String name) throws IOException {
    if (v == null || v.isStructStart()) {
      throw new IOException("field '" + name + "' must be a string, found " + v);
    }
  }

  private static void array(JsonParser p, JsonToken v, String name) throws IOException {
    if (v != JsonToken.START_ARRAY) {
      // looping to the END_ARRAY of something else would run past the record's end forever
      throw new IOException("field '" + name + "' must be an array, found " + v);
    }
  }

  /** A string array ({@code parent_ids}, {@code skills}) into {@code out}, or only checked. */
  private static void strings(JsonParser p, JsonToken v, String name, List<String> out)
      throws IOException {
    array(p, v, name);
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (out != null) {
        out.add(text(p, t, name));
      } else {
        skipText(t, name);
      }
    }
  }

  /** One element of {@code measures}: a number, or null for NaN. */
  private static double measure(JsonParser p) throws IOException {
    return p.currentToken() == JsonToken.VALUE_NULL ? Double.NaN : p.getDoubleValue();
  }

  /**
   * The {@code attributes} field: a JSON object of strings inside a string (as {@link #write} writes
   * it), read with the same code by the full decode ({@code decode}: into a sorted map) and the
   * summary (only checked, nothing kept), so that a broken one fails both, not only the full decode.
   * A JSON {@code null} reads as no attributes.
   */
  private static Map<String, String> attributes(JsonParser p, JsonToken v, boolean decode)
      throws IOException {
    String s = text(p, v, "attributes");
    if (s.equals("{}")) {
      return Map.of();
    }
    Map<String, String> m = decode ? new TreeMap<>() : Map.of();
    try (JsonParser a = FACTORY.createParser(s)) {
      JsonToken t = a.nextToken();
      if (t == JsonToken.START_OBJECT) {
        while ((t = a.nextToken()) == JsonToken.FIELD_NAME) {
          String key = a.currentName();
          if (a.nextToken() != JsonToken.VALUE_STRING) {
            throw new IOException("field 'attributes': every value must be a string, found "
                + a.currentToken());
          }
          if (decode) {
            m.put(key, a.getText());
          }
        }
      } else if (t != JsonToken.VALUE_NULL) {
        throw new IOException("field 'attributes' must hold a JSON object, found " + t);
      }
      if (a.nextToken() != null) {
        throw new IOException("field 'attributes': trailing data after its object");
      }
    }
    return m;
  }
}
