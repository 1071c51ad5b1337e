package io.outpost.spool;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Interns routes, topics and origin client ids: rows store a small integer instead of the repeated
 * string, which cuts the bytes written per message. Cached in memory (bounded); orphaned names are
 * collected when the table grows large.
 */
final class NameTable {
  private static final Logger LOG = LoggerFactory.getLogger(NameTable.class);
  static final int CACHE_MAX = 100_000;

  /** Above this many names, unreferenced ones are deleted in the periodic sweep. */
  static final int COLLECT_ABOVE = 2 * CACHE_MAX;

  private final Connection connection;
  private final Map<String, Long> ids = new HashMap<>();
  private final Map<Long, String> texts = new HashMap<>();
  private final PreparedStatement find;
  private final PreparedStatement insert;
  private final PreparedStatement text;

  NameTable(Connection connection) throws SQLException {
    this.connection = connection;
    find = connection.prepareStatement("SELECT id FROM name WHERE text = ?");
    insert = connection.prepareStatement("INSERT INTO name(text) VALUES (?)");
    text = connection.prepareStatement("SELECT text FROM name WHERE id = ?");
  }

  /** The id of {@code value}, creating it inside the current transaction if new. */
  long id(String value) throws SQLException {
    Long cached = ids.get(value);
    if (cached != null) {
      return cached;
    }
    long id = lookup(value);
    if (id < 0) {
      insert.setString(1, value);
      insert.executeUpdate();
      id = lookup(value);
    }
    remember(value, id);
    return id;
  }

  private long lookup(String value) throws SQLException {
    find.setString(1, value);
    try (ResultSet rs = find.executeQuery()) {
      return rs.next() ? rs.getLong(1) : -1;
    }
  }

  String text(long id) throws SQLException {
    String cached = texts.get(id);
    if (cached != null) {
      return cached;
    }
    text.setLong(1, id);
    try (ResultSet rs = text.executeQuery()) {
      if (!rs.next()) {
        throw new SQLException("spool references unknown name " + id);
      }
      String value = rs.getString(1);
      remember(value, id);
      return value;
    }
  }

  private void remember(String value, long id) {
    if (ids.size() >= CACHE_MAX) {
      ids.clear();
      texts.clear();
    }
    ids.put(value, id);
    texts.put(id, value);
  }

  /** Forget cached ids (names created by a rolled-back transaction no longer exist). */
  void clearCache() {
    ids.clear();
    texts.clear();
  }

  /** Adds name ids referenced outside the tables' columns (inside packs). */
  @FunctionalInterface
  interface References {
    void addTo(Set<Long> ids) throws SQLException;
  }

  /** Deletes names no row or pack references, once there are many. */
  void collect(References packed) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      long count;
      try (ResultSet rs = statement.executeQuery("SELECT COUNT(*) FROM name")) {
        count = rs.next() ? rs.getLong(1) : 0;
      }
      if (count <= COLLECT_ABOVE) {
        return;
      }
      Set<Long> referenced = new HashSet<>();
      packed.addTo(referenced);
      List<Long> unreferenced = new ArrayList<>();
      try (ResultSet rs =
          statement.executeQuery(
              "SELECT id FROM name WHERE id NOT IN (SELECT route_id FROM message UNION"
                  + " SELECT topic_id FROM message UNION SELECT origin_id FROM message WHERE origin_id IS NOT NULL UNION"
                  + " SELECT route_id FROM dead_letter UNION SELECT topic_id FROM dead_letter UNION"
                  + " SELECT origin_id FROM dead_letter WHERE origin_id IS NOT NULL)")) {
        while (rs.next()) {
          if (!referenced.contains(rs.getLong(1))) {
            unreferenced.add(rs.getLong(1));
          }
        }
      }
      try (PreparedStatement delete =
          connection.prepareStatement("DELETE FROM name WHERE id = ?")) {
        for (long id : unreferenced) {
          delete.setLong(1, id);
          delete.executeUpdate();
        }
      }
      clearCache();
      LOG.info(
          "Spool name table: {} unreferenced name(s) of {} deleted", unreferenced.size(), count);
    }
  }

  void close() throws SQLException {
    find.close();
    insert.close();
    text.close();
  }
}
