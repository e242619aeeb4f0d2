package dev.sparq.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class UrlsTest {
  @Test
  void userInfoIsMaskedUpToTheLastAtSignEvenWhereAParserWouldStopEarlier() {
    assertEquals("http://****@host:8000/v1", Urls.maskUserInfo("http://alice:pw@host:8000/v1"));
    assertEquals("http://****@host/", Urls.maskUserInfo("http://u:p/a?s#s@w@host/"));
    assertEquals("****@host", Urls.maskUserInfo("user:pw@host"));
    assertEquals("http://host/v1", Urls.maskUserInfo("http://host/v1"));
    assertNull(Urls.maskUserInfo(null));
  }

  @Test
  void aUrlThatDoesNotParseIsReportedMaskedWithoutTheParsersMessage() {
    for (String url : List.of("http://user:SECRET pw@host/", "https://SECRETtok@hub/x y",
        "http://user:SECRET@host/%zz")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Urls.parse(url, "X_URL"));
      assertTrue(e.getMessage().startsWith("X_URL '"), e.getMessage());
      assertTrue(e.getMessage().contains("****@"), e.getMessage());
      assertFalse(e.getMessage().contains("SECRET"), e.getMessage());
      assertNull(e.getCause());
    }
  }

  @Test
  void userInfoIsFoundAlsoInAnAuthorityThatIsNotHostAndPort() {
    assertTrue(Urls.hasUserInfo(URI.create("http://u:p@host/")));
    assertTrue(Urls.hasUserInfo(URI.create("http://u:p@host:notaport/")));
    assertFalse(Urls.hasUserInfo(URI.create("http://host:8000/a@b")));
  }
}
