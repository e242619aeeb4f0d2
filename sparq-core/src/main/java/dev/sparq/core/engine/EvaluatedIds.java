package dev.sparq.core.engine;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import dev.sparq.core.model.Descriptor;
import dev.sparq.core.model.Difficulty;
import java.io.IOException;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeMap;

/**
 * The first evaluation of every problem id of a run ({@link EngineState#evaluated()}), kept
 * compactly: a run at the scale of the design's logs (up to 20 million candidates) holds one entry
 * per candidate, which as a {@code HashMap<String, Evaluated>} took about 200 bytes of heap each
 * and, as JSON objects in the checkpoint, about 190 bytes each.
 *
 * <p>Reuse needs the whole evaluation (a duplicate is logged with the first evaluation's difficulty
 * and descriptor), but evaluations repeat: a difficulty is a few small numbers (with K rollouts there
 * are at most 2(K + 1) of them) and a skill descriptor is one of the archive's label sets. So each
 * distinct {@link Difficulty} and {@link Descriptor} is kept once, in a table, and an id maps to two
 * table indexes. Ids of the form {@link dev.sparq.core.model.ProblemIds#idOf} writes (16 lower-case
 * hex digits) are kept as a {@code long}: in an open-addressing table in the engine's instance
 * (about 35 bytes per id on the heap), in a sorted array in a frozen copy (16 bytes per id, the
 * only extra heap a checkpoint needs for them); any other id in a plain map.
 *
 * <p>In a checkpoint ({@code state.evaluated}) it is written as
 * {@code {"encoding":"table","difficulties":[...],"descriptors":[...],"ids":{"<id>":[d,s],...}}},
 * ids sorted and tables in the order the sorted ids first use them, so the bytes depend only on the
 * content (about 28 bytes per id). The older form, one object per id
 * ({@code {"<id>":{"difficulty":...,"descriptor":...}}}), is still read.
 *
 * <p>A Map view for reading: unmodifiable, iterated in id order. The engine adds to its own
 * instance and hands out frozen copies ({@link EngineState}).
 */
final class EvaluatedIds extends AbstractMap<String, EngineState.Evaluated> {
  /** The value of field {@code encoding} of the compact form. */
  static final String ENCODING = "table";

  private final boolean frozen;
  // hex ids, value (d + 1) << 32 | s. Mutable: open addressing, 0 for an empty slot. Frozen: the
  // first hexSize slots, sorted by key with its sign bit flipped (unsigned order), found by binary
  // search: 16 bytes per id, and already in the order a checkpoint writes them
  private long[] keys;
  private long[] vals;
  private int hexSize;
  // other ids
  private final HashMap<String, Long> others;
  private final ArrayList<Difficulty> difficulties;
  private final ArrayList<Descriptor> descriptors;
  private final HashMap<Difficulty, Integer> difficultyIndex;
  private final HashMap<Descriptor, Integer> descriptorIndex;

  /** An empty, mutable instance (the engine's). */
  EvaluatedIds() {
    this(false, new long[16], new long[16], 0, new HashMap<>(), new ArrayList<>(),
        new ArrayList<>(), new HashMap<>(), new HashMap<>());
  }

  private EvaluatedIds(boolean frozen, long[] keys, long[] vals, int hexSize,
      HashMap<String, Long> others, ArrayList<Difficulty> difficulties,
      ArrayList<Descriptor> descriptors, HashMap<Difficulty, Integer> difficultyIndex,
      HashMap<Descriptor, Integer> descriptorIndex) {
    this.frozen = frozen;
    this.keys = keys;
    this.vals = vals;
    this.hexSize = hexSize;
    this.others = others;
    this.difficulties = difficulties;
    this.descriptors = descriptors;
    this.difficultyIndex = difficultyIndex;
    this.descriptorIndex = descriptorIndex;
  }

  /** An unmodifiable copy of {@code map} (itself when it is already one). */
  static EvaluatedIds frozenCopy(Map<String, EngineState.Evaluated> map) {
    if (map instanceof EvaluatedIds e && e.frozen) {
      return e;
    }
    if (map instanceof EvaluatedIds e) {
      return e.snapshot();
    }
    EvaluatedIds ids = new EvaluatedIds();
    ids.addAll(map);
    return ids.snapshot();
  }

