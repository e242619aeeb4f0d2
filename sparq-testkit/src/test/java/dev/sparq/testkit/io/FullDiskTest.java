package dev.sparq.testkit.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FullDiskTest {
  @TempDir Path tmp;

  @Test
  void writesWhatFitsThenFailsLikeTheSystemAndFreeingMakesRoom() throws IOException {
    FullDisk disk = new FullDisk(5);
    Path f = tmp.resolve("f");
    try (FileChannel c = disk.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      assertEquals(5, c.write(ByteBuffer.wrap("abcdefgh".getBytes())));
      IOException e = assertThrows(IOException.class, () -> c.write(ByteBuffer.wrap("x".getBytes())));
      assertEquals("No space left on device", e.getMessage());
      disk.free(3);
      assertEquals(3, c.write(ByteBuffer.wrap("fgh".getBytes())));
    }
    assertEquals("abcdefgh", Files.readString(f));
    assertEquals(1, disk.failures());
  }

  @Test
  void aWritableMappingCountsTheBytesItAddsAndAReadOnlyOneNone() throws IOException {
    FullDisk disk = new FullDisk(10);
    Path f = tmp.resolve("m");
    Files.write(f, new byte[100]);
    try (FileChannel c = disk.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      assertEquals(100, c.map(FileChannel.MapMode.READ_ONLY, 0, 100).capacity());
      // inside the file: no room taken; 8 bytes past its end: taken
      c.map(FileChannel.MapMode.READ_WRITE, 0, 100);
      c.map(FileChannel.MapMode.READ_WRITE, 100, 8);
      assertEquals(108, Files.size(f));
      // 3 more do not fit in the 2 left: refused whole, the file unchanged
      IOException e = assertThrows(IOException.class, () -> c.map(FileChannel.MapMode.READ_WRITE, 108, 3));
      assertEquals("No space left on device", e.getMessage());
      assertEquals(108, Files.size(f));
      assertEquals(2, c.write(ByteBuffer.wrap("xyz".getBytes()), 108));
    }
    assertEquals(1, disk.failures());
  }
}
