package dev.sparq.onnx.jinja;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a template into text and tag tokens with Jinja2's whitespace rules as {@code transformers}
 * configures them: {@code trim_blocks} and {@code lstrip_blocks} on, {@code -} and {@code +}
 * markers, one trailing newline of the source dropped.
 */
final class Lexer {
  enum T { TEXT, VAR_BEGIN, VAR_END, BLOCK_BEGIN, BLOCK_END, NAME, STRING, INT, FLOAT, OP, EOF }

  record Tok(T type, String text, Object value, int line) {
    boolean is(T t, String s) {
      return type == t && text.equals(s);
    }

    boolean isOp(String s) {
      return type == T.OP && text.equals(s);
    }

    boolean isName(String s) {
      return type == T.NAME && text.equals(s);
    }
  }

  private static final String[] OPS = {"//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/",
      "%", "~", "<", ">", "(", ")", "[", "]", "{", "}", ",", ".", ":", "|", "="};

  private final String name;
  private final String src;
  private final List<Tok> out = new ArrayList<>();
  private int pos;
  private int line = 1;
  private boolean stripNext;

  private Lexer(String name, String source) {
    this.name = name;
    String s = source.replace("\r\n", "\n");
    if (s.endsWith("\n")) {
      s = s.substring(0, s.length() - 1);
    }
    this.src = s;
  }

  static List<Tok> lex(String name, String source) {
    Lexer l = new Lexer(name, source);
    l.run();
    return l.out;
  }

  private TemplateException error(String msg) {
    return new TemplateException(name, line, msg);
  }

  private void run() {
    while (pos <= src.length()) {
      int idx = nextTag(pos);
      int start = pos;
      if (stripNext) {
        while (start < src.length() && (idx < 0 || start < idx)
            && Py.isSpace(src.charAt(start))) {
          start++;
        }
        stripNext = false;
      }
      String text = src.substring(start, idx < 0 ? src.length() : idx);
      if (idx < 0) {
        emitText(text, start);
        break;
      }
      char kind = src.charAt(idx + 1);
      char marker = idx + 2 < src.length() ? src.charAt(idx + 2) : ' ';
      if (marker == '-') {
        text = rstrip(text);
      } else if (marker != '+' && kind != '{') {
        int lpos = text.lastIndexOf('\n') + 1;
        boolean lineStart = start == 0 || src.charAt(start - 1) == '\n';
        if ((lpos > 0 || lineStart) && lpos < text.length() && isBlank(text.substring(lpos))) {
          text = text.substring(0, lpos);
        }
      }
      emitText(text, start);
      line += count(src, start, idx);
      int body = idx + 2 + (marker == '-' || marker == '+' ? 1 : 0);
      if (kind == '#') {
        int end = src.indexOf("#}", body);
        if (end < 0) {
          throw error("comment not closed (missing '#}')");
        }
        line += count(src, idx, end);
        boolean minus = end > body && src.charAt(end - 1) == '-';
        pos = end + 2;
        afterBlockEnd(minus, end > body && src.charAt(end - 1) == '+');
        continue;
      }
      if (kind == '%' && tryRaw(idx, body)) {
        continue;
      }
      out.add(new Tok(kind == '{' ? T.VAR_BEGIN : T.BLOCK_BEGIN, kind == '{' ? "{{" : "{%", null,
          line));
      pos = body;
      lexInside(kind == '{');
    }
    out.add(new Tok(T.EOF, "", null, line));
  }

  private void afterBlockEnd(boolean minus, boolean plus) {
    if (minus) {
      stripNext = true;
    } else if (!plus && pos < src.length() && src.charAt(pos) == '\n') {
      pos++;
      line++;
    }
  }

