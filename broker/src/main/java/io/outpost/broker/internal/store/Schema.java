package io.outpost.broker.internal.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The broker store's SQLite schema. {@code PRAGMA user_version} carries {@link #VERSION}; a newer
 * file is refused, older versions are migrated here step by step.
 */
final class Schema {

  static final int VERSION = 2;

  private Schema() {}

  static void migrate(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      // WAL: readers never block the writer. synchronous=FULL: a commit is on disk before the
      // broker acks,
      // so nothing acknowledged is lost on power failure (NORMAL could lose the last commits).
      s.execute("PRAGMA journal_mode=WAL");
      s.execute("PRAGMA synchronous=FULL");
      int version;
      try (var rs = s.executeQuery("PRAGMA user_version")) {
        version = rs.next() ? rs.getInt(1) : 0;
      }
      if (version > VERSION) {
        throw new SQLException(
            "broker.db has schema version " + version + ", newer than supported " + VERSION);
      }
      if (version < 1) {
        c.setAutoCommit(false);
        s.execute(
            "CREATE TABLE sessions (client_id TEXT PRIMARY KEY, expiry_seconds INTEGER NOT NULL,"
                + " disconnected_at INTEGER NOT NULL)");
        s.execute(
            "CREATE TABLE subscriptions (client_id TEXT NOT NULL, text TEXT NOT NULL,"
                + " filter TEXT NOT NULL, share_group TEXT, qos INTEGER NOT NULL, no_local INTEGER NOT NULL,"
                + " retain_as_published INTEGER NOT NULL, retain_handling INTEGER NOT NULL,"
                + " subscription_id INTEGER NOT NULL, PRIMARY KEY (client_id, text))");
        s.execute(
            "CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT, client_id TEXT NOT NULL,"
                + " topic TEXT NOT NULL, payload BLOB NOT NULL, published_qos INTEGER NOT NULL,"
                + " qos INTEGER NOT NULL, retain_flag INTEGER NOT NULL, published_retain INTEGER NOT NULL,"
                + " props TEXT, publisher TEXT, received_at INTEGER NOT NULL, subscription_ids TEXT,"
                + " packet_id INTEGER NOT NULL, released INTEGER NOT NULL)");
        s.execute("CREATE INDEX messages_by_client ON messages (client_id, id)");
        s.execute(
            "CREATE TABLE retained (topic TEXT PRIMARY KEY, payload BLOB NOT NULL,"
                + " qos INTEGER NOT NULL, props TEXT, publisher TEXT, received_at INTEGER NOT NULL)");
        s.execute("PRAGMA user_version = 1");
        c.commit();
        c.setAutoCommit(true);
      }
      if (version < 2) {
        // v2: incoming QoS 2 packet ids of persistent sessions, so exactly-once survives a restart
        c.setAutoCommit(false);
        s.execute(
            "CREATE TABLE inbound_qos2 (client_id TEXT NOT NULL, packet_id INTEGER NOT NULL,"
                + " PRIMARY KEY (client_id, packet_id))");
        s.execute("PRAGMA user_version = 2");
        c.commit();
        c.setAutoCommit(true);
      }
    }
  }
}