  /** An unmodifiable copy (what a checkpoint saves); the tables' maps are not needed by it. */
  EvaluatedIds snapshot() {
    if (frozen) {
      return this;
    }
    long[] k = new long[hexSize];
    int n = 0;
    for (int i = 0; i < keys.length; i++) {
      if (vals[i] != 0) {
        k[n++] = keys[i] ^ Long.MIN_VALUE; // signed order of flipped keys = unsigned order
      }
    }
    Arrays.sort(k);
    long[] v = new long[n];
    for (int i = 0; i < n; i++) {
      v[i] = packedHex(k[i] ^ Long.MIN_VALUE);
    }
    return new EvaluatedIds(true, k, v, n, new HashMap<>(others),
        new ArrayList<>(difficulties), new ArrayList<>(descriptors), null, null);
  }

  /** Adds every entry of {@code map} (ids already present keep their first evaluation). */
  void addAll(Map<String, EngineState.Evaluated> map) {
    map.forEach(this::add);
  }

  /** Records the first evaluation of {@code id}; a later one for the same id is ignored. */
  void add(String id, EngineState.Evaluated e) {
    if (frozen) {
      throw new UnsupportedOperationException("a saved state's evaluated ids are unmodifiable");
    }
    if (containsKey(id)) {
      return;
    }
    int d = difficultyIndex.computeIfAbsent(e.difficulty(), k -> {
      difficulties.add(k);
      return difficulties.size() - 1;
    });
    int s = descriptorIndex.computeIfAbsent(e.descriptor(), k -> {
      descriptors.add(k);
      return descriptors.size() - 1;
    });
    put(id, d, s);
  }

  /** Adds {@code id} with table indexes (already checked), growing the table as needed. */
  private void put(String id, int d, int s) {
    long v = ((long) (d + 1) << 32) | (s & 0xffffffffL);
    if (!isHex(id)) {
      others.put(id, v);
      return;
    }
    if ((hexSize + 1) * 4L > keys.length * 3L) {
      grow();
    }
    insert(keys, vals, Long.parseUnsignedLong(id, 16), v);
    hexSize++;
  }

  private void grow() {
    long[] k = new long[keys.length * 2];
    long[] v = new long[k.length];
    for (int i = 0; i < keys.length; i++) {
      if (vals[i] != 0) {
        insert(k, v, keys[i], vals[i]);
      }
    }
    keys = k;
    vals = v;
  }

  private static void insert(long[] k, long[] v, long key, long value) {
    int mask = k.length - 1;
    int i = mix(key) & mask;
    while (v[i] != 0) {
      i = (i + 1) & mask;
    }
    k[i] = key;
    v[i] = value;
  }

