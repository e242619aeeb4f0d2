package dev.sparq.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HtmlReportTest {
  @Test
  void escapesEveryHtmlSpecialCharacter() {
    assertEquals("&lt;b a=&quot;1&quot; c=&#39;2&#39;&gt;x &amp; y&lt;/b&gt;",
        HtmlReport.escape("<b a=\"1\" c='2'>x & y</b>"));
  }

  @Test
  void embeddedJsonCannotCloseTheScriptElement() {
    String s = HtmlReport.scriptJson(java.util.Map.of("k", "</script><script>alert(1)</script>&\u2028"));
    assertFalse(s.contains("<"));
    assertFalse(s.contains(">"));
    assertFalse(s.contains("&"));
    assertTrue(s.contains("\\u003c/script\\u003e"));
    assertTrue(s.contains("\\u2028"));
  }
}