  private boolean tryRaw(int idx, int body) {
    int p = skipWs(body);
    if (!src.startsWith("raw", p)) {
      return false;
    }
    p = skipWs(p + 3);
    boolean minus = src.startsWith("-%}", p);
    if (!minus && !src.startsWith("%}", p) && !src.startsWith("+%}", p)) {
      return false;
    }
    int tagEnd = src.indexOf("%}", p) + 2;
    int contentStart = tagEnd;
    if (minus) {
      while (contentStart < src.length() && Py.isSpace(src.charAt(contentStart))) {
        contentStart++;
      }
    } else if (contentStart < src.length() && src.charAt(contentStart) == '\n'
        && !src.startsWith("+%}", p)) {
      contentStart++;
    }
    int search = contentStart;
    while (true) {
      int e = src.indexOf("{%", search);
      if (e < 0) {
        throw error("raw block not closed (missing '{% endraw %}')");
      }
      int q = e + 2;
      boolean lminus = q < src.length() && src.charAt(q) == '-';
      if (lminus || (q < src.length() && src.charAt(q) == '+')) {
        q++;
      }
      q = skipWs(q);
      if (src.startsWith("endraw", q)) {
        int close = src.indexOf("%}", q);
        String content = src.substring(contentStart, e);
        if (lminus) {
          content = rstrip(content);
        }
        out.add(new Tok(T.TEXT, content, null, line));
        line += count(src, idx, close);
        pos = close + 2;
        afterBlockEnd(src.charAt(close - 1) == '-', src.charAt(close - 1) == '+');
        return true;
      }
      search = e + 2;
    }
  }

  private int skipWs(int p) {
    while (p < src.length() && Py.isSpace(src.charAt(p))) {
      p++;
    }
    return p;
  }

  private void emitText(String text, int start) {
    if (!text.isEmpty()) {
      out.add(new Tok(T.TEXT, text, null, line));
    }
  }

  private int nextTag(int from) {
    int i = src.indexOf('{', from);
    while (i >= 0 && i + 1 < src.length()) {
      char c = src.charAt(i + 1);
      if (c == '{' || c == '%' || c == '#') {
        return i;
      }
      i = src.indexOf('{', i + 1);
    }
    return -1;
  }

  private void lexInside(boolean variable) {
    List<Character> stack = new ArrayList<>();
    while (true) {
      while (pos < src.length() && Py.isSpace(src.charAt(pos))) {
        if (src.charAt(pos) == '\n') {
          line++;
        }
        pos++;
      }
      if (pos >= src.length()) {
        throw error("tag not closed (missing '" + (variable ? "}}" : "%}") + "')");
      }
      if (stack.isEmpty()) {
        String end = variable ? "}}" : "%}";
        if (src.startsWith("-" + end, pos) || src.startsWith("+" + end, pos)
            || src.startsWith(end, pos)) {
          char m = src.charAt(pos);
          pos += (m == '-' || m == '+') ? 3 : 2;
          out.add(new Tok(variable ? T.VAR_END : T.BLOCK_END, end, null, line));
          if (variable) {
            stripNext = m == '-';
          } else {
            afterBlockEnd(m == '-', m == '+');
          }
          return;
        }
      }
      char c = src.charAt(pos);
      if (c == '\'' || c == '"') {
        lexString(c);
      } else if (Character.isDigit(c)) {
        lexNumber();
      } else if (Character.isLetter(c) || c == '_') {
        int s = pos;
        while (pos < src.length()
            && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
          pos++;
        }
        out.add(new Tok(T.NAME, src.substring(s, pos), null, line));
      } else {
        String op = null;
        for (String o : OPS) {
          if (src.startsWith(o, pos)) {
            op = o;
            break;
          }
        }
        if (op == null) {
          throw error("unexpected character '" + c + "'");
        }
        pos += op.length();
        if (op.equals("(") || op.equals("[") || op.equals("{")) {
          stack.add(op.charAt(0));
        } else if (op.equals(")") || op.equals("]") || op.equals("}")) {
          char want = op.equals(")") ? '(' : op.equals("]") ? '[' : '{';
          if (stack.isEmpty() || stack.remove(stack.size() - 1) != want) {
            throw error("unexpected '" + op + "'");
          }
        }
        out.add(new Tok(T.OP, op, null, line));
      }
    }
  }

