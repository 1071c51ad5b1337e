package io.outpost.spool;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SQL for the spool on one connection with cached prepared statements. Confined to the writer
 * thread: no locks.
 */
final class SpoolStore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SpoolStore.class);

  /** Fixed per-row cost added to the accounted size (row header, integers). */
  static final int ROW_OVERHEAD = 32;

  private static final String ID_FLOOR = "id_floor";
  private static final String COLS = SpoolSchema.COLUMNS;

  /** A row's identity and accounting data. */
  record RowRef(long id, String route, int size) {
    int priority() {
      return SpoolKeys.priority(id);
    }
  }

  /** Count and accounted bytes of one route. */
  record RouteTotal(String route, long count, long bytes) {}

  private final Connection connection;
  private final List<PreparedStatement> statements = new ArrayList<>();
  private NameTable names;
  private int pendingInserts;
  private PreparedStatement insert;
  private PreparedStatement delete;
  private PreparedStatement refById;
  private PreparedStatement drainOrder;
  private PreparedStatement lastId;
  private PreparedStatement oldestInRange;
  private PreparedStatement expired;
  private PreparedStatement toDeadLetter;
  private PreparedStatement fromDeadLetter;
  private PreparedStatement deleteDeadLetter;
  private PreparedStatement listDeadLetters;
  private PreparedStatement pageDeadLetters;
  private PreparedStatement deleteAllDeadLetters;
  private PreparedStatement trimDeadLetters;
  private PreparedStatement setMeta;
  private PreparedStatement firstReceivedInRange;
  private PreparedStatement begin;
  private PreparedStatement commit;
  private PreparedStatement rollback;

  SpoolStore(Connection connection) throws SQLException {
    this.connection = connection;
    prepareAll();
  }

  private void prepareAll() throws SQLException {
    names = new NameTable(connection);
    insert = prepare("INSERT INTO message(" + COLS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?)");
    delete = prepare("DELETE FROM message WHERE id = ?");
    refById = prepare("SELECT id, route_id, size FROM message WHERE id = ?");
    drainOrder = prepare("SELECT " + COLS + " FROM message ORDER BY id LIMIT ?");
    lastId = prepare("SELECT MAX(id) FROM message");
    oldestInRange =
        prepare(
            "SELECT id, route_id, size FROM message WHERE id >= ? AND id < ? ORDER BY id LIMIT ?");
    expired =
        prepare(
            "SELECT id, route_id, size FROM message WHERE expires_at > 0 AND expires_at <= ? LIMIT ?");
    toDeadLetter =
        prepare(
            "INSERT OR REPLACE INTO dead_letter("
                + COLS
                + ", reason, failed_at) SELECT "
                + COLS
                + ", ?, ? FROM message WHERE id = ?");
    fromDeadLetter =
        prepare(
            "INSERT INTO message(" + COLS + ") SELECT " + COLS + " FROM dead_letter WHERE id = ?");
    deleteDeadLetter = prepare("DELETE FROM dead_letter WHERE id = ?");
    listDeadLetters =
        prepare(
            "SELECT "
                + COLS
                + ", reason, failed_at FROM dead_letter ORDER BY failed_at, id"
                + " LIMIT ?");
    pageDeadLetters =
        prepare(
            "SELECT "
                + COLS
                + ", reason, failed_at FROM dead_letter"
                + " WHERE failed_at > ? OR (failed_at = ? AND id > ?) ORDER BY failed_at, id LIMIT ?");
    deleteAllDeadLetters = prepare("DELETE FROM dead_letter");
    trimDeadLetters =
        prepare(
            "DELETE FROM dead_letter WHERE id IN"
                + " (SELECT id FROM dead_letter ORDER BY failed_at, id LIMIT ?)");
    setMeta = prepare("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)");
    firstReceivedInRange =
        prepare("SELECT received_at FROM message WHERE id >= ? AND id < ? ORDER BY id LIMIT 1");
    begin = prepare("BEGIN");
    commit = prepare("COMMIT");
    rollback = prepare("ROLLBACK");
  }

  private PreparedStatement prepare(String sql) throws SQLException {
    PreparedStatement statement = connection.prepareStatement(sql);
    statements.add(statement);
    return statement;
  }

  /**
   * After a failed transaction: the driver may have finalized statements (it does after
   * SQLITE_FULL), so drop and prepare them all again, then roll back whatever is still open.
   */
  void recover() throws SQLException {
    for (PreparedStatement statement : statements) {
      try {
        statement.close();
      } catch (SQLException e) {
        LOG.debug("Closing a spool statement after a failed commit", e);
      }
    }
    try {
      names.close();
    } catch (SQLException e) {
      LOG.debug("Closing name statements after a failed commit", e);
    }
    statements.clear();
    pendingInserts = 0;
    prepareAll();
    rollback();
  }

  /** Accounted size of an entry. */
  static int sizeOf(SpoolEntry entry, byte[] props) {
    return ROW_OVERHEAD
        + entry.payload().length
        + utf8(entry.topic())
        + (props == null ? 0 : props.length)
        + utf8(entry.contentType());
  }

  private static int utf8(String s) {
    return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
  }

  void insert(long id, SpoolEntry e, byte[] props, int size) throws SQLException {
    long route = names.id(e.route());
    long topic = names.id(e.topic());
    Long origin = e.originClientId() == null ? null : names.id(e.originClientId());
    insert.setLong(1, id);
    insert.setLong(2, route);
    insert.setLong(3, topic);
    if (origin == null) {
      insert.setNull(4, Types.INTEGER);
    } else {
      insert.setLong(4, origin);
    }
    insert.setInt(5, e.qos());
    insert.setLong(6, e.expiresAtMillis());
    insert.setLong(7, e.receivedAtMillis());
    if (e.contentType() == null) {
      insert.setNull(8, Types.VARCHAR);
    } else {
      insert.setString(8, e.contentType());
    }
    if (props == null) {
      insert.setNull(9, Types.BLOB);
    } else {
      insert.setBytes(9, props);
    }
    insert.setBytes(10, e.payload());
    insert.setInt(11, size);
    insert.addBatch();
    pendingInserts++;
  }

  /**
   * Inserts are batched into one native call (much cheaper than a JNI round trip per row); every
   * other statement flushes them first so it sees them.
   */
  void flushInserts() throws SQLException {
    if (pendingInserts > 0) {
      pendingInserts = 0;
      insert.executeBatch();
    }
  }

  boolean delete(long id) throws SQLException {
    flushInserts();
    delete.setLong(1, id);
    return delete.executeUpdate() > 0;
  }

  RowRef ref(long id) throws SQLException {
    flushInserts();
    refById.setLong(1, id);
    try (ResultSet rs = refById.executeQuery()) {
      return rs.next() ? readRef(rs) : null;
    }
  }

  /** Ids in drain order (rowid order, see {@link SpoolKeys}). */
  /**
   * The first {@code max} messages in drain order (ids order by priority, then arrival) whose id
   * {@code skip} does not reject, scanning at most {@code scanLimit} rows. One query: skipped rows
   * are stepped over without decoding them.
   */
  List<SpooledMessage> drainOrder(int scanLimit, int max, LongPredicate skip) throws SQLException {
    flushInserts();
    drainOrder.setInt(1, scanLimit);
    List<SpooledMessage> rows = new ArrayList<>(Math.min(max, 4096));
    try (ResultSet rs = drainOrder.executeQuery()) {
      while (rows.size() < max && rs.next()) {
        long id = rs.getLong(1);
        if (!skip.test(id)) {
          rows.add(new SpooledMessage(id, readEntry(rs), rs.getInt(11)));
        }
      }
    }
    return rows;
  }

  /** Lowest stored priority, or {@code null} when empty. */
  Integer minPriority() throws SQLException {
    flushInserts();
    try (ResultSet rs = lastId.executeQuery()) {
      if (rs.next()) {
        long id = rs.getLong(1);
        return rs.wasNull() ? null : SpoolKeys.priority(id);
      }
      return null;
    }
  }

  List<RowRef> oldestOfPriority(int priority, int limit) throws SQLException {
    flushInserts();
    oldestInRange.setLong(1, SpoolKeys.first(priority));
    oldestInRange.setLong(2, SpoolKeys.end(priority));
    oldestInRange.setInt(3, limit);
    return refs(oldestInRange);
  }

  List<RowRef> expired(long nowMillis, int limit) throws SQLException {
    flushInserts();
    expired.setLong(1, nowMillis);
    expired.setInt(2, limit);
    return refs(expired);
  }

  private List<RowRef> refs(PreparedStatement statement) throws SQLException {
    List<RowRef> refs = new ArrayList<>();
    try (ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        refs.add(readRef(rs));
      }
    }
    return refs;
  }

  private RowRef readRef(ResultSet rs) throws SQLException {
    return new RowRef(rs.getLong(1), names.text(rs.getLong(2)), rs.getInt(3));
  }

  /** Copies a message into the dead-letter table and deletes it; false if it no longer exists. */
  boolean moveToDeadLetter(long id, String reason, long nowMillis) throws SQLException {
    flushInserts();
    toDeadLetter.setString(1, reason);
    toDeadLetter.setLong(2, nowMillis);
    toDeadLetter.setLong(3, id);
    return toDeadLetter.executeUpdate() > 0 && delete(id);
  }

  /** Moves a dead letter back into the message table; false if there is no such dead letter. */
  boolean moveFromDeadLetter(long id) throws SQLException {
    flushInserts();
    fromDeadLetter.setLong(1, id);
    if (fromDeadLetter.executeUpdate() == 0) {
      return false;
    }
    deleteDeadLetter.setLong(1, id);
    deleteDeadLetter.executeUpdate();
    return true;
  }

  List<DeadLetter> deadLetters(int limit) throws SQLException {
    listDeadLetters.setInt(1, limit);
    return readDeadLetters(listDeadLetters);
  }

  /** Dead letters after {@code after} in (failed_at, id) order; null: from the oldest. */
  List<DeadLetter> deadLettersAfter(DeadLetter after, int limit) throws SQLException {
    long failedAt = after == null ? Long.MIN_VALUE : after.failedAtMillis();
    pageDeadLetters.setLong(1, failedAt);
    pageDeadLetters.setLong(2, failedAt);
    pageDeadLetters.setLong(3, after == null ? Long.MIN_VALUE : after.id());
    pageDeadLetters.setInt(4, limit);
    return readDeadLetters(pageDeadLetters);
  }

  /** Deletes the listed dead letters; returns how many existed. */
  int deleteDeadLetters(Collection<Long> ids) throws SQLException {
    int deleted = 0;
    for (long id : ids) {
      deleteDeadLetter.setLong(1, id);
      deleted += deleteDeadLetter.executeUpdate();
    }
    return deleted;
  }

  int deleteAllDeadLetters() throws SQLException {
    return deleteAllDeadLetters.executeUpdate();
  }

  private List<DeadLetter> readDeadLetters(PreparedStatement query) throws SQLException {
    List<DeadLetter> letters = new ArrayList<>();
    try (ResultSet rs = query.executeQuery()) {
      while (rs.next()) {
        letters.add(new DeadLetter(rs.getLong(1), readEntry(rs), rs.getString(12), rs.getLong(13)));
      }
    }
    return letters;
  }

  int trimDeadLetters(int count) throws SQLException {
    trimDeadLetters.setInt(1, count);
    return trimDeadLetters.executeUpdate();
  }

  long deadLetterCount() throws SQLException {
    return queryLong("SELECT COUNT(*) FROM dead_letter", 0);
  }

  /** Reads the columns of {@link SpoolSchema#COLUMNS} (1-based, id at 1) into an entry. */
  private SpoolEntry readEntry(ResultSet rs) throws SQLException {
    long id = rs.getLong(1);
    long originId = rs.getLong(4);
    String origin = rs.wasNull() ? null : names.text(originId);
    long expiresAt = rs.getLong(6);
    long receivedAt = rs.getLong(7);
    return new SpoolEntry(
        names.text(rs.getLong(2)),
        SpoolKeys.priority(id),
        names.text(rs.getLong(3)),
        rs.getBytes(10),
        rs.getInt(5),
        expiresAt == 0 ? 0 : Math.max(1, expiresAt - receivedAt),
        PropertiesCodec.decode(rs.getBytes(9)),
        rs.getString(8),
        origin,
        receivedAt);
  }

  void setIdFloor(long sequence) throws SQLException {
    flushInserts();
    setMeta.setString(1, ID_FLOOR);
    setMeta.setLong(2, sequence);
    setMeta.executeUpdate();
  }

  /**
   * Highest sequence ever handed out (persisted floor, stored messages, dead letters), or -1 for a
   * new database. One range query per priority: cheap on any size.
   */
  long highestSequence() throws SQLException {
    long highest = queryLong("SELECT value FROM meta WHERE key = '" + ID_FLOOR + "'", -1);
    for (String table : List.of("message", "dead_letter")) {
      try (PreparedStatement max =
          connection.prepareStatement(
              "SELECT MAX(id) FROM " + table + " WHERE id >= ? AND id < ?")) {
        for (int p = SpoolKeys.MIN_PRIORITY; p <= SpoolKeys.MAX_PRIORITY; p++) {
          max.setLong(1, SpoolKeys.first(p));
          max.setLong(2, SpoolKeys.end(p));
          try (ResultSet rs = max.executeQuery()) {
            if (rs.next()) {
              long id = rs.getLong(1);
              if (!rs.wasNull()) {
                highest = Math.max(highest, SpoolKeys.sequence(id));
              }
            }
          }
        }
      }
    }
    return highest;
  }

  /** Earliest received-at among the oldest message of each priority, or {@code -1} when empty. */
  long oldestReceivedAt() throws SQLException {
    flushInserts();
    long oldest = -1;
    for (int p = SpoolKeys.MIN_PRIORITY; p <= SpoolKeys.MAX_PRIORITY; p++) {
      firstReceivedInRange.setLong(1, SpoolKeys.first(p));
      firstReceivedInRange.setLong(2, SpoolKeys.end(p));
      try (ResultSet rs = firstReceivedInRange.executeQuery()) {
        if (rs.next()) {
          long received = rs.getLong(1);
          oldest = oldest < 0 ? received : Math.min(oldest, received);
        }
      }
    }
    return oldest;
  }

  /** Per-route counts and sizes, to rebuild the in-memory ledger. */
  List<RouteTotal> totalsByRoute() throws SQLException {
    flushInserts();
    List<RouteTotal> totals = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT route_id, COUNT(*), COALESCE(SUM(size), 0) FROM message"
                    + " GROUP BY route_id")) {
      while (rs.next()) {
        totals.add(new RouteTotal(names.text(rs.getLong(1)), rs.getLong(2), rs.getLong(3)));
      }
    }
    return totals;
  }

  /** Periodic housekeeping inside the sweep transaction. */
  void collectNames() throws SQLException {
    flushInserts();
    names.collect();
  }

  private long queryLong(String sql, long fallback) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      if (rs.next()) {
        long value = rs.getLong(1);
        return rs.wasNull() ? fallback : value;
      }
      return fallback;
    }
  }

  /**
   * Starts the batch transaction (explicit, so a transaction SQLite rolled back itself cannot
   * confuse the driver).
   */
  void begin() throws SQLException {
    begin.execute();
  }

  void commit() throws SQLException {
    flushInserts();
    commit.execute();
  }

  /**
   * Rolls back; a transaction SQLite already rolled back (e.g. after SQLITE_FULL) is not an error.
   */
  void rollback() throws SQLException {
    names.clearCache();
    try {
      rollback.execute();
    } catch (SQLException e) {
      if (e.getMessage() == null || !e.getMessage().contains("no transaction is active")) {
        throw e;
      }
    }
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
