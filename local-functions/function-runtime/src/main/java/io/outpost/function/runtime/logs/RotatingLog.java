package io.outpost.function.runtime.logs;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * One function's log files: {@code function.log} plus rotated {@code function.log.1} (newer) to
 * {@code function.log.<maxFiles-1>} (oldest). Only the store's writer thread touches it.
 */
final class RotatingLog {

  static final String FILE = "function.log";
  private static final int MAX_FILES_EVER = 100;

  private final Path dir;
  private final int maxFiles;
  private final long maxBytesPerFile;
  private OutputStream out;
  private long size;
  private boolean dirty;

  RotatingLog(Path dir, FunctionLogOptions options) {
    this.dir = dir;
    this.maxFiles = options.maxFiles();
    this.maxBytesPerFile = options.maxBytesPerFile();
  }

  /** Appends one encoded line (with its newline), rotating first when it would not fit. */
  void append(byte[] line) throws IOException {
    if (out == null) {
      open();
    }
    if (size > 0 && size + line.length > maxBytesPerFile) {
      rotate();
    }
    out.write(line);
    size += line.length;
    dirty = true;
  }

  /** Hands buffered lines to the OS (no fsync: these are logs, and flash wears). */
  void flush() throws IOException {
    if (dirty && out != null) {
      out.flush();
      dirty = false;
    }
  }

  /** The files that exist, oldest first. */
  List<Path> files() {
    List<Path> files = new ArrayList<>();
    for (int i = maxFiles - 1; i >= 1; i--) {
      Path p = rotated(i);
      if (Files.isRegularFile(p)) {
        files.add(p);
      }
    }
    Path current = dir.resolve(FILE);
    if (Files.isRegularFile(current)) {
      files.add(current);
    }
    return files;
  }

  void close() throws IOException {
    if (out != null) {
      out.close();
      out = null;
    }
  }

  /** Closes and deletes every file and the directory. */
  void delete() throws IOException {
    close();
    Files.deleteIfExists(dir.resolve(FILE));
    for (int i = 1; i < MAX_FILES_EVER; i++) {
      Files.deleteIfExists(rotated(i));
    }
    Files.deleteIfExists(dir);
  }

  private void open() throws IOException {
    Files.createDirectories(dir);
    // files beyond a lowered functions.logs.maxFiles
    for (int i = maxFiles; i < MAX_FILES_EVER; i++) {
      Files.deleteIfExists(rotated(i));
    }
    Path current = dir.resolve(FILE);
    out =
        new BufferedOutputStream(
            Files.newOutputStream(current, StandardOpenOption.CREATE, StandardOpenOption.APPEND),
            8192);
    size = Files.size(current);
  }

  private void rotate() throws IOException {
    close();
    Path current = dir.resolve(FILE);
    if (maxFiles == 1) {
      Files.deleteIfExists(current);
    } else {
      Files.deleteIfExists(rotated(maxFiles - 1));
      for (int i = maxFiles - 2; i >= 1; i--) {
        if (Files.exists(rotated(i))) {
          Files.move(rotated(i), rotated(i + 1), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      Files.move(current, rotated(1), StandardCopyOption.REPLACE_EXISTING);
    }
    open();
  }

  private Path rotated(int index) {
    return dir.resolve(FILE + "." + index);
  }
}
