package dev.sparq.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparq.core.ModelException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The files of a Hugging Face Optimum / onnx-community decoder export, read and checked:
 * {@code config.json}, optional {@code generation_config.json}, {@code tokenizer.json},
 * {@code tokenizer_config.json} with a {@code chat_template}, and the chosen
 * {@code onnx/model*.onnx} variant (its {@code .onnx_data} is found by ONNX Runtime next to it).
 * Everything that is missing or unreadable is reported together in one {@link ModelException}.
 */
public final class ModelDirectory {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final Path modelFile;
  private final JsonNode config;
  private final JsonNode generationConfig;
  private final Path tokenizerJson;
  private final String chatTemplate;
  private final String bosToken;
  private final String eosToken;
  private final Set<Long> eosIds;
  private final java.util.Map<String, String> specialTokens;
  private final long tokenizerMaxLength;

  private ModelDirectory(Path dir, Path modelFile, JsonNode config, JsonNode generationConfig,
      Path tokenizerJson, String chatTemplate, String bosToken, String eosToken, Set<Long> eosIds,
      java.util.Map<String, String> specialTokens, long tokenizerMaxLength) {
    this.specialTokens = java.util.Map.copyOf(specialTokens);
    this.tokenizerMaxLength = tokenizerMaxLength;
    this.dir = dir;
    this.modelFile = modelFile;
    this.config = config;
    this.generationConfig = generationConfig;
    this.tokenizerJson = tokenizerJson;
    this.chatTemplate = chatTemplate;
    this.bosToken = bosToken;
    this.eosToken = eosToken;
    this.eosIds = eosIds;
  }

