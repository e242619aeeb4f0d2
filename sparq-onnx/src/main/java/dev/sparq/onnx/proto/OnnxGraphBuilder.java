package dev.sparq.onnx.proto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a small ONNX model (one graph in the default domain) and serialises it to the ONNX
 * protobuf format. Used for the helper graphs of {@code sparq-onnx} (KV-cache row gathering) and for
 * the random test decoders of {@link dev.sparq.onnx.testing.TinyDecoder}.
 *
 * <p>Dimensions are given as {@code Object}s: a {@link Number} is a fixed size, a {@link String} a
 * symbolic one (for example {@code "batch_size"}).
 */
public final class OnnxGraphBuilder {
  /** ONNX {@code TensorProto.DataType} codes used here. */
  public static final int FLOAT = 1;
  /** 64-bit signed integer element type. */
  public static final int INT64 = 7;
  /** Boolean element type. */
  public static final int BOOL = 9;
  /** IEEE half-precision element type. */
  public static final int FLOAT16 = 10;

  private final String name;
  private final int opset;
  private final List<ProtoWriter> nodes = new ArrayList<>();
  private final List<String[]> nodeInputs = new ArrayList<>();
  private final List<String[]> nodeOutputs = new ArrayList<>();
  private final List<ProtoWriter> initializers = new ArrayList<>();
  private final List<ProtoWriter> inputs = new ArrayList<>();
  private final List<ProtoWriter> outputs = new ArrayList<>();
  private final List<ProtoWriter> valueInfos = new ArrayList<>();
  private final java.util.Set<String> initializerNames = new java.util.HashSet<>();
  private int counter;
  private java.io.OutputStream external;
  private String externalName;
  private long externalOffset;

  /**
   * @param name graph name
   * @param opset opset version of the default ONNX domain
   */
  public OnnxGraphBuilder(String name, int opset) {
    this.name = name;
    this.opset = opset;
  }

  /**
   * Stores float initializers added from now on in an external data file (the {@code .onnx_data}
   * layout of large Optimum exports) instead of inside the model file. The file name is recorded
   * relative to the model file, so both must be written to the same directory.
   */
  public OnnxGraphBuilder externalData(Path dataFile) throws IOException {
    external = new java.io.BufferedOutputStream(Files.newOutputStream(dataFile), 1 << 20);
    externalName = dataFile.getFileName().toString();
    externalOffset = 0;
    return this;
  }

  /** A fresh value name with the given prefix (and the builder's {@link #namePrefix}). */
  public String fresh(String prefix) {
    return namePrefix + prefix + "_" + (counter++);
  }

  private String namePrefix = "";

  /**
   * Prefixes the fresh value names and the node names made from now on, so that nodes added to
   * another graph's nodes cannot collide with its names.
   */
  public OnnxGraphBuilder namePrefix(String prefix) {
    this.namePrefix = prefix;
    return this;
  }

  /** Declares a graph input. */
  public OnnxGraphBuilder input(String name, int elemType, Object... dims) {
    inputs.add(valueInfo(name, elemType, dims));
    return this;
  }

  /** Declares a graph output. */
  public OnnxGraphBuilder output(String name, int elemType, Object... dims) {
    outputs.add(valueInfo(name, elemType, dims));
    return this;
  }

