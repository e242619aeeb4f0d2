package dev.sparq.onnx.jinja;

import dev.sparq.onnx.jinja.Node.Stmt;
import dev.sparq.onnx.jinja.Py.Fn;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A Jinja2 template of the subset that Hugging Face chat templates use, parsed once and rendered
 * with the semantics of Python Jinja2 as {@code transformers} configures it ({@code trim_blocks},
 * {@code lstrip_blocks}, loop controls, an immutable sandbox, {@code raise_exception},
 * {@code strftime_now} and a {@code tojson} that writes like Python's {@code json.dumps} with
 * {@code ensure_ascii=False}).
 *
 * <p>Values are data only: strings handed in as variables are never parsed as template code, and
 * a template can reach nothing but the variables it is given and the built-in filters, tests and
 * str/list/dict methods (no Java objects, files, environment, system properties or class-path
 * resources; {@code include}, {@code import} and {@code extends} are rejected). Each render runs
 * under {@link Limits}. Every failure is a {@link TemplateException} naming the template and line.
 * Immutable and thread-safe.
 */
public final class Template {
  /**
   * Render budgets.
   *
   * @param maxTime wall time of one render
   * @param maxOutputChars largest output, and largest string built on the way
   * @param maxLoopIterations loop iterations of one render, all loops together (also the
   *     largest {@code range})
   */
  public record Limits(Duration maxTime, long maxOutputChars, long maxLoopIterations) {
    /** 2 s, 8 million characters, 1 million iterations. */
    public static final Limits DEFAULT = new Limits(Duration.ofSeconds(2), 8_000_000, 1_000_000);

    public Limits {
      Objects.requireNonNull(maxTime, "maxTime");
      if (maxTime.isNegative() || maxTime.isZero() || maxOutputChars <= 0
          || maxLoopIterations <= 0) {
        throw new IllegalArgumentException("render limits must be positive");
      }
    }
  }

  private final String name;
  private final List<Stmt> body;

  private Template(String name, List<Stmt> body) {
    this.name = name;
    this.body = body;
  }

  /**
   * Parses a template.
   *
   * @param name how errors name the template (for example the model directory)
   * @param source the Jinja source
   * @throws TemplateException on a syntax error or a statement chat templates may not use
   */
  public static Template parse(String name, String source) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(source, "source");
    try {
      return new Template(name, Parser.parse(name, source));
    } catch (StackOverflowError e) {
      throw new TemplateException(name, 0, "template nested too deeply to parse");
    }
  }

  /** How errors name this template. */
  public String name() {
    return name;
  }

  /**
   * Renders with these variables (strings, numbers, booleans, null, lists and maps, copied
   * deeply; they shadow the built-in globals of the same name).
   *
   * @param variables the template's variables
   * @param clock clock of {@code strftime_now}
   * @param limits render budgets
   * @throws TemplateException when the template raises, fails or goes over a budget
   * @throws IllegalArgumentException when a variable holds a value of another type
   */
  public String render(Map<String, ?> variables, Clock clock, Limits limits) {
    Interp in = new Interp(name, limits);
    Interp.Scope globals = new Interp.Scope(null);
    globals.vars.putAll(Builtins.globals(in));
    globals.vars.put("raise_exception", (Fn) (args, kw) -> {
      throw in.error("raise_exception: " + (args.isEmpty() ? "" : in.str(args.get(0))));
    });
    globals.vars.put("strftime_now", (Fn) (args, kw) -> {
      if (args.isEmpty() || !(args.get(0) instanceof String fmt)) {
        throw in.error("strftime_now expects a format string");
      }
      return strftime(ZonedDateTime.now(clock), fmt, in.maxChars());
    });
    Interp.Scope scope = new Interp.Scope(globals);
    for (Map.Entry<String, ?> e : variables.entrySet()) {
      scope.vars.put(e.getKey(), Py.fromJava(e.getValue(), e.getKey()));
    }
    StringBuilder out = new StringBuilder();
    try {
      in.render(body, scope, out);
    } catch (TemplateException e) {
      throw e;
    } catch (Py.TooLarge e) { // a string builder that had no interpreter at hand
      in.checkSize(e.chars);
      throw in.error("output or string larger than the budget of " + in.maxChars()
          + " characters");
    } catch (StackOverflowError e) {
      throw in.error("template recursion too deep");
    } catch (RuntimeException e) {
      if (e.getClass().getSimpleName().endsWith("Signal")) {
        throw in.error("'break' or 'continue' outside a loop");
      }
      throw in.error("cannot render (" + e.getClass().getSimpleName() + ": " + e.getMessage()
          + ")");
    }
    return out.toString();
  }

  /** Python {@code datetime.strftime} for the codes chat templates use. */
  public static String strftime(ZonedDateTime t, String format) {
    return strftime(t, format, Py.MAX_STRING);
  }

  private static String strftime(ZonedDateTime t, String format, long max) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < format.length(); i++) {
      Py.over(sb, max); // a code writes at most 9 characters (%B: September)
      char ch = format.charAt(i);
      if (ch != '%' || i + 1 == format.length()) {
        sb.append(ch);
        continue;
      }
      char code = format.charAt(++i);
      switch (code) {
        case 'd' -> sb.append(String.format(Locale.ROOT, "%02d", t.getDayOfMonth()));
        case 'e' -> sb.append(String.format(Locale.ROOT, "%2d", t.getDayOfMonth()));
        case 'm' -> sb.append(String.format(Locale.ROOT, "%02d", t.getMonthValue()));
        case 'Y' -> sb.append(t.getYear());
        case 'y' -> sb.append(String.format(Locale.ROOT, "%02d", t.getYear() % 100));
        case 'H' -> sb.append(String.format(Locale.ROOT, "%02d", t.getHour()));
        case 'I' -> sb.append(String.format(Locale.ROOT, "%02d", (t.getHour() + 11) % 12 + 1));
        case 'M' -> sb.append(String.format(Locale.ROOT, "%02d", t.getMinute()));
        case 'S' -> sb.append(String.format(Locale.ROOT, "%02d", t.getSecond()));
        case 'p' -> sb.append(t.getHour() < 12 ? "AM" : "PM");
        case 'j' -> sb.append(String.format(Locale.ROOT, "%03d", t.getDayOfYear()));
        case 'b', 'h' -> sb.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
        case 'B' -> sb.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
        case 'a' -> sb.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
        case 'A' -> sb.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
        case 'F' -> sb.append(String.format(Locale.ROOT, "%d-%02d-%02d", t.getYear(),
            t.getMonthValue(), t.getDayOfMonth()));
        case '%' -> sb.append('%');
        default -> sb.append('%').append(code);
      }
    }
    Py.over(sb, max);
    return sb.toString();
  }
}
