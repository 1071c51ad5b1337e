package io.outpost.broker.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaTest {

  @TempDir Path dir;

  private Connection open() throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("broker.db"));
  }

  private static int version(Statement s) throws SQLException {
    try (ResultSet rs = s.executeQuery("PRAGMA user_version")) {
      return rs.getInt(1);
    }
  }

  @Test
  void createsTheCurrentSchemaAndIsIdempotent() throws Exception {
    try (Connection c = open();
        Statement s = c.createStatement()) {
      Schema.migrate(c);
      Schema.migrate(c);
      assertThat(version(s)).isEqualTo(Schema.VERSION);
      try (ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
        assertThat(rs.getString(1)).isEqualTo("wal");
      }
    }
  }

  @Test
  void migratesAVersion1FileKeepingItsRows() throws Exception {
    try (Connection c = open();
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE sessions (client_id TEXT PRIMARY KEY, expiry_seconds INTEGER NOT NULL,"
              + " disconnected_at INTEGER NOT NULL)");
      s.execute("INSERT INTO sessions VALUES ('old', 60, 0)");
      s.execute("PRAGMA user_version = 1");
      Schema.migrate(c);
      assertThat(version(s)).isEqualTo(2);
      s.execute("INSERT INTO inbound_qos2 VALUES ('old', 7)");
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM sessions")) {
        assertThat(rs.getInt(1)).isEqualTo(1);
      }
    }
  }

  @Test
  void refusesAFileFromANewerVersion() throws Exception {
    try (Connection c = open();
        Statement s = c.createStatement()) {
      s.execute("PRAGMA user_version = 99");
      assertThatThrownBy(() -> Schema.migrate(c))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("schema version 99");
    }
  }
}
