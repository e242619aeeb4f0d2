package dev.sparq.core.internal;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Base URLs from configuration (an inference server, a model hub mirror), read without leaking the
 * credentials a user may have pasted into them. The JDK's URI parser repeats its whole input in
 * its exception message, so a URL that does not parse must never be reported through that message
 * or chained as a cause; these helpers report it with any user information masked.
 */
public final class Urls {
  private Urls() {}

  /**
   * {@code url} with everything from after its first {@code //} (or from its start when it has
   * none) up to its last {@code @} replaced by {@code ****}; unchanged when it has no {@code @}
   * there. Using the last {@code @} also masks a password holding {@code / ? # @} (where a parser
   * would end the authority early), and works on text that is not a valid URI at all; a path or
   * query holding {@code @} is masked too, which only makes an error message less specific.
   */
  public static String maskUserInfo(String url) {
    if (url == null) {
      return null;
    }
    int slashes = url.indexOf("//");
    int start = slashes < 0 ? 0 : slashes + 2;
    int at = url.lastIndexOf('@');
    if (at < start) {
      return url;
    }
    return url.substring(0, start) + "****" + url.substring(at);
  }

  /**
   * Whether {@code uri} carries user information ({@code user:password@host}), also when the
   * authority did not parse as host and port (then the JDK reports no user information).
   */
  public static boolean hasUserInfo(URI uri) {
    return uri.getRawUserInfo() != null
        || uri.getRawAuthority() != null && uri.getRawAuthority().contains("@");
  }

  /**
   * Parses a URL from configuration. When it does not parse, the exception names {@code what}
   * (for example {@code HF_ENDPOINT}), shows the URL with {@link #maskUserInfo} applied and the
   * parser's reason (a fixed text such as "Illegal character in authority", without the input),
   * and has no cause.
   *
   * @throws IllegalArgumentException when {@code url} is not a valid URI
   */
  public static URI parse(String url, String what) {
    try {
      return new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(what + " '" + maskUserInfo(url) + "' is not a valid URI ("
          + e.getReason() + ")");
    }
  }
}
