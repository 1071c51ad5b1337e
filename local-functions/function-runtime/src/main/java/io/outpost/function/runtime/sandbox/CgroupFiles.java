package io.outpost.function.runtime.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reading and writing cgroup control files (small text files; each write is one value). */
final class CgroupFiles {

  private CgroupFiles() {}

  static void write(Path dir, String file, String value) throws IOException {
    try {
      Files.writeString(dir.resolve(file), value, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IOException(
          "cannot write " + value + " to " + dir.resolve(file) + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes when the file exists (optional controls such as swap limits); false when it does not or
   * refuses.
   */
  static boolean tryWrite(Path dir, String file, String value) {
    if (!Files.exists(dir.resolve(file))) {
      return false;
    }
    try {
      write(dir, file, value);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The value of {@code key} in a flat keyed file such as {@code memory.events} ("key value"
   * lines); 0 if absent.
   */
  static long keyed(Path dir, String file, String key) {
    try {
      for (String line : Files.readAllLines(dir.resolve(file), StandardCharsets.US_ASCII)) {
        int space = line.indexOf(' ');
        if (space > 0 && line.substring(0, space).equals(key)) {
          return Long.parseLong(line.substring(space + 1).trim());
        }
      }
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }

  /** The process ids in a cgroup ({@code cgroup.procs}); empty when it is gone. */
  static List<Long> procs(Path dir) {
    List<Long> pids = new ArrayList<>();
    try {
      for (String line :
          Files.readAllLines(dir.resolve("cgroup.procs"), StandardCharsets.US_ASCII)) {
        if (!line.isBlank()) {
          pids.add(Long.parseLong(line.trim()));
        }
      }
    } catch (NoSuchFileException e) {
      return pids;
    } catch (IOException | NumberFormatException e) {
      return pids;
    }
    return pids;
  }

  /** Quotes {@code s} for a POSIX shell. */
  static String shellQuote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
