package dev.sparq.core.export;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

class LongHashSetProperties {
  @Property
  void behavesLikeAHashSet(@ForAll List<Long> values, @ForAll List<Long> probes) {
    LongHashSet set = new LongHashSet(1);
    Set<Long> reference = new HashSet<>();
    for (long v : values) {
      assertEquals(reference.add(v), set.add(v));
    }
    assertEquals(reference.size(), set.size());
    for (long p : probes) {
      assertEquals(reference.contains(p), set.contains(p));
    }
    for (long v : values) {
      assertEquals(true, set.contains(v));
    }
  }

  @Property
  void normalisedHashIgnoresCaseSpacingAndPunctuation(@ForAll("words") List<String> words) {
    String plain = String.join(" ", words);
    String noisy = "  " + String.join(" ,\t ", words).toUpperCase(java.util.Locale.ROOT) + "?!";
    assertEquals(TextHashing.normalisedHash(plain), TextHashing.normalisedHash(noisy));
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<List<String>> words() {
    return net.jqwik.api.Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(8)
        .list().ofMaxSize(12);
  }
}
