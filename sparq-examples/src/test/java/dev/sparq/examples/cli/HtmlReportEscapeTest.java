package dev.sparq.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.sparq.core.internal.Json;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Generated text cannot hide or reorder itself in the report. */
class HtmlReportEscapeTest {
  @Test
  void bidiAndControlCharactersAreShownEscaped() throws IOException {
    assertEquals("x = 1\\u202E2 + 3\\u0007\\u2066", HtmlReport.escape("x = 1\u202E2 + 3\u0007\u2066"));
    assertEquals("&lt;b&gt;\\u200B", HtmlReport.escape("<b>\u200B"));
    assertNotEquals(-1, HtmlReport.escape("line\nnext\tcol").indexOf('\n'));
    // the data the page's script renders: the character arrives as the visible text \u202E
    String js = HtmlReport.scriptJson(List.of("a\u202Eb"));
    assertFalse(js.contains("\u202E"), js);
    assertEquals(List.of("a\\u202Eb"), Json.mapper().readValue(js, List.class));
  }
}
