package io.outpost.spool;

import io.outpost.durable.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Opens the spool database: WAL, the configured {@code synchronous} level, size limit, integrity
 * check and schema migration. A file that SQLite reports as corrupt (or not a database) is renamed
 * aside with a timestamp — never deleted — and a fresh database is created in its place.
 */
final class SpoolDatabase {
  private static final Logger LOG = LoggerFactory.getLogger(SpoolDatabase.class);
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final String[] SIDE_FILES = {"", "-wal", "-shm"};

  /** Keep an idle WAL from staying at its high-water mark forever. */
  private static final long JOURNAL_SIZE_LIMIT = 64L << 20;

  private SpoolDatabase() {}

  /** Result of opening: the connection and, if the old file was corrupt, where it was moved. */
  record Opened(Connection connection, Path quarantinedTo) {}

  static Opened open(SpoolOptions options, Clock clock) throws SQLException, IOException {
    Path file = options.databaseFile();
    Files.createDirectories(file.getParent());
    try {
      Connection connection = connect(options);
      // SQLite syncs the directory for its journal files, not for the database file it creates
      DurableFiles.fsyncDirectory(file.toAbsolutePath().getParent());
      return new Opened(connection, null);
    } catch (SQLException e) {
      if (!isCorruption(e)) {
        throw e;
      }
      Path moved = quarantine(file, clock);
      LOG.error(
          "SPOOL DATABASE CORRUPT: {} could not be opened ({}). Moved it to {} and started an EMPTY spool."
              + " Messages stored in the old file are NOT being delivered; inspect or recover it by hand.",
          file,
          e.getMessage(),
          moved,
          e);
      Connection fresh = connect(options);
      DurableFiles.fsyncDirectory(file.toAbsolutePath().getParent());
      return new Opened(fresh, moved);
    }
  }

  private static Connection connect(SpoolOptions options) throws SQLException {
    Connection connection = DriverManager.getConnection("jdbc:sqlite:" + options.databaseFile());
    try (Statement statement = connection.createStatement()) {
      // before anything is written: takes effect only when this creates the file
      statement.execute("PRAGMA page_size=" + options.pageSize());
      String mode = queryString(statement, "PRAGMA journal_mode=WAL");
      if (!"wal".equalsIgnoreCase(mode)) {
        throw new SQLException("could not switch the spool to WAL mode (got " + mode + ")");
      }
      statement.execute("PRAGMA synchronous=" + options.synchronous().pragma());
      statement.execute("PRAGMA journal_size_limit=" + JOURNAL_SIZE_LIMIT);
      statement.execute("PRAGMA temp_store=MEMORY");
      if (options.maxFileBytes() > 0) {
        long pageSize = Long.parseLong(queryString(statement, "PRAGMA page_size"));
        statement.execute(
            "PRAGMA max_page_count=" + Math.max(1, options.maxFileBytes() / pageSize));
      }
      if (options.integrityCheckAtStart()) {
        String check = queryString(statement, "PRAGMA quick_check");
        if (!"ok".equalsIgnoreCase(check)) {
          throw new SQLiteException("quick_check: " + check, SQLiteErrorCode.SQLITE_CORRUPT);
        }
      }
      SpoolSchema.migrate(connection);
      return connection;
    } catch (SQLException | RuntimeException e) {
      try {
        connection.close();
      } catch (SQLException closeFailure) {
        e.addSuppressed(closeFailure);
      }
      throw e;
    }
  }

  private static String queryString(Statement statement, String sql) throws SQLException {
    try (ResultSet rs = statement.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  static boolean isCorruption(SQLException e) {
    if (e instanceof SQLiteException sqlite) {
      int primary = sqlite.getResultCode().code & 0xff;
      return primary == SQLiteErrorCode.SQLITE_CORRUPT.code
          || primary == SQLiteErrorCode.SQLITE_NOTADB.code;
    }
    return false;
  }

  /** True for SQLITE_FULL (disk or {@code max_page_count} exhausted). */
  static boolean isFull(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLiteException sqlite
          && (sqlite.getResultCode().code & 0xff) == SQLiteErrorCode.SQLITE_FULL.code) {
        return true;
      }
    }
    return false;
  }

  private static Path quarantine(Path file, Clock clock) throws IOException {
    String suffix = ".corrupt-" + STAMP.format(clock.instant());
    Path target = file.resolveSibling(file.getFileName() + suffix);
    for (String side : SIDE_FILES) {
      Path source = file.resolveSibling(file.getFileName() + side);
      if (Files.exists(source)) {
        Files.move(
            source,
            file.resolveSibling(file.getFileName() + side + suffix),
            StandardCopyOption.ATOMIC_MOVE);
      }
    }
    return target;
  }
}