  private void lexNumber() {
    int s = pos;
    while (pos < src.length() && (Character.isDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
      pos++;
    }
    boolean isFloat = false;
    if (pos + 1 < src.length() && src.charAt(pos) == '.' && Character.isDigit(src.charAt(pos + 1))) {
      isFloat = true;
      pos++;
      while (pos < src.length()
          && (Character.isDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
        pos++;
      }
    }
    if (pos < src.length() && (src.charAt(pos) == 'e' || src.charAt(pos) == 'E')) {
      int q = pos + 1;
      if (q < src.length() && (src.charAt(q) == '+' || src.charAt(q) == '-')) {
        q++;
      }
      if (q < src.length() && Character.isDigit(src.charAt(q))) {
        isFloat = true;
        pos = q;
        while (pos < src.length() && Character.isDigit(src.charAt(pos))) {
          pos++;
        }
      }
    }
    String t = src.substring(s, pos).replace("_", "");
    try {
      out.add(isFloat ? new Tok(T.FLOAT, t, Double.parseDouble(t), line)
          : new Tok(T.INT, t, Long.parseLong(t), line));
    } catch (NumberFormatException e) {
      throw error("number out of range: " + t);
    }
  }

  private void lexString(char q) {
    int startLine = line;
    StringBuilder sb = new StringBuilder();
    pos++;
    while (true) {
      if (pos >= src.length()) {
        throw new TemplateException(name, startLine, "string literal not closed");
      }
      char c = src.charAt(pos++);
      if (c == q) {
        break;
      }
      if (c == '\n') {
        line++;
      }
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      if (pos >= src.length()) {
        throw new TemplateException(name, startLine, "string literal not closed");
      }
      char e = src.charAt(pos++);
      switch (e) {
        case 'n' -> sb.append('\n');
        case 't' -> sb.append('\t');
        case 'r' -> sb.append('\r');
        case 'a' -> sb.append('\u0007');
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'v' -> sb.append('\u000b');
        case '\\' -> sb.append('\\');
        case '\'' -> sb.append('\'');
        case '"' -> sb.append('"');
        case '\n' -> line++;
        case 'x' -> sb.appendCodePoint(hex(2, startLine));
        case 'u' -> sb.appendCodePoint(hex(4, startLine));
        case 'U' -> sb.appendCodePoint(hex(8, startLine));
        default -> {
          if (e >= '0' && e <= '7') {
            int v = e - '0';
            for (int k = 0; k < 2 && pos < src.length() && src.charAt(pos) >= '0'
                && src.charAt(pos) <= '7'; k++) {
              v = v * 8 + (src.charAt(pos++) - '0');
            }
            sb.append((char) v);
          } else {
            sb.append('\\').append(e);
          }
        }
      }
    }
    out.add(new Tok(T.STRING, sb.toString(), sb.toString(), startLine));
  }

  private int hex(int n, int startLine) {
    if (pos + n > src.length()) {
      throw new TemplateException(name, startLine, "truncated \\x/\\u escape in string literal");
    }
    try {
      int v = Integer.parseUnsignedInt(src.substring(pos, pos + n), 16);
      if (v > Character.MAX_CODE_POINT) {
        throw new NumberFormatException();
      }
      pos += n;
      return v;
    } catch (NumberFormatException e) {
      throw new TemplateException(name, startLine, "bad escape in string literal");
    }
  }

  static String rstrip(String s) {
    int e = s.length();
    while (e > 0 && Py.isSpace(s.charAt(e - 1))) {
      e--;
    }
    return s.substring(0, e);
  }

  private static boolean isBlank(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (!Py.isSpace(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static int count(String s, int from, int to) {
    int n = 0;
    for (int i = from; i < to && i < s.length(); i++) {
      if (s.charAt(i) == '\n') {
        n++;
      }
    }
    return n;
  }
}
