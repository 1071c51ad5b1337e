package io.outpost.broker.internal.store;

import io.outpost.durable.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * A store file SQLite reports as corrupt is renamed aside ({@code broker.db.corrupt-<UTC time>},
 * with its {@code -wal} and {@code -shm}), never deleted, so that the daemon starts with an empty
 * store instead of not at all.
 */
final class CorruptFiles {

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final List<String> SIDE_FILES = List.of("-wal", "-shm", "-journal", "");

  private CorruptFiles() {}

  static boolean isCorruption(SQLException e) {
    if (e instanceof SQLiteException sqlite) {
      int primary = sqlite.getResultCode().code & 0xff;
      return primary == SQLiteErrorCode.SQLITE_CORRUPT.code
          || primary == SQLiteErrorCode.SQLITE_NOTADB.code;
    }
    return false;
  }

  /** Moves {@code file} and its side files aside, durably; returns the new name of {@code file}. */
  static Path moveAside(Path file, long nowMillis) throws IOException {
    String suffix = ".corrupt-" + STAMP.format(Instant.ofEpochMilli(nowMillis));
    for (String side : SIDE_FILES) {
      Path source = file.resolveSibling(file.getFileName() + side);
      if (Files.exists(source)) {
        Files.move(
            source,
            file.resolveSibling(file.getFileName() + side + suffix),
            StandardCopyOption.ATOMIC_MOVE);
      }
    }
    DurableFiles.fsyncDirectory(file.toAbsolutePath().getParent());
    return file.resolveSibling(file.getFileName() + suffix);
  }
}