  /**
   * Reads a model directory.
   *
   * @param variant the ONNX variant, see {@link OnnxOptions#variant()}
   * @throws ModelException naming every missing file or field
   */
  public static ModelDirectory read(Path dir, String variant) {
    List<String> problems = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      throw new ModelException(dir + ": not a model directory (it does not exist or is a file)");
    }
    JsonNode config = readJson(dir.resolve("config.json"), true, problems);
    JsonNode gen = readJson(dir.resolve("generation_config.json"), false, problems);
    JsonNode tokCfg = readJson(dir.resolve("tokenizer_config.json"), true, problems);
    if (config != null && !config.isObject()) {
      problems.add("config.json: must be a JSON object, is " + config.getNodeType().name()
          .toLowerCase(java.util.Locale.ROOT));
      config = null;
    } else if (config != null) {
      checkCounts(config, "", problems);
      if (config.path("text_config").isObject()) {
        checkCounts(config.get("text_config"), "text_config.", problems);
      }
    }
    Path tokenizer = dir.resolve("tokenizer.json");
    if (!Files.isRegularFile(tokenizer)) {
      problems.add("tokenizer.json is missing");
    }
    Path model = dir.resolve("onnx").resolve(OnnxOptions.fileOfVariant(variant));
    if (!Files.isRegularFile(model)) {
      Path flat = dir.resolve(OnnxOptions.fileOfVariant(variant));
      if (Files.isRegularFile(flat)) {
        model = flat;
      } else {
        problems.add("onnx/" + OnnxOptions.fileOfVariant(variant) + " is missing (variant '"
            + variant + "'; variants present: " + variantsIn(dir) + ")");
      }
    }
    String template = null;
    String bos = null;
    String eos = null;
    java.util.Map<String, String> special = java.util.Map.of();
    if (tokCfg != null) {
      template = chatTemplate(tokCfg.get("chat_template"));
      if (template == null) {
        Path jinja = dir.resolve("chat_template.jinja");
        if (Files.isRegularFile(jinja)) {
          try {
            long size = Files.size(jinja);
            if (size > MAX_TEMPLATE_BYTES) {
              problems.add("chat_template.jinja: the file is " + size + " bytes, more than the "
                  + MAX_TEMPLATE_BYTES + " bytes a chat template may have");
            } else {
              template = Files.readString(jinja);
            }
          } catch (IOException e) {
            problems.add("chat_template.jinja: cannot read the file: "
                + dev.sparq.core.internal.IoMessages.describe(e));
          }
        } else {
          problems.add("tokenizer_config.json: field 'chat_template' is missing (and there is no"
              + " chat_template.jinja)");
        }
      }
      special = specialTokensOf(tokCfg);
      bos = tokenText(tokCfg.get("bos_token"));
      eos = tokenText(tokCfg.get("eos_token"));
    }
    Set<Long> eosIds = new LinkedHashSet<>();
    if (gen != null) {
      addIds(gen.get("eos_token_id"), eosIds);
    }
    if (config != null) {
      addIds(config.get("eos_token_id"), eosIds);
    }
    if (!problems.isEmpty()) {
      throw new ModelException(dir + ": not a usable ONNX decoder directory: "
          + String.join("; ", problems));
    }
    long tokMax = -1;
    JsonNode mml = tokCfg == null ? null : tokCfg.get("model_max_length");
    // transformers writes a sentinel of about 1e30 when the length is unknown
    if (mml != null && mml.isNumber() && mml.asDouble() >= 1 && mml.asDouble() <= 100_000_000) {
      tokMax = mml.asLong();
    }
    return new ModelDirectory(dir, model, config, gen, tokenizer, template, bos, eos, eosIds,
        special, tokMax);
  }

  /** Fields of {@code config.json} that, when present, must be whole numbers of at least 1. */
  static final List<String> COUNT_FIELDS = List.of("num_hidden_layers", "num_attention_heads",
      "num_key_value_heads", "hidden_size", "head_dim", "vocab_size", "max_position_embeddings");

  /**
   * Adds a problem for every {@link #COUNT_FIELDS count field} that is not a whole number of at
   * least 1 ({@code null} counts as absent): a string or a negative value would otherwise be
   * skipped or fail later with a message about something else.
   */
  private static void checkCounts(JsonNode config, String prefix, List<String> problems) {
    for (String f : COUNT_FIELDS) {
      JsonNode n = config.get(f);
      if (n == null || n.isNull()) {
        continue;
      }
      if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < 1) {
        String shown = n.toString();
        problems.add("config.json: field '" + prefix + f + "' must be a whole number >= 1, is "
            + (shown.length() > 40 ? shown.substring(0, 40) + "..." : shown));
      }
    }
  }

  private static String variantsIn(Path dir) {
    Path onnx = dir.resolve("onnx");
    if (!Files.isDirectory(onnx)) {
      return "none, there is no onnx/ folder";
    }
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.list(onnx)) {
      files.map(p -> p.getFileName().toString()).sorted().forEach(n -> {
        if (n.equals("model.onnx")) {
          found.add("fp32");
        } else if (n.startsWith("model_") && n.endsWith(".onnx")) {
          found.add(n.substring(6, n.length() - 5));
        }
      });
    } catch (IOException e) {
      return "unknown (" + e.getMessage() + ")";
    }
    return found.isEmpty() ? "none" : String.join(", ", found);
  }

  private static JsonNode readJson(Path file, boolean required, List<String> problems) {
    if (!Files.exists(file)) {
      if (required) {
        problems.add(file.getFileName() + " is missing");
      }
      return null;
    }
    try {
      return readModelJson(file);
    } catch (ModelFileException e) {
      problems.add(file.getFileName() + ": " + e.getMessage());
      return null;
    }
  }

  /** The largest JSON file of a model directory that is read (real ones are a few MB at most). */
  static final long MAX_JSON_BYTES = 64L << 20;

  /** The largest {@code chat_template.jinja} that is read (real ones are a few KB). */
  static final long MAX_TEMPLATE_BYTES = 20_000_000;

  /** Why a model file could not be read, in plain words, without the file name. */
  static final class ModelFileException extends Exception {
    private static final long serialVersionUID = 1L;

    ModelFileException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Reads a JSON file of a model directory ({@code config.json}, {@code tokenizer_config.json},
   * {@code generation_config.json}). Only a regular file is read (links are followed, as in the
   * Hugging Face cache; a FIFO or device is refused before it is opened). A file over
   * {@link #MAX_JSON_BYTES} is refused before it is parsed; a parse error says where (line, column) and what is wrong, in the parser's words
   * without Jackson's internals (source excerpts, feature and class names).
   */
  static JsonNode readModelJson(Path file) throws ModelFileException {
    if (Files.exists(file) && !Files.isRegularFile(file)) {
      // a FIFO would block the reader forever, a device (a link to /dev/zero) fill memory
      throw new ModelFileException("not a regular file (a folder, FIFO or device is not read)", null);
    }
    try {
      long size = Files.size(file);
      if (size > MAX_JSON_BYTES) {
        throw new ModelFileException("the file is " + size + " bytes, more than the "
            + MAX_JSON_BYTES + " bytes (64 MiB) a model's JSON file may have", null);
      }
      JsonNode n = JSON.readTree(file.toFile());
      if (n == null || n.isMissingNode()) {
        throw new ModelFileException("invalid JSON: the file is empty", null);
      }
      return n;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      // not chained: printing the cause would bring back the excerpt this message leaves out
      throw new ModelFileException("invalid JSON" + where(e) + ": " + jsonProblem(e), null);
    } catch (IOException e) {
      throw new ModelFileException("cannot read the file: "
          + dev.sparq.core.internal.IoMessages.describe(e), e);
    }
  }

  /** {@code " (line L, column C)"} of a parse error, or nothing when unknown. */
  private static String where(com.fasterxml.jackson.core.JsonProcessingException e) {
    com.fasterxml.jackson.core.JsonLocation loc = e.getLocation();
    if (loc == null || loc.getLineNr() <= 0) {
      return "";
    }
    return " (line " + loc.getLineNr() + (loc.getColumnNr() > 0 ? ", column "
        + loc.getColumnNr() : "") + ")";
  }

  /**
   * The parser's words ({@code StrictJson.problem}: one line, no source excerpt or Jackson names),
   * with the string-length limit said in terms of a model file.
   */
  static String jsonProblem(com.fasterxml.jackson.core.JsonProcessingException e) {
    String m = dev.sparq.core.internal.StrictJson.problem(e);
    java.util.regex.Matcher tooLong = java.util.regex.Pattern.compile(
        "String value length \\((\\d+)\\) exceeds the maximum allowed \\((\\d+)").matcher(m);
    if (tooLong.find()) {
      return "a string value (for example chat_template) is longer than "
          + tooLong.group(2) + " characters, the most a model file's string may have";
    }
    return m;
  }

  private static String chatTemplate(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    if (n.isTextual()) {
      return n.asText();
    }
    if (n.isArray()) { // [{"name": "default", "template": "..."}, {"name": "tool_use", ...}]
      for (JsonNode t : n) {
        if ("default".equals(t.path("name").asText())) {
          return t.path("template").asText();
        }
      }
      return n.size() > 0 ? n.get(0).path("template").asText(null) : null;
    }
    return null;
  }

  /** Named special tokens as {@code transformers} passes them to chat templates. */
  static final List<String> SPECIAL_TOKEN_NAMES = List.of("bos_token", "eos_token", "unk_token",
      "sep_token", "pad_token", "cls_token", "mask_token");

  /** The named special tokens of a parsed {@code tokenizer_config.json} that are set. */
  static java.util.Map<String, String> specialTokensOf(JsonNode tokCfg) {
    java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
    if (tokCfg != null) {
      for (String k : SPECIAL_TOKEN_NAMES) {
        String v = tokenText(tokCfg.get(k));
        if (v != null) {
          out.put(k, v);
        }
      }
    }
    return out;
  }

  static String chatTemplateOf(JsonNode tokCfg) {
    return tokCfg == null ? null : chatTemplate(tokCfg.get("chat_template"));
  }

  /**
   * The named chat templates of a parsed {@code tokenizer_config.json}: a list
   * {@code [{"name": ..., "template": ...}, ...]} in file order, or one plain template under the
   * name {@code default}; empty when there is none.
   */
  static java.util.Map<String, String> chatTemplatesOf(JsonNode tokCfg) {
    java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
    JsonNode n = tokCfg == null ? null : tokCfg.get("chat_template");
    if (n != null && n.isTextual()) {
      out.put("default", n.asText());
    } else if (n != null && n.isArray()) {
      for (JsonNode t : n) {
        if (t.path("name").isTextual() && t.path("template").isTextual()) {
          out.putIfAbsent(t.path("name").asText(), t.path("template").asText());
        }
      }
    }
    return out;
  }

  private static String tokenText(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    return n.isObject() ? n.path("content").asText(null) : n.asText();
  }

  private static void addIds(JsonNode n, Set<Long> out) {
    if (n == null || n.isNull()) {
      return;
    }
    if (n.isArray()) {
      n.forEach(x -> out.add(x.asLong()));
    } else if (n.isIntegralNumber()) {
      out.add(n.asLong());
    }
  }

  /** The directory. */
  public Path dir() {
    return dir;
  }

  /** The chosen ONNX file. */
  public Path modelFile() {
    return modelFile;
  }

  /** {@code config.json}. */
  public JsonNode config() {
    return config;
  }

  /** {@code generation_config.json}, or an empty object. */
  public JsonNode generationConfig() {
    return generationConfig == null ? JSON.createObjectNode() : generationConfig;
  }

  /** {@code tokenizer.json}. */
  public Path tokenizerJson() {
    return tokenizerJson;
  }

  /** The Jinja chat template. */
  public String chatTemplate() {
    return chatTemplate;
  }

  /** {@code bos_token} text of the tokenizer config, or null. */
  public String bosToken() {
    return bosToken;
  }

  /** {@code eos_token} text of the tokenizer config, or null. */
  public String eosToken() {
    return eosToken;
  }

  /**
   * The named special tokens of {@code tokenizer_config.json} that are set ({@code bos_token},
   * {@code eos_token}, {@code unk_token}, {@code sep_token}, {@code pad_token},
   * {@code cls_token}, {@code mask_token}), as the chat template sees them.
   */
  public java.util.Map<String, String> specialTokens() {
    return specialTokens;
  }

  /** EOS ids from {@code generation_config.json} and {@code config.json} (either may be a list). */
  public Set<Long> eosIds() {
    return eosIds;
  }

  /**
   * {@code model_max_length} of {@code tokenizer_config.json} when it is a real length (between 1
   * and 10^8; transformers writes about 10^30 for "unknown"), else empty.
   */
  public java.util.OptionalLong tokenizerMaxLength() {
    return tokenizerMaxLength > 0 ? java.util.OptionalLong.of(tokenizerMaxLength)
        : java.util.OptionalLong.empty();
  }

  /** An integer of {@code config.json} (looked up also under {@code text_config}), or {@code def}. */
  public long configLong(String field, long def) {
    JsonNode n = config.get(field);
    if (n == null && config.has("text_config")) {
      n = config.get("text_config").get(field);
    }
    return n != null && n.isNumber() ? n.asLong() : def;
  }
}
