package io.outpost.spool;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spool's schema, versioned with {@code PRAGMA user_version} and migrated forward at start. Append a migration to
 * {@link #MIGRATIONS} to change it; never edit a released one.
 */
final class SpoolSchema {
  private static final Logger LOG = LoggerFactory.getLogger(SpoolSchema.class);

  /** Columns shared by {@code message} and {@code dead_letter}; payload last so small columns stay in the row. */
  static final String COLUMNS =
      "id, route, priority, topic, qos, expires_at, received_at, content_type, origin, props, payload, size";

  /** Migration {@code i} takes the database from version {@code i} to {@code i + 1}. */
  private static final List<List<String>> MIGRATIONS = List.of(
      List.of(
          "CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID",
          "CREATE TABLE message(id INTEGER PRIMARY KEY, route TEXT NOT NULL, priority INTEGER NOT NULL,"
              + " topic TEXT NOT NULL, qos INTEGER NOT NULL, expires_at INTEGER NOT NULL,"
              + " received_at INTEGER NOT NULL, content_type TEXT, origin TEXT, props BLOB,"
              + " payload BLOB NOT NULL, size INTEGER NOT NULL)",
          // drain order: highest priority first, FIFO by id within a priority
          "CREATE INDEX message_drain ON message(priority DESC, id)",
          "CREATE INDEX message_expiry ON message(expires_at) WHERE expires_at > 0",
          "CREATE TABLE dead_letter(id INTEGER PRIMARY KEY, route TEXT NOT NULL, priority INTEGER NOT NULL,"
              + " topic TEXT NOT NULL, qos INTEGER NOT NULL, expires_at INTEGER NOT NULL,"
              + " received_at INTEGER NOT NULL, content_type TEXT, origin TEXT, props BLOB,"
              + " payload BLOB NOT NULL, size INTEGER NOT NULL, reason TEXT NOT NULL, failed_at INTEGER NOT NULL)"));

  /** The version this code writes. */
  static final int CURRENT_VERSION = MIGRATIONS.size();

  private SpoolSchema() {}

  /** Brings the database to {@link #CURRENT_VERSION}; returns the version found before. */
  static int migrate(Connection connection) throws SQLException {
    int found = version(connection);
    if (found > CURRENT_VERSION) {
      throw new SQLException("spool schema version " + found + " is newer than this Outpost supports ("
          + CURRENT_VERSION + "); refusing to touch it");
    }
    for (int version = found; version < CURRENT_VERSION; version++) {
      boolean autoCommit = connection.getAutoCommit();
      connection.setAutoCommit(false);
      try (Statement statement = connection.createStatement()) {
        for (String sql : MIGRATIONS.get(version)) {
          statement.execute(sql);
        }
        statement.execute("PRAGMA user_version = " + (version + 1));
        connection.commit();
      } catch (SQLException e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(autoCommit);
      }
      LOG.info("Spool schema migrated from version {} to {}", version, version + 1);
    }
    return found;
  }

  static int version(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("PRAGMA user_version")) {
      return rs.next() ? rs.getInt(1) : 0;
    }
  }
}