  /** Adds a float initializer with the given shape (row-major data). */
  public String floatInit(String name, float[] data, long... dims) {
    ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(data);
    initializerNames.add(name);
    if (external == null) {
      initializers.add(tensor(name, FLOAT, dims, b.array()));
      return name;
    }
    try {
      long pad = (4096 - externalOffset % 4096) % 4096;
      external.write(new byte[(int) pad]);
      externalOffset += pad;
      external.write(b.array());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    ProtoWriter t = new ProtoWriter();
    t.packedInt64(1, dims);
    t.int64(2, FLOAT);
    t.string(8, name);
    t.message(13, new ProtoWriter().string(1, "location").string(2, externalName));
    t.message(13, new ProtoWriter().string(1, "offset").string(2, Long.toString(externalOffset)));
    t.message(13, new ProtoWriter().string(1, "length").string(2, Long.toString(b.capacity())));
    t.int64(14, 1); // data_location = EXTERNAL
    initializers.add(t);
    externalOffset += b.capacity();
    return name;
  }

  /** Adds an int64 initializer with the given shape. */
  public String longInit(String name, long[] data, long... dims) {
    ByteBuffer b = ByteBuffer.allocate(data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(data);
    initializers.add(tensor(name, INT64, dims, b.array()));
    initializerNames.add(name);
    return name;
  }

  /** Adds a boolean initializer (one byte per element, 0 or 1) with the given shape. */
  public String boolInit(String name, byte[] data, long... dims) {
    initializers.add(tensor(name, BOOL, dims, data.clone()));
    initializerNames.add(name);
    return name;
  }

  /** Whether an initializer of that name was added. */
  public boolean hasInitializer(String name) {
    return initializerNames.contains(name);
  }

  /** Adds an already encoded {@code NodeProto} with its input and output names. */
  void rawNode(ProtoWriter node, String[] in, String[] out) {
    nodes.add(node);
    nodeInputs.add(in);
    nodeOutputs.add(out);
  }

  /**
   * Reorders the nodes topologically (ONNX requires it), keeping the current order wherever the
   * data flow allows. Names no node produces (graph inputs, initializers, outer-scope values) count
   * as available.
   *
   * @throws IllegalStateException when the nodes form a cycle
   */
  void sortTopologically() {
    int n = nodes.size();
    java.util.Map<String, Integer> producer = new java.util.HashMap<>();
    for (int i = 0; i < n; i++) {
      for (String o : nodeOutputs.get(i)) {
        if (!o.isEmpty()) {
          producer.put(o, i);
        }
      }
    }
    int[] waiting = new int[n];
    List<List<Integer>> users = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      users.add(new ArrayList<>());
    }
    for (int i = 0; i < n; i++) {
      for (String in : new java.util.LinkedHashSet<>(List.of(nodeInputs.get(i)))) {
        Integer p = producer.get(in);
        if (p != null && p != i) {
          waiting[i]++;
          users.get(p).add(i);
        }
      }
    }
    java.util.PriorityQueue<Integer> ready = new java.util.PriorityQueue<>();
    for (int i = 0; i < n; i++) {
      if (waiting[i] == 0) {
        ready.add(i);
      }
    }
    List<Integer> order = new ArrayList<>(n);
    while (!ready.isEmpty()) {
      int i = ready.poll();
      order.add(i);
      for (int u : users.get(i)) {
        if (--waiting[u] == 0) {
          ready.add(u);
        }
      }
    }
    if (order.size() != n) {
      throw new IllegalStateException("the graph's nodes form a cycle");
    }
    List<ProtoWriter> sortedNodes = new ArrayList<>(n);
    List<String[]> sortedIn = new ArrayList<>(n);
    List<String[]> sortedOut = new ArrayList<>(n);
    for (int i : order) {
      sortedNodes.add(nodes.get(i));
      sortedIn.add(nodeInputs.get(i));
      sortedOut.add(nodeOutputs.get(i));
    }
    nodes.clear();
    nodes.addAll(sortedNodes);
    nodeInputs.clear();
    nodeInputs.addAll(sortedIn);
    nodeOutputs.clear();
    nodeOutputs.addAll(sortedOut);
  }

  /** Adds an already encoded {@code value_info} field (tag included). */
  void rawValueInfo(ByteBuffer encodedField) {
    valueInfos.add(new ProtoWriter().raw(encodedField));
  }

  /** Adds a node with one output named {@code out}; attributes via {@link Attr}. */
  public String node(String op, String[] in, String out, Attr... attrs) {
    node(op, in, new String[] {out}, attrs);
    return out;
  }

  /** Adds a node with several outputs. */
  public void node(String op, String[] in, String[] out, Attr... attrs) {
    ProtoWriter n = new ProtoWriter();
    for (String i : in) {
      n.string(1, i);
    }
    for (String o : out) {
      n.string(2, o);
    }
    n.string(3, (out[0].startsWith(namePrefix) ? "" : namePrefix) + out[0] + "_node");
    n.string(4, op);
    for (Attr a : attrs) {
      n.message(5, a.write());
    }
    nodes.add(n);
    nodeInputs.add(in.clone());
    nodeOutputs.add(out.clone());
  }

  /** Convenience: a node with a fresh output name. */
  public String op(String op, Attr[] attrs, String... in) {
    return node(op, in, fresh(op.toLowerCase(java.util.Locale.ROOT)), attrs);
  }

  /** Convenience: a node without attributes and a fresh output name. */
  public String op(String op, String... in) {
    return op(op, new Attr[0], in);
  }

  /** The serialised {@code ModelProto}. */
  public byte[] toBytes() {
    ProtoWriter model = new ProtoWriter();
    model.int64(1, 8); // ir_version 8 (ONNX 1.10+), supports opset 17
    model.string(2, "sparq-onnx");
    model.message(8, new ProtoWriter().string(1, "").int64(2, opset));
    model.message(7, graphProto());
    return model.toByteArray();
  }

  /** The {@code GraphProto} alone (for a graph attribute). */
  ProtoWriter graphProto() {
    ProtoWriter graph = new ProtoWriter();
    for (ProtoWriter n : nodes) {
      graph.message(1, n);
    }
    graph.string(2, name);
    for (ProtoWriter t : initializers) {
      graph.message(5, t);
    }
    for (ProtoWriter i : inputs) {
      graph.message(11, i);
    }
    for (ProtoWriter o : outputs) {
      graph.message(12, o);
    }
    for (ProtoWriter v : valueInfos) {
      graph.raw(java.nio.ByteBuffer.wrap(v.toByteArray()));
    }
    return graph;
  }

  /** Writes the model to a file. */
  public void write(Path file) throws IOException {
    if (external != null) {
      external.close();
      external = null;
    }
    Files.write(file, toBytes());
  }

  private static ProtoWriter tensor(String name, int type, long[] dims, byte[] raw) {
    ProtoWriter t = new ProtoWriter();
    if (dims.length > 0) {
      t.packedInt64(1, dims);
    }
    t.int64(2, type);
    t.string(8, name);
    t.bytes(9, raw);
    return t;
  }

  static ProtoWriter valueInfoProto(String name, int elemType, Object[] dims) {
    return valueInfo(name, elemType, dims);
  }

  private static ProtoWriter valueInfo(String name, int elemType, Object[] dims) {
    ProtoWriter shape = new ProtoWriter();
    for (Object d : dims) {
      ProtoWriter dim = new ProtoWriter();
      if (d instanceof Number n) {
        dim.int64(1, n.longValue());
      } else {
        dim.string(2, d.toString());
      }
      shape.message(1, dim);
    }
    ProtoWriter tensorType = new ProtoWriter().int64(1, elemType).message(2, shape);
    ProtoWriter type = new ProtoWriter().message(1, tensorType);
    return new ProtoWriter().string(1, name).message(2, type);
  }

  /** A node attribute. */
  public static final class Attr {
    private final ProtoWriter w;

    private Attr(ProtoWriter w) {
      this.w = w;
    }

    ProtoWriter write() {
      return w;
    }

    /** An INT attribute. */
    public static Attr i(String name, long v) {
      return new Attr(new ProtoWriter().string(1, name).int64(3, v).int64(20, 2));
    }

    /** A FLOAT attribute. */
    public static Attr f(String name, float v) {
      return new Attr(new ProtoWriter().string(1, name).float32(2, v).int64(20, 1));
    }

    /** An INTS attribute. */
    public static Attr ints(String name, long... v) {
      return new Attr(new ProtoWriter().string(1, name).packedInt64(8, v).int64(20, 7));
    }

    /** A GRAPH attribute holding the graph of a builder. */
    public static Attr graph(String name, OnnxGraphBuilder g) {
      return new Attr(new ProtoWriter().string(1, name).message(6, g.graphProto()).int64(20, 5));
    }

    /** A TENSOR attribute holding a float scalar (for {@code Constant}). */
    public static Attr floatScalar(String name, float v) {
      ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v);
      ProtoWriter t = new ProtoWriter().int64(2, FLOAT).bytes(9, b.array());
      return new Attr(new ProtoWriter().string(1, name).message(5, t).int64(20, 4));
    }
  }
}
