package io.outpost.spool;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The spool's packs: the messages one commit stores for one priority go into one row of table
 * {@code pack} (id = the first message's id, so rows sort in drain order), which writes about a
 * fifth fewer bytes per message than a row each and deletes a drained batch with one row. A message
 * removed on its own (delivered, expired, evicted, dead-lettered) is marked in {@code pack_gone} in
 * the same transaction; the pack's row goes once all its messages are gone.
 *
 * <p>Confined to the writer thread. Appends are buffered until {@link #flush}, which every query
 * calls first; removals are applied to the in-memory {@link PackMeta} and written at the next
 * flush. After a rollback {@link #reset} forgets everything not on disk.
 */
final class PackTable {
  /**
   * Messages whose packs' accounting data stay in memory (about 1.3 MB). Beyond it the packs with
   * the highest ids are dropped first: the drain works from the lowest.
   */
  static final int CACHE_MESSAGES = 65_536;

  private final Map<Integer, PackCodec.Writer> pending = new LinkedHashMap<>();
  private final TreeMap<Long, PackMeta> cache = new TreeMap<>();
  private final Map<Long, PackMeta> dirty = new LinkedHashMap<>();
  private long cachedMessages;
  private final List<PreparedStatement> statements = new ArrayList<>();
  private final PreparedStatement insert;
  private final PreparedStatement containing;
  private final PreparedStatement body;
  private final PreparedStatement saveGone;
  private final PreparedStatement deletePack;
  private final PreparedStatement deleteGone;
  private final PreparedStatement maxId;
  private final PreparedStatement lastInRange;
  private final PreparedStatement all;
  private final PreparedStatement range;
  private final PreparedStatement expiring;

  PackTable(Connection connection) throws SQLException {
    insert =
        prepare(connection, "INSERT INTO pack(id, last_id, expires_min, body) VALUES (?,?,?,?)");
    containing =
        prepare(
            connection,
            "SELECT p.id, p.body, g.gone FROM pack p LEFT JOIN pack_gone g ON g.id = p.id"
                + " WHERE p.id <= ? ORDER BY p.id DESC LIMIT 1");
    body = prepare(connection, "SELECT body FROM pack WHERE id = ?");
    saveGone = prepare(connection, "INSERT OR REPLACE INTO pack_gone(id, gone) VALUES (?,?)");
    deletePack = prepare(connection, "DELETE FROM pack WHERE id = ?");
    deleteGone = prepare(connection, "DELETE FROM pack_gone WHERE id = ?");
    maxId = prepare(connection, "SELECT MAX(id) FROM pack");
    lastInRange =
        prepare(
            connection,
            "SELECT last_id FROM pack WHERE id >= ? AND id < ? ORDER BY id DESC LIMIT 1");
    String scan = "SELECT p.id, p.body, g.gone FROM pack p LEFT JOIN pack_gone g ON g.id = p.id";
    all = prepare(connection, scan + " ORDER BY p.id");
    range = prepare(connection, scan + " WHERE p.id >= ? AND p.id < ? ORDER BY p.id");
    expiring =
        prepare(connection, scan + " WHERE p.expires_min > 0 AND p.expires_min <= ? ORDER BY p.id");
  }

  private PreparedStatement prepare(Connection connection, String sql) throws SQLException {
    PreparedStatement statement = connection.prepareStatement(sql);
    statements.add(statement);
    return statement;
  }

  /** Buffers a message for the pack of its priority (written at the next {@link #flush}). */
  void add(
      long id,
      long routeId,
      long topicId,
      long originId,
      SpoolEntry entry,
      byte[] props,
      int size) {
    pending
        .computeIfAbsent(entry.priority(), p -> new PackCodec.Writer())
        .add(id, routeId, topicId, originId, entry, props, size);
  }

  /** Writes buffered packs and the removals made since the last flush. */
  void flush() throws SQLException {
    if (!pending.isEmpty()) {
      for (PackCodec.Writer writer : pending.values()) {
        insert.setLong(1, writer.firstId());
        insert.setLong(2, writer.lastId());
        insert.setLong(3, writer.expiresMin());
        insert.setBytes(4, writer.body());
        insert.executeUpdate();
      }
      pending.clear();
    }
    if (!dirty.isEmpty()) {
      for (PackMeta meta : dirty.values()) {
        if (meta.live() == 0) {
          deletePack.setLong(1, meta.id);
          deletePack.executeUpdate();
          deleteGone.setLong(1, meta.id);
          deleteGone.executeUpdate();
          forget(meta.id);
        } else {
          saveGone.setLong(1, meta.id);
          saveGone.setBytes(2, meta.gone.toByteArray());
          saveGone.executeUpdate();
        }
      }
      dirty.clear();
    }
  }

  /** The pack that holds message {@code messageId} (live or gone), or null. */
  PackMeta holding(long messageId) throws SQLException {
    Map.Entry<Long, PackMeta> cached = cache.floorEntry(messageId);
    if (cached != null && messageId <= cached.getValue().lastId()) {
      PackMeta meta = cached.getValue();
      return meta.indexOf(messageId) >= 0 ? meta : null;
    }
    flush();
    containing.setLong(1, messageId);
    PackMeta meta = null;
    try (ResultSet rs = containing.executeQuery()) {
      if (rs.next()) {
        meta = PackMeta.decode(rs.getLong(1), rs.getBytes(2), rs.getBytes(3));
      }
    }
    if (meta == null || messageId > meta.lastId()) {
      return null;
    }
    remember(meta);
    return meta.indexOf(messageId) >= 0 ? meta : null;
  }

  /**
   * Marks a live message gone (written at the next flush); false when no pack holds it live.
   *
   * @return the pack it was in, or null
   */
  PackMeta remove(long messageId) throws SQLException {
    PackMeta meta = holding(messageId);
    if (meta == null || !meta.remove(meta.indexOf(messageId))) {
      return null;
    }
    dirty.put(meta.id, meta);
    return meta;
  }

  private void remember(PackMeta meta) {
    forget(meta.id);
    cache.put(meta.id, meta);
    cachedMessages += meta.ids.length;
    while (cachedMessages > CACHE_MESSAGES && cache.size() > 1) {
      Map.Entry<Long, PackMeta> highest = cache.lastEntry();
      if (dirty.containsKey(highest.getKey())) {
        break; // written at the next flush (which every read runs first), then dropped as the rest
      }
      forget(highest.getKey());
    }
  }

  private void forget(long packId) {
    PackMeta dropped = cache.remove(packId);
    if (dropped != null) {
      cachedMessages -= dropped.ids.length;
    }
  }

  /** A stored pack's body. */
  byte[] body(long packId) throws SQLException {
    flush();
    body.setLong(1, packId);
    try (ResultSet rs = body.executeQuery()) {
      if (!rs.next()) {
        throw new SQLException("spool pack " + packId + " is missing");
      }
      return rs.getBytes(1);
    }
  }

  /** Highest pack id, or null when there is no pack. */
  Long maxId() throws SQLException {
    flush();
    try (ResultSet rs = maxId.executeQuery()) {
      if (rs.next()) {
        long id = rs.getLong(1);
        return rs.wasNull() ? null : id;
      }
      return null;
    }
  }

  /** Highest message id ever stored in a pack whose id is in {@code [from, to)}, or -1. */
  long lastIdIn(long from, long to) throws SQLException {
    flush();
    lastInRange.setLong(1, from);
    lastInRange.setLong(2, to);
    try (ResultSet rs = lastInRange.executeQuery()) {
      return rs.next() ? rs.getLong(1) : -1;
    }
  }

  /** Every live packed message, in id order; the packs read are kept in memory (for the drain). */
  Cursor all() throws SQLException {
    flush();
    return new Cursor(all.executeQuery(), true);
  }

  /** As {@link #all}, without keeping the packs in memory: a scan of the whole spool. */
  Cursor scanAll() throws SQLException {
    flush();
    return new Cursor(all.executeQuery(), false);
  }

  /** The live packed messages of packs with an id in {@code [from, to)}, in id order. */
  Cursor range(long from, long to) throws SQLException {
    flush();
    range.setLong(1, from);
    range.setLong(2, to);
    return new Cursor(range.executeQuery(), true);
  }

  /**
   * The live messages of packs holding a message that expired by {@code nowMillis} (with the others
   * of those packs: check {@link PackCodec.Reader#expiresAt}).
   */
  Cursor expiring(long nowMillis) throws SQLException {
    flush();
    expiring.setLong(1, nowMillis);
    return new Cursor(expiring.executeQuery(), true);
  }

  /** Steps through the live messages of the packs a query returned. */
  final class Cursor implements AutoCloseable {
    private final ResultSet rows;
    private final boolean keep;
    private PackCodec.Reader reader;
    private PackMeta meta;

    private Cursor(ResultSet rows, boolean keep) {
      this.rows = rows;
      this.keep = keep;
    }

    /** Moves to the next live message; false when there is none. */
    boolean next() throws SQLException {
      while (true) {
        if (reader != null) {
          while (reader.next()) {
            if (meta.isLive(reader.index())) {
              return true;
            }
          }
        }
        if (!rows.next()) {
          reader = null;
          return false;
        }
        long id = rows.getLong(1);
        byte[] packBody = rows.getBytes(2);
        meta = cache.get(id);
        if (meta == null) {
          meta = PackMeta.decode(id, packBody, rows.getBytes(3));
          if (keep) {
            remember(meta);
          }
        }
        reader = new PackCodec.Reader(id, packBody);
      }
    }

    /** The current message. */
    PackCodec.Reader message() {
      return reader;
    }

    @Override
    public void close() throws SQLException {
      rows.close();
    }
  }

  /** Forgets buffered packs and in-memory removals (the transaction was rolled back). */
  void reset() {
    pending.clear();
    dirty.clear();
    cache.clear();
    cachedMessages = 0;
  }

  void close() throws SQLException {
    for (PreparedStatement statement : statements) {
      statement.close();
    }
  }
}
