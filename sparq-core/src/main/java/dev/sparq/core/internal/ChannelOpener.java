package dev.sparq.core.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * Opens the file channels that storage writes through. {@link #DEFAULT} is
 * {@link FileChannel#open(Path, OpenOption...)}; tests pass one whose writes fail the way a full
 * disk or a file-size limit does, so failure handling is tested without root or a small mount.
 */
@FunctionalInterface
public interface ChannelOpener {
  /** The operating system's channels. */
  ChannelOpener DEFAULT = FileChannel::open;

  /** Opens {@code file} with {@code options}, as {@link FileChannel#open(Path, OpenOption...)}. */
  FileChannel open(Path file, OpenOption... options) throws IOException;
}
