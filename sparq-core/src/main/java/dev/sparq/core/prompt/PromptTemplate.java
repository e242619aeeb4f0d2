package dev.sparq.core.prompt;

import dev.sparq.core.ConfigException;
import dev.sparq.core.llm.ChatRequest;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A chat prompt with named placeholders such as {@code {parent_problem}}, and an optional system
 * prompt. A placeholder is an identifier of lower-case letters, digits and underscores in braces;
 * anything else in braces (LaTeX such as {@code \boxed{}} or {@code \frac{1}{2}}) is left alone, and
 * {@code {{} / {}}} write literal braces. Values are inserted verbatim and never re-scanned, so a parent
 * problem containing {@code {x}} is safe.
 *
 * @param system the system prompt, or {@code null} for none
 * @param user the user message template
 */
public record PromptTemplate(String system, String user) {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{|\\}\\}|\\{([a-z][a-z0-9_]*)\\}");

  public PromptTemplate {
    Objects.requireNonNull(user, "user");
    if (user.isBlank()) {
      throw new ConfigException("prompt template: the user message is empty");
    }
  }

  /** A template with no system prompt. */
  public static PromptTemplate of(String user) {
    return new PromptTemplate(null, user);
  }

  /** A template with a system prompt. */
  public static PromptTemplate of(String system, String user) {
    return new PromptTemplate(system, user);
  }

  /** This template with another system prompt ({@code null} for none). */
  public PromptTemplate withSystem(String newSystem) {
    return new PromptTemplate(newSystem, user);
  }

  /** The placeholder names used in the system prompt and user message, in order of appearance. */
  public Set<String> placeholders() {
    Set<String> out = new LinkedHashSet<>();
    collect(system, out);
    collect(user, out);
    return out;
  }

  private static void collect(String text, Set<String> out) {
    if (text == null) {
      return;
    }
    Matcher m = PLACEHOLDER.matcher(text);
    while (m.find()) {
      if (m.group(1) != null) {
        out.add(m.group(1));
      }
    }
  }

  /**
   * Checks that every placeholder is one the operator can fill.
   *
   * @param operator the operator name, for the error message
   * @param allowed the names the operator provides
   * @throws ConfigException naming the unknown placeholder and the allowed ones
   */
  public PromptTemplate validate(String operator, Set<String> allowed) {
    for (String p : placeholders()) {
      if (!allowed.contains(p)) {
        throw ConfigException.forKey("operators." + operator + ".template",
            "unknown placeholder {" + p + "}; this operator fills " + allowed);
      }
    }
    return this;
  }

  /** Fills the placeholders; a placeholder without a value is an error. */
  public ChatRequest render(Map<String, String> values) {
    return ChatRequest.of(system == null ? null : fill(system, values), fill(user, values));
  }

  static String fill(String text, Map<String, String> values) {
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder sb = new StringBuilder(text.length() + 256);
    int last = 0;
    while (m.find()) {
      sb.append(text, last, m.start());
      String token = m.group();
      if (token.equals("{{")) {
        sb.append('{');
      } else if (token.equals("}}")) {
        sb.append('}');
      } else {
        String v = values.get(m.group(1));
        if (v == null) {
          throw new ConfigException("prompt template: no value for placeholder {" + m.group(1) + "}");
        }
        sb.append(v);
      }
      last = m.end();
    }
    sb.append(text, last, text.length());
    return sb.toString();
  }
}
