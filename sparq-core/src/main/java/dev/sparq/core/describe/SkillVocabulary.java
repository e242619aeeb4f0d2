package dev.sparq.core.describe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparq.core.ConfigException;
import dev.sparq.core.DataException;
import dev.sparq.core.internal.Json;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The skills niches are made of: SPARQ keeps the M most common skills found when labelling the seed
 * set. Labels are {@link #normalize normalised} before counting; later labels are mapped onto the
 * vocabulary by their normalised form, then by a singular/plural-insensitive key, then by the
 * vocabulary skill sharing the most words (Jaccard at least 0.5, ties to the more common skill); labels
 * that match nothing are dropped. Immutable.
 */
public final class SkillVocabulary {
  private final List<String> skills;
  private final Map<String, Long> counts;
  private final Map<String, String> byKey = new HashMap<>();
  private final Map<String, Set<String>> words = new HashMap<>();

  private SkillVocabulary(List<String> skills, Map<String, Long> counts) {
    this.skills = List.copyOf(skills);
    this.counts = Map.copyOf(counts);
    for (String s : skills) {
      byKey.putIfAbsent(key(s), s);
      words.put(s, wordKeys(s));
    }
  }

  /**
   * Counts normalised labels and keeps the {@code m} most common (ties broken alphabetically).
   *
   * @param labelsPerProblem the raw labels of each seed problem
   * @param m the vocabulary size (paper: 100)
   */
  public static SkillVocabulary build(Collection<? extends Collection<String>> labelsPerProblem, int m) {
    if (m < 1) {
      throw ConfigException.forKey("skills.vocabulary_size", "must be >= 1, was " + m);
    }
    Map<String, Long> counts = new TreeMap<>();
    for (Collection<String> labels : labelsPerProblem) {
      Set<String> distinct = new LinkedHashSet<>();
      for (String l : labels) {
        String n = normalize(l);
        if (!n.isEmpty()) {
          distinct.add(n);
        }
      }
      for (String n : distinct) {
        counts.merge(n, 1L, Long::sum);
      }
    }
    List<String> sorted = new ArrayList<>(counts.keySet());
    sorted.sort((a, b) -> {
      int c = Long.compare(counts.get(b), counts.get(a));
      return c != 0 ? c : a.compareTo(b);
    });
    List<String> kept = sorted.subList(0, Math.min(m, sorted.size()));
    Map<String, Long> keptCounts = new TreeMap<>();
    for (String s : kept) {
      keptCounts.put(s, counts.get(s));
    }
    return new SkillVocabulary(kept, keptCounts);
  }

  /** A vocabulary given explicitly (already normalised or not), for tests and user taxonomies. */
  public static SkillVocabulary of(Collection<String> skills) {
    List<String> list = new ArrayList<>();
    Map<String, Long> counts = new TreeMap<>();
    for (String s : skills) {
      String n = normalize(s);
      if (!n.isEmpty() && !counts.containsKey(n)) {
        list.add(n);
        counts.put(n, 0L);
      }
    }
    return new SkillVocabulary(list, counts);
  }

  /**
   * The normal form of a label: lower case, "&amp;" as "and", hyphens and underscores as spaces, other
   * punctuation removed, whitespace collapsed. Empty when nothing is left.
   */
  public static String normalize(String label) {
    if (label == null) {
      return "";
    }
    String s = label.toLowerCase(Locale.ROOT).replace("&", " and ").replace('-', ' ').replace('_', ' ');
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isLetterOrDigit(c) || c == ' ') {
        sb.append(c);
      } else if (c == '\'' ) {
        continue;
      } else {
        sb.append(' ');
      }
    }
    return sb.toString().trim().replaceAll("\\s+", " ");
  }

  private static String singular(String w) {
    if (w.length() > 3 && w.endsWith("ies")) {
      return w.substring(0, w.length() - 3) + "y";
    }
    if (w.length() > 3 && w.endsWith("s") && !w.endsWith("ss")) {
      return w.substring(0, w.length() - 1);
    }
    return w;
  }

  private static String key(String normalized) {
    StringBuilder sb = new StringBuilder();
    for (String w : normalized.split(" ")) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(singular(w));
    }
    return sb.toString();
  }

  private static final Set<String> STOP = Set.of("of", "and", "the", "a", "an", "in", "with", "to", "for", "on");

  private static Set<String> wordKeys(String normalized) {
    Set<String> out = new LinkedHashSet<>();
    for (String w : normalized.split(" ")) {
      if (!w.isEmpty() && !STOP.contains(w)) {
        out.add(singular(w));
      }
    }
    return out;
  }

  /** The vocabulary skill a raw label maps to, or {@code null}. */
  public String map(String rawLabel) {
    String n = normalize(rawLabel);
    if (n.isEmpty()) {
      return null;
    }
    if (counts.containsKey(n)) {
      return n;
    }
    String k = byKey.get(key(n));
    if (k != null) {
      return k;
    }
    Set<String> w = wordKeys(n);
    if (w.isEmpty()) {
      return null;
    }
    String best = null;
    double bestScore = 0;
    for (String s : skills) {
      Set<String> sw = words.get(s);
      int inter = 0;
      for (String x : w) {
        if (sw.contains(x)) {
          inter++;
        }
      }
      if (inter == 0) {
        continue;
      }
      double score = (double) inter / (w.size() + sw.size() - inter);
      if (score > bestScore) { // skills are ordered by count, so ties go to the more common one
        bestScore = score;
        best = s;
      }
    }
    return bestScore >= 0.5 ? best : null;
  }

  /** Maps raw labels, keeping the first {@code k} distinct matches in order. */
  public List<String> mapAll(Collection<String> rawLabels, int k) {
    Set<String> out = new LinkedHashSet<>();
    for (String l : rawLabels) {
      String m = map(l);
      if (m != null) {
        out.add(m);
        if (out.size() == k) {
          break;
        }
      }
    }
    return List.copyOf(out);
  }

  /** The skills, most common first. */
  public List<String> skills() {
    return skills;
  }

  /** How many seed problems had each skill. */
  public Map<String, Long> counts() {
    return counts;
  }

  public int size() {
    return skills.size();
  }

  public boolean contains(String normalizedSkill) {
    return counts.containsKey(normalizedSkill);
  }

  /**
   * The vocabulary as JSON: {@code {"skills": [...most common first], "counts": {skill: n}}};
   * {@link #fromJson(JsonNode)} restores an equal vocabulary.
   */
  public ObjectNode toJson() {
    ObjectNode o = Json.mapper().createObjectNode();
    skills.forEach(o.putArray("skills")::add);
    ObjectNode c = o.putObject("counts");
    for (String skill : skills) {
      c.put(skill, counts.get(skill));
    }
    return o;
  }

  /**
   * Reads {@link #toJson()}'s form back.
   *
   * @throws DataException naming the field when the JSON is malformed
   */
  public static SkillVocabulary fromJson(JsonNode json) {
    JsonNode s = json.get("skills");
    JsonNode c = json.get("counts");
    if (s == null || !s.isArray()) {
      throw new DataException(null, 0, "skills", "missing or not an array");
    }
    if (c == null || !c.isObject()) {
      throw new DataException(null, 0, "counts", "missing or not an object");
    }
    List<String> list = new ArrayList<>();
    Map<String, Long> counts = new TreeMap<>();
    for (int i = 0; i < s.size(); i++) {
      JsonNode e = s.get(i);
      if (!e.isTextual() || e.textValue().isEmpty() || counts.containsKey(e.textValue())) {
        throw new DataException(null, 0, "skills[" + i + "]", "not a distinct non-empty string");
      }
      JsonNode n = c.get(e.textValue());
      if (n == null || !n.canConvertToLong()) {
        throw new DataException(null, 0, "counts." + e.textValue(), "missing or not an integer");
      }
      list.add(e.textValue());
      counts.put(e.textValue(), n.longValue());
    }
    return new SkillVocabulary(list, counts);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SkillVocabulary v && skills.equals(v.skills) && counts.equals(v.counts);
  }

  @Override
  public int hashCode() {
    return skills.hashCode();
  }

  @Override
  public String toString() {
    return "SkillVocabulary" + skills;
  }
}