  private static int mix(long key) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32));
  }

  /** Whether {@code id} is 16 lower-case hex digits (the form {@code ProblemIds.idOf} writes). */
  static boolean isHex(String id) {
    if (id.length() != 16) {
      return false;
    }
    for (int i = 0; i < 16; i++) {
      char c = id.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }

  static String hex(long key) {
    String h = Long.toHexString(key);
    return h.length() == 16 ? h : "0".repeat(16 - h.length()) + h;
  }

  /** The packed value of {@code id}, or 0. */
  private long packed(Object o) {
    if (!(o instanceof String id)) {
      return 0;
    }
    if (!isHex(id)) {
      Long v = others.get(id);
      return v == null ? 0 : v;
    }
    return packedHex(Long.parseUnsignedLong(id, 16));
  }

  private long packedHex(long key) {
    if (frozen) {
      int i = Arrays.binarySearch(keys, 0, hexSize, key ^ Long.MIN_VALUE);
      return i >= 0 ? vals[i] : 0;
    }
    int mask = keys.length - 1;
    for (int i = mix(key) & mask; vals[i] != 0; i = (i + 1) & mask) {
      if (keys[i] == key) {
        return vals[i];
      }
    }
    return 0;
  }

  private EngineState.Evaluated value(long packed) {
    return new EngineState.Evaluated(difficulties.get((int) (packed >>> 32) - 1),
        descriptors.get((int) packed));
  }

  @Override
  public EngineState.Evaluated get(Object id) {
    long v = packed(id);
    return v == 0 ? null : value(v);
  }

  @Override
  public boolean containsKey(Object id) {
    return packed(id) != 0;
  }

  @Override
  public int size() {
    return hexSize + others.size();
  }

  @Override
  public Set<Entry<String, EngineState.Evaluated>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Entry<String, EngineState.Evaluated>> iterator() {
        Cursor c = snapshot().new Cursor();
        return new Iterator<>() {
          boolean ready = c.advance();

          @Override
          public boolean hasNext() {
            return ready;
          }

          @Override
          public Entry<String, EngineState.Evaluated> next() {
            if (!ready) {
              throw new NoSuchElementException();
            }
            Entry<String, EngineState.Evaluated> e = Map.entry(c.id, value(c.packed));
            ready = c.advance();
            return e;
          }
        };
      }

      @Override
      public int size() {
        return EvaluatedIds.this.size();
      }
    };
  }

  /** Walks the entries of a frozen instance in id order: the hex ids merged with the others. */
  private final class Cursor {
    private final List<Map.Entry<String, Long>> rest = new ArrayList<>(new TreeMap<>(others).entrySet());
    private int h;
    private int o;
    String id;
    long packed;

    Cursor() {
      if (!frozen) {
        throw new IllegalStateException("walk a snapshot");
      }
    }

    boolean advance() {
      String hexId = h < hexSize ? hex(keys[h] ^ Long.MIN_VALUE) : null;
      String otherId = o < rest.size() ? rest.get(o).getKey() : null;
      if (hexId == null && otherId == null) {
        return false;
      }
      if (otherId == null || hexId != null && hexId.compareTo(otherId) < 0) {
        id = hexId;
        packed = vals[h++];
      } else {
        id = otherId;
        packed = rest.get(o++).getValue();
      }
      return true;
    }
  }

  /** Writes the compact form (see the class comment). */
  static final class Writer extends JsonSerializer<Map<String, EngineState.Evaluated>> {
    @Override
    public void serialize(Map<String, EngineState.Evaluated> value, JsonGenerator g,
        SerializerProvider provider) throws IOException {
      EvaluatedIds ids = frozenCopy(value);
      // first pass: table indexes in the order the sorted ids first use them
      int[] dMap = new int[ids.difficulties.size()];
      int[] sMap = new int[ids.descriptors.size()];
      Arrays.fill(dMap, -1);
      Arrays.fill(sMap, -1);
      List<Difficulty> dOut = new ArrayList<>();
      List<Descriptor> sOut = new ArrayList<>();
      Cursor c = ids.new Cursor();
      while (c.advance()) {
        int d = (int) (c.packed >>> 32) - 1;
        int s = (int) c.packed;
        if (dMap[d] < 0) {
          dMap[d] = dOut.size();
          dOut.add(ids.difficulties.get(d));
        }
        if (sMap[s] < 0) {
          sMap[s] = sOut.size();
          sOut.add(ids.descriptors.get(s));
        }
      }
      g.writeStartObject();
      g.writeStringField("encoding", ENCODING);
      g.writeFieldName("difficulties");
      provider.defaultSerializeValue(dOut, g);
      g.writeFieldName("descriptors");
      provider.defaultSerializeValue(sOut, g);
      g.writeObjectFieldStart("ids");
      c = ids.new Cursor();
      while (c.advance()) {
        g.writeFieldName(c.id);
        g.writeStartArray();
        g.writeNumber(dMap[(int) (c.packed >>> 32) - 1]);
        g.writeNumber(sMap[(int) c.packed]);
        g.writeEndArray();
      }
      g.writeEndObject();
      g.writeEndObject();
    }
  }

  /**
   * Reads either form, streamed (no tree of the entries): the compact one, recognised by its first
   * field {@code encoding} holding text (in the older form every value is an object), or the
   * older one. Memory stays proportional to the document: each id costs a few bytes of it.
   */
  static final class Reader extends JsonDeserializer<Map<String, EngineState.Evaluated>> {
    @Override
    public Map<String, EngineState.Evaluated> deserialize(JsonParser p, DeserializationContext ctxt)
        throws IOException {
      if (p.currentToken() != JsonToken.START_OBJECT) {
        return ctxt.reportInputMismatch(Map.class, "must be an object (the evaluated problem ids)");
      }
      EvaluatedIds ids = new EvaluatedIds();
      JsonToken t = p.nextToken();
      if (t == JsonToken.FIELD_NAME && p.currentName().equals("encoding")
          && p.nextToken() == JsonToken.VALUE_STRING) {
        if (!ENCODING.equals(p.getText())) {
          return ctxt.reportInputMismatch(Map.class, "field 'encoding' is '" + p.getText()
              + "', this version reads '" + ENCODING + "'");
        }
        readCompact(p, ctxt, ids);
        return ids.snapshot();
      }
      // the older form: {"<id>": {"difficulty": ..., "descriptor": ...}, ...}
      for (; t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        String id = p.currentName();
        if (p.currentToken() == JsonToken.FIELD_NAME) {
          p.nextToken();
        }
        EngineState.Evaluated e = ctxt.readValue(p, EngineState.Evaluated.class);
        if (e == null) {
          return ctxt.reportInputMismatch(Map.class, "the evaluation of '" + id + "' is null");
        }
        ids.add(id, e); // sparq never repeats a key; were one repeated, the first would win

      }
      return ids.snapshot();
    }

    private static void readCompact(JsonParser p, DeserializationContext ctxt, EvaluatedIds ids)
        throws IOException {
      List<Difficulty> ds = null;
      List<Descriptor> ss = null;
      for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        String name = p.currentName();
        p.nextToken();
        switch (name) {
          case "difficulties" -> ds = readList(p, ctxt, Difficulty.class, name);
          case "descriptors" -> ss = readList(p, ctxt, Descriptor.class, name);
          case "ids" -> {
            if (ds == null || ss == null) {
              // the writer puts the tables first, so the ids are bound as they are read
              ctxt.reportInputMismatch(Map.class,
                  "field 'ids' must come after fields 'difficulties' and 'descriptors'");
            }
            if (p.currentToken() != JsonToken.START_OBJECT) {
              ctxt.reportInputMismatch(Map.class, "field 'ids' must be an object of [d, s] pairs");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String id = p.currentName();
              int d = -1;
              int s = -1;
              if (p.nextToken() == JsonToken.START_ARRAY
                  && p.nextToken() == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT) {
                d = p.getIntValue();
                if (p.nextToken() == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT) {
                  s = p.getIntValue();
                  if (p.nextToken() != JsonToken.END_ARRAY) {
                    s = -1;
                  }
                }
              }
              if (d < 0 || s < 0 || d >= ds.size() || s >= ss.size()) {
                ctxt.reportInputMismatch(Map.class, "ids." + id + " must be [d, s], indexes into "
                    + "the tables (" + ds.size() + " difficulties, " + ss.size() + " descriptors)");
              }
              if (ids.containsKey(id)) {
                ctxt.reportInputMismatch(Map.class, "ids." + id + " appears twice");
              }
              ids.add(id, new EngineState.Evaluated(ds.get(d), ss.get(s)));
            }
          }
          default -> p.skipChildren(); // unknown fields are ignored, as elsewhere in the state
        }
      }
    }

    private static <T> List<T> readList(JsonParser p, DeserializationContext ctxt, Class<T> type,
        String name) throws IOException {
      if (p.currentToken() != JsonToken.START_ARRAY) {
        ctxt.reportInputMismatch(Map.class, "field '" + name + "' must be a list");
      }
      List<T> out = new ArrayList<>();
      while (p.nextToken() != JsonToken.END_ARRAY) {
        T v = ctxt.readValue(p, type);
        if (v == null) {
          ctxt.reportInputMismatch(Map.class, "field '" + name + "' holds a null");
        }
        out.add(v);
      }
      return out;
    }
  }
}
