package io.outpost.spool;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spool's schema, versioned with {@code PRAGMA user_version} and migrated forward at start.
 * Append a migration to {@link #MIGRATIONS} to change it; never edit a released one.
 */
final class SpoolSchema {
  private static final Logger LOG = LoggerFactory.getLogger(SpoolSchema.class);

  /**
   * Columns shared by {@code message} and {@code dead_letter}; payload late so small columns stay
   * in the row.
   */
  static final String COLUMNS =
      "id, route_id, topic_id, origin_id, qos, expires_at, received_at, content_type, props, payload, size";

  /** Migration {@code i} takes the database from version {@code i} to {@code i + 1}. */
  private static final List<List<String>> MIGRATIONS =
      List.of(
          List.of(
              "CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID",
              // interned routes, topics and origins (see NameTable)
              "CREATE TABLE name(id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE)",
              // id = (15 - priority) << 48 | sequence: rowid order is the drain order (see
              // SpoolKeys), no other index
              "CREATE TABLE message(id INTEGER PRIMARY KEY, route_id INTEGER NOT NULL, topic_id INTEGER NOT NULL,"
                  + " origin_id INTEGER, qos INTEGER NOT NULL, expires_at INTEGER NOT NULL, received_at INTEGER NOT NULL,"
                  + " content_type TEXT, props BLOB, payload BLOB NOT NULL, size INTEGER NOT NULL)",
              "CREATE INDEX message_expiry ON message(expires_at) WHERE expires_at > 0",
              "CREATE TABLE dead_letter(id INTEGER PRIMARY KEY, route_id INTEGER NOT NULL, topic_id INTEGER NOT NULL,"
                  + " origin_id INTEGER, qos INTEGER NOT NULL, expires_at INTEGER NOT NULL, received_at INTEGER NOT NULL,"
                  + " content_type TEXT, props BLOB, payload BLOB NOT NULL, size INTEGER NOT NULL, reason TEXT NOT NULL,"
                  + " failed_at INTEGER NOT NULL)",
              "CREATE INDEX dead_letter_age ON dead_letter(failed_at)"),
          // one row per commit and priority (see PackTable); rows of version 1 stay in message,
          // which also takes dead letters moved back
          List.of(
              "CREATE TABLE pack(id INTEGER PRIMARY KEY, last_id INTEGER NOT NULL,"
                  + " expires_min INTEGER NOT NULL, body BLOB NOT NULL)",
              "CREATE INDEX pack_expiry ON pack(expires_min) WHERE expires_min > 0",
              "CREATE TABLE pack_gone(id INTEGER PRIMARY KEY, gone BLOB NOT NULL)"));

  /** The version this code writes. */
  static final int CURRENT_VERSION = MIGRATIONS.size();

  private SpoolSchema() {}

  /** Brings the database to {@link #CURRENT_VERSION}; returns the version found before. */
  static int migrate(Connection connection) throws SQLException {
    int found = version(connection);
    if (found > CURRENT_VERSION) {
      throw new SQLException(
          "spool schema version "
              + found
              + " is newer than this Outpost supports ("
              + CURRENT_VERSION
              + "); refusing to touch it");
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
