package dev.sparq.bench;

import java.util.HashMap;
import java.util.Map;

/** Command-line options of the benchmark programs: {@code --name value} pairs. */
public final class BenchArgs {
  private BenchArgs() {}

  /**
   * The options as a map from name (without the leading {@code --}) to value; a last name without
   * a value is ignored.
   */
  public static Map<String, String> parse(String[] args) {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    return a;
  }
}
