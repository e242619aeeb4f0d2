package dev.sparq.core.seeds;

import dev.sparq.core.DataException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Which Parquet files a seed path names, and which of their columns a field mapping reads.
 *
 * <p>A seed path names Parquet input when it is
 * <ul>
 *   <li>a file whose name ends in {@code .parquet} (any case; other names are JSON, whatever they hold);
 *   <li>a directory holding {@code .parquet} files (searched recursively, in name order): a
 *       downloaded Hub dataset or one split of it. When the file names tell splits apart ({@code
 *       train-00000-of-00002.parquet}, {@code test.parquet}, {@code train/0000.parquet}) and there
 *       is more than one, the directory is refused, so test problems never slip into the seeds;
 *   <li>a glob (a path with {@code *}, {@code ?}, {@code [} or <code>{</code> that does not exist
 *       as written), such as {@code hendrycks_math/*&#47;train-*.parquet}: the files it matches,
 *       in name order. {@code *} stays within a folder, {@code **} crosses folders.
 * </ul>
 * Files found in a directory or by a glob are never read through a symbolic link.
 */
final class ParquetInputs {
  private static final Pattern SHARD = Pattern.compile("(.+?)-\\d{5}-of-\\d{5}(?:-[0-9a-f]+)?\\.parquet");
  private static final Pattern NUMBERED = Pattern.compile("\\d+\\.parquet");
  private static final Pattern NAMED_SPLIT =
      Pattern.compile("(?:.*[-_.])?(train|test|validation|valid|dev)\\.parquet");

  private ParquetInputs() {}

  /**
   * The Parquet files a seed path names.
   *
   * @param files the files, in the order they are read
   * @param root the directory the files were found in (for their {@code origin}), or null
   * @param single whether the path named one file (which may then be a symbolic link)
   */
  record Selection(List<Path> files, Path root, boolean single) {
    /** A file's name for the {@code origin} attribute: relative to the directory searched. */
    String origin(Path file) {
      return root == null ? file.getFileName().toString() : root.relativize(file).toString().replace('\\', '/');
    }
  }

  /** The Parquet files that {@code path} names, or null when it names no Parquet input. */
  static Selection select(Path path) {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS) && isGlob(path.toString())) {
      return glob(path);
    }
    if (Files.isDirectory(path)) {
      List<Path> files = walk(path, Integer.MAX_VALUE, null);
      if (files.isEmpty()) {
        return null;
      }
      requireOneSplit(path, files);
      return new Selection(files, path, false);
    }
    if (isParquetName(path)) {
      return new Selection(List.of(path), null, true);
    }
    return null;
  }

  private static boolean isParquetName(Path p) {
    return p.getFileName() != null && p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".parquet");
  }

  static boolean isGlob(String s) {
    return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0 || s.indexOf('{') >= 0;
  }

  private static Selection glob(Path path) {
    int first = 0;
    while (first < path.getNameCount() && !isGlob(path.getName(first).toString())) {
      first++;
    }
    Path base = first == 0 ? (path.getRoot() != null ? path.getRoot() : Path.of(""))
        : (path.getRoot() != null ? path.getRoot().resolve(path.subpath(0, first)) : path.subpath(0, first));
    String pattern = path.subpath(first, path.getNameCount()).toString();
    if (!Files.isDirectory(base)) {
      throw new DataException(path, 0, null, "the folder before the pattern (" + base + ") does not exist");
    }
    PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
    int depth = pattern.contains("**") ? Integer.MAX_VALUE : path.getNameCount() - first;
    List<Path> files = walk(base.toString().isEmpty() ? Path.of(".") : base, depth, matcher);
    if (files.isEmpty()) {
      throw new DataException(path, 0, null, "no Parquet file matches this pattern");
    }
    return new Selection(files, base.toString().isEmpty() ? Path.of(".") : base, false);
  }

  /** The {@code .parquet} files below {@code dir} (links listed, to be refused when read), sorted. */
  private static List<Path> walk(Path dir, int depth, PathMatcher matcher) {
    // links to folders are not entered (walk does not follow them)
    try (Stream<Path> s = Files.walk(dir, depth)) {
      return s.filter(p -> isParquetName(p) && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
          && (matcher == null || matcher.matches(dir.relativize(p)))).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  /** The split a Hub file name tells, or null. */
  static String split(Path file) {
    String name = file.getFileName().toString();
    Matcher m = SHARD.matcher(name);
    if (m.matches()) {
      return m.group(1);
    }
    if (NUMBERED.matcher(name).matches() && file.getParent() != null && file.getParent().getFileName() != null) {
      return file.getParent().getFileName().toString(); // refs/convert/parquet: <config>/<split>/0000.parquet
    }
    m = NAMED_SPLIT.matcher(name);
    return m.matches() ? m.group(1) : null;
  }

  private static void requireOneSplit(Path dir, List<Path> files) {
    Map<String, Path> splits = new TreeMap<>();
    for (Path f : files) {
      String s = split(f);
      if (s != null) {
        splits.putIfAbsent(s, f);
      }
    }
    if (splits.size() > 1) {
      String first = splits.containsKey("train") ? "train" : splits.keySet().iterator().next();
      throw new DataException(dir, 0, null, "this directory holds the splits " + String.join(", ", splits.keySet())
          + "; seeds come from one split: name its files, e.g. " + suggestion(dir, splits.get(first), first));
    }
  }

  /** A glob for the files of {@code split} shaped like {@code sample}. */
  private static String suggestion(Path dir, Path sample, String split) {
    Path rel = dir.relativize(sample);
    List<String> parts = new ArrayList<>();
    boolean numbered = NUMBERED.matcher(sample.getFileName().toString()).matches();
    for (int i = 0; i < rel.getNameCount() - 1; i++) {
      parts.add(numbered && i == rel.getNameCount() - 2 ? split : "*");
    }
    parts.add(numbered ? "*.parquet" : SHARD.matcher(sample.getFileName().toString()).matches()
        ? split + "-*.parquet" : sample.getFileName().toString());
    return dir.resolve(String.join("/", parts)).toString();
  }

  /**
   * The columns a mapping reads from a file with these columns, checked: the statement column (and
   * the id column) must be string columns, and, when the answer comes from the solution, the
   * solution column must exist; other mapped columns must be text or numbers when present.
   *
   * @param mapping the mapping, or null for the command line's {@code jsonl} format ({@code problem}
   *     or {@code statement}, {@code solution}, {@code answer}, every other scalar column an
   *     attribute)
   * @throws DataException naming the file and field
   */
  static List<ParquetSeeds.Column> columns(Path file, Map<String, ParquetSeeds.Column> columns,
      FieldMapping mapping) {
    FieldMapping m = mapping;
    if (m == null) {
      String problem = columns.containsKey("problem") || !columns.containsKey("statement") ? "problem" : "statement";
      List<String> attrs = new ArrayList<>();
      for (ParquetSeeds.Column c : columns.values()) {
        if (c.kind() != ParquetSeeds.Kind.OTHER
            && !List.of("problem", "statement", "solution", "answer").contains(c.name())) {
          attrs.add(c.name());
        }
      }
      m = new FieldMapping(problem, "solution", "answer", AnswerExtraction.BOXED, null, attrs);
    }
    Set<String> required = new LinkedHashSet<>();
    required.add(m.problem());
    if (m.id() != null) {
      required.add(m.id());
    }
    if (m.answer() == null) {
      required.add(m.solution());
    }
    for (String f : required) {
      if (!columns.containsKey(f)) {
        throw new DataException(file, 0, f, "no such column; the file has the columns "
            + String.join(", ", columns.keySet()) + (mapping == null && f.equals("problem") ? " (give 'problem' or "
            + "'statement')" : ""));
      }
    }
    Map<String, ParquetSeeds.Column> wanted = new LinkedHashMap<>();
    List<String> fields = new ArrayList<>();
    fields.add(m.problem());
    if (m.solution() != null) {
      fields.add(m.solution());
    }
    if (m.answer() != null) {
      fields.add(m.answer());
    }
    if (m.id() != null) {
      fields.add(m.id());
    }
    fields.addAll(m.attributes());
    for (String f : fields) {
      ParquetSeeds.Column c = columns.get(f);
      if (c == null) {
        continue; // an optional field: absent from every row
      }
      boolean textOnly = f.equals(m.problem()) || f.equals(m.id());
      if (textOnly ? c.kind() != ParquetSeeds.Kind.TEXT : c.kind() == ParquetSeeds.Kind.OTHER) {
        throw new DataException(file, 0, f, "is " + c.type() + "; expected a string column");
      }
      wanted.putIfAbsent(f, c);
    }
    return List.copyOf(wanted.values());
  }
}
