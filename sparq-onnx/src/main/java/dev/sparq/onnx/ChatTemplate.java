package dev.sparq.onnx;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import dev.sparq.core.ModelException;
import dev.sparq.core.llm.ChatMessage;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A Hugging Face chat template ({@code chat_template} of {@code tokenizer_config.json}) rendered
 * with Jinjava set up the way {@code transformers} sets up Jinja2: {@code trim_blocks} and
 * {@code lstrip_blocks} on, a {@code raise_exception(msg)} function, {@code strftime_now(fmt)},
 * and a Python-style {@code tojson} filter ({@code ", "} and {@code ": "} separators, non-ASCII
 * kept). The variables are {@code messages} (maps with {@code role} and {@code content}),
 * {@code add_generation_prompt}, {@code bos_token} and {@code eos_token}.
 *
 * <p>A template that raises, or fails to parse or render, throws {@link ModelException} with
 * Jinjava's message; it never returns partial output. Thread-safe.
 */
public final class ChatTemplate {
  private static final ThreadLocal<Clock> CLOCK = new ThreadLocal<>();

  private final String template;
  private final String bosToken;
  private final String eosToken;
  private final Clock clock;
  private final Jinjava jinjava;

  /**
   * @param template the Jinja source
   * @param bosToken value of {@code bos_token} (empty when the model has none)
   * @param eosToken value of {@code eos_token}
   * @param clock clock of {@code strftime_now}
   */
  public ChatTemplate(String template, String bosToken, String eosToken, Clock clock) {
    this.template = Objects.requireNonNull(template, "template");
    this.bosToken = bosToken == null ? "" : bosToken;
    this.eosToken = eosToken == null ? "" : eosToken;
    this.clock = Objects.requireNonNull(clock, "clock");
    JinjavaConfig config = JinjavaConfig.newBuilder()
        .withTrimBlocks(true)
        .withLstripBlocks(true)
        .withFailOnUnknownTokens(false)
        .build();
    this.jinjava = new Jinjava(config);
    jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition(
        "", "raise_exception", ChatTemplate.class, "raiseException", String.class));
    jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition(
        "", "strftime_now", ChatTemplate.class, "strftimeNow", String.class));
    jinjava.getGlobalContext().registerFilter(new PyToJson());
  }

  /** A template with the system clock. */
  public ChatTemplate(String template, String bosToken, String eosToken) {
    this(template, bosToken, eosToken, Clock.systemUTC());
  }

  /** The Jinja source. */
  public String source() {
    return template;
  }

  /** Renders a conversation. */
  public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
    List<Map<String, Object>> msgs = new ArrayList<>();
    for (ChatMessage m : messages) {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("role", m.role().wireName());
      map.put("content", m.content());
      msgs.add(map);
    }
    Map<String, Object> vars = new HashMap<>();
    vars.put("messages", msgs);
    vars.put("add_generation_prompt", addGenerationPrompt);
    vars.put("bos_token", bosToken);
    vars.put("eos_token", eosToken);
    RenderResult result;
    CLOCK.set(clock);
    try {
      result = jinjava.renderForResult(template, vars);
    } finally {
      CLOCK.remove();
    }
    List<String> problems = new ArrayList<>();
    for (TemplateError e : result.getErrors()) {
      if (e.getSeverity() == TemplateError.ErrorType.FATAL) {
        String msg = e.getMessage();
        Throwable ex = e.getException();
        while (ex != null) {
          if (ex instanceof TemplateRaised tr) {
            msg = "raise_exception: " + tr.getMessage();
            break;
          }
          ex = ex.getCause();
        }
        problems.add((e.getLineno() > 0 ? "line " + e.getLineno() + ": " : "") + msg);
      }
    }
    if (!problems.isEmpty()) {
      throw new ModelException("chat template failed: " + String.join("; ", problems));
    }
    return result.getOutput();
  }

  /** Thrown by the template's {@code raise_exception}. */
  static final class TemplateRaised extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TemplateRaised(String message) {
      super(message);
    }
  }

  /** {@code raise_exception(msg)} of HF templates. Public for Jinjava's reflection only. */
  public static String raiseException(String message) {
    throw new TemplateRaised(message);
  }

  /** {@code strftime_now(fmt)} with Python's {@code strftime} codes. Public for Jinjava only. */
  public static String strftimeNow(String format) {
    Clock c = CLOCK.get();
    return strftime(ZonedDateTime.now(c == null ? Clock.systemUTC() : c), format);
  }

  static String strftime(ZonedDateTime t, String format) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < format.length(); i++) {
      char ch = format.charAt(i);
      if (ch != '%' || i + 1 == format.length()) {
        sb.append(ch);
        continue;
      }
      char code = format.charAt(++i);
      switch (code) {
        case 'd' -> sb.append(String.format(Locale.ROOT, "%02d", t.getDayOfMonth()));
        case 'm' -> sb.append(String.format(Locale.ROOT, "%02d", t.getMonthValue()));
        case 'Y' -> sb.append(t.getYear());
        case 'y' -> sb.append(String.format(Locale.ROOT, "%02d", t.getYear() % 100));
        case 'H' -> sb.append(String.format(Locale.ROOT, "%02d", t.getHour()));
        case 'I' -> sb.append(String.format(Locale.ROOT, "%02d", (t.getHour() + 11) % 12 + 1));
        case 'M' -> sb.append(String.format(Locale.ROOT, "%02d", t.getMinute()));
        case 'S' -> sb.append(String.format(Locale.ROOT, "%02d", t.getSecond()));
        case 'p' -> sb.append(t.getHour() < 12 ? "AM" : "PM");
        case 'j' -> sb.append(String.format(Locale.ROOT, "%03d", t.getDayOfYear()));
        case 'b' -> sb.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
        case 'B' -> sb.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
        case 'a' -> sb.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
        case 'A' -> sb.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
        case '%' -> sb.append('%');
        default -> sb.append('%').append(code);
      }
    }
    return sb.toString();
  }

  /** Python {@code json.dumps(x, ensure_ascii=False)} formatting, with optional {@code indent}. */
  static final class PyToJson implements Filter {
    @Override
    public String getName() {
      return "tojson";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
      return filter(var, interpreter, args, Map.of());
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args,
        Map<String, Object> kwargs) {
      Object indent = kwargs.get("indent");
      if (indent == null && args != null && args.length > 0) {
        indent = args[0];
      }
      int n = indent == null ? -1 : Integer.parseInt(indent.toString());
      StringBuilder sb = new StringBuilder();
      write(sb, var, n, 0);
      return sb.toString();
    }

    static void write(StringBuilder sb, Object v, int indent, int depth) {
      if (v == null) {
        sb.append("null");
      } else if (v instanceof Boolean b) {
        sb.append(b ? "true" : "false");
      } else if (v instanceof Double || v instanceof Float) {
        double d = ((Number) v).doubleValue();
        sb.append(Double.toString(d));
      } else if (v instanceof Number) {
        sb.append(v);
      } else if (v instanceof Map<?, ?> m) {
        if (m.isEmpty()) {
          sb.append("{}");
          return;
        }
        sb.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : m.entrySet()) {
          sb.append(first ? "" : ",");
          newline(sb, indent, depth + 1, first);
          first = false;
          string(sb, String.valueOf(e.getKey()));
          sb.append(": ");
          write(sb, e.getValue(), indent, depth + 1);
        }
        close(sb, indent, depth);
        sb.append('}');
      } else if (v instanceof Iterable<?> it) {
        if (!it.iterator().hasNext()) {
          sb.append("[]");
          return;
        }
        sb.append('[');
        boolean first = true;
        for (Object o : it) {
          sb.append(first ? "" : ",");
          newline(sb, indent, depth + 1, first);
          first = false;
          write(sb, o, indent, depth + 1);
        }
        close(sb, indent, depth);
        sb.append(']');
      } else {
        string(sb, v.toString());
      }
    }

    private static void newline(StringBuilder sb, int indent, int depth, boolean first) {
      if (indent >= 0) {
        sb.append('\n').append(" ".repeat(indent * depth));
      } else if (!first) {
        sb.append(' ');
      }
    }

    private static void close(StringBuilder sb, int indent, int depth) {
      if (indent >= 0) {
        sb.append('\n').append(" ".repeat(indent * depth));
      }
    }

    private static void string(StringBuilder sb, String s) {
      sb.append('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
          case '"' -> sb.append("\\\"");
          case '\\' -> sb.append("\\\\");
          case '\n' -> sb.append("\\n");
          case '\r' -> sb.append("\\r");
          case '\t' -> sb.append("\\t");
          case '\b' -> sb.append("\\b");
          case '\f' -> sb.append("\\f");
          default -> {
            if (c < 0x20) {
              sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
              sb.append(c);
            }
          }
        }
      }
      sb.append('"');
    }
  }
}
