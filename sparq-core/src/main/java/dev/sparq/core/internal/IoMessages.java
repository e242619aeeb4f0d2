package dev.sparq.core.internal;

import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns an exception and its causes into one line a user can act on: the outer message, then each
 * cause that adds something ("no space left on device (the disk is full)", "permission denied",
 * "no such file", "symbolic link loop"). File-system exceptions often carry only a path as their
 * message; their kind is spelled out here so the cause is never just a file name.
 */
public final class IoMessages {
  private IoMessages() {}

  /** The message of {@code t} followed by what its causes add, separated by ": ". */
  public static String describe(Throwable t) {
    List<String> parts = new ArrayList<>();
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    String joined = "";
    for (Throwable c = t; c != null && seen.put(c, Boolean.TRUE) == null; c = c.getCause()) {
      String m = one(c, joined);
      // case-insensitively: a FileSystemException's reason is spelled in lower case above, the
      // same text in a plain IOException cause ("No space left on device") adds nothing
      if (m == null || m.isBlank()
          || joined.toLowerCase(Locale.ROOT).contains(m.toLowerCase(Locale.ROOT))) {
        continue;
      }
      parts.add(m);
      joined = String.join(": ", parts);
    }
    return joined.isEmpty() ? t.getClass().getSimpleName() : joined;
  }

  /** What one exception says, without its causes. */
  static String one(Throwable c, String already) {
    if (c instanceof com.fasterxml.jackson.databind.DatabindException d) {
      return StrictJson.bindingProblem(d); // the value's problem, without "Cannot construct instance of"
    }
    if (c instanceof com.fasterxml.jackson.core.JsonProcessingException j) {
      return StrictJson.problem(j); // without Jackson's source excerpt and feature names
    }
    if (c instanceof FileSystemException f) {
      String reason = f.getReason();
      String kind = reason != null ? reason.toLowerCase(Locale.ROOT) : kind(f);
      if (kind == null) {
        return f.getMessage();
      }
      kind = withAdvice(kind);
      StringBuilder sb = new StringBuilder();
      if (f.getFile() != null && !(already.contains(f.getFile()) && f.getOtherFile() == null)) {
        sb.append(f.getFile());
        if (f.getOtherFile() != null) {
          sb.append(" -> ").append(f.getOtherFile());
        }
        sb.append(": ");
      }
      return sb.append(kind).toString();
    }
    String m = c.getMessage();
    if (m != null) {
      // the JDK reports a failed write (ENOSPC, EFBIG, EDQUOT) as a plain IOException with the C
      // library's text
      m = withAdvice(m);
    }
    if (m == null) {
      // the JDK's HTTP client throws ConnectException(null) around the channel error: its kind is
      // the only thing it says
      return c.getClass().getSimpleName();
    }
    return m;
  }

  /** Advice after the C library's text for a full disk, a used-up quota or a file-size limit. */
  static String withAdvice(String reason) {
    String lower = reason.toLowerCase(Locale.ROOT);
    String advice;
    if (lower.contains("no space left on device")) {
      advice = DISK_FULL;
    } else if (lower.contains("disk quota exceeded")) {
      advice = " (the disk quota is used up)";
    } else if (lower.contains("file too large")) {
      advice = " (the file reached the largest size allowed for one file: the process's file-size"
          + " limit, 'ulimit -f', or the file system's maximum)";
    } else {
      return reason;
    }
    // a message that already went through describe() (an outer exception quoting its cause) keeps
    // one copy of the advice
    return reason.contains(advice) ? reason : reason + advice;
  }

  private static final String DISK_FULL = " (the disk is full; free some space and try again)";

  private static String kind(FileSystemException f) {
    if (f instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (f instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (f instanceof FileSystemLoopException) {
      return "symbolic link loop";
    }
    if (f instanceof NotDirectoryException) {
      return "not a directory";
    }
    if (f instanceof FileAlreadyExistsException) {
      return "already exists";
    }
    if (f instanceof DirectoryNotEmptyException) {
      return "directory not empty";
    }
    return null;
  }
}
