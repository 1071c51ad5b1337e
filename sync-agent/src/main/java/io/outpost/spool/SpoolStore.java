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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SQL for the spool on one connection with cached prepared statements. Confined to the writer
 * thread: no locks.
 *
 * <p>New messages go into packs ({@link PackTable}: one row per commit and priority); table {@code
 * message} holds rows written before packs existed and dead letters moved back. Every read merges
 * the two in id order.
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
  private PackTable packs;
  private PreparedStatement delete;
  private PreparedStatement refById;
  private PreparedStatement drainOrder;
  private PreparedStatement lastId;
  private PreparedStatement oldestInRange;
  private PreparedStatement expired;
  private PreparedStatement toDeadLetter;
  private PreparedStatement packedToDeadLetter;
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
    packs = new PackTable(connection);
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
    packedToDeadLetter =
        prepare(
            "INSERT OR REPLACE INTO dead_letter("
                + COLS
                + ", reason, failed_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)");
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
        prepare("SELECT received_at, id FROM message WHERE id >= ? AND id < ? ORDER BY id LIMIT 1");
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
      packs.close();
    } catch (SQLException e) {
      LOG.debug("Closing name statements after a failed commit", e);
    }
    statements.clear();
    packs.reset();
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

  /** Stores a message in its priority's pack of this transaction (written at the next flush). */
  void insert(long id, SpoolEntry e, byte[] props, int size) throws SQLException {
    long route = names.id(e.route());
    long topic = names.id(e.topic());
    long origin = e.originClientId() == null ? -1 : names.id(e.originClientId());
    packs.add(id, route, topic, origin, e, props, size);
  }

  /**
   * Writes what is buffered (packs of this transaction, removals from packs); every other statement
   * runs it first so it sees them.
   */
  void flush() throws SQLException {
    packs.flush();
  }

  boolean delete(long id) throws SQLException {
    if (packs.remove(id) != null) {
      return true;
    }
    flush();
    delete.setLong(1, id);
    return delete.executeUpdate() > 0;
  }

  RowRef ref(long id) throws SQLException {
    PackMeta pack = packs.holding(id);
    if (pack != null) {
      int i = pack.indexOf(id);
      if (pack.isLive(i)) {
        return new RowRef(id, names.text(pack.routeIds[i]), pack.sizes[i]);
      }
    }
    flush();
    refById.setLong(1, id);
    try (ResultSet rs = refById.executeQuery()) {
      return rs.next() ? readRef(rs) : null;
    }
  }

  /**
   * The first {@code max} messages in drain order (ids order by priority, then arrival) whose id
   * {@code skip} does not reject, stepping over at most {@code scanLimit} messages. Rows and packs
   * are merged by id; skipped messages are stepped over without decoding their payload.
   */
  List<SpooledMessage> drainOrder(int scanLimit, int max, LongPredicate skip) throws SQLException {
    flush();
    drainOrder.setInt(1, scanLimit);
    List<SpooledMessage> rows = new ArrayList<>(Math.min(max, 4096));
    int scanned = 0;
    try (ResultSet rs = drainOrder.executeQuery();
        PackTable.Cursor packed = packs.all()) {
      boolean hasRow = rs.next();
      boolean hasPacked = packed.next();
      while (rows.size() < max && scanned < scanLimit && (hasRow || hasPacked)) {
        scanned++;
        if (hasRow && (!hasPacked || rs.getLong(1) < packed.message().id)) {
          long id = rs.getLong(1);
          if (!skip.test(id)) {
            rows.add(new SpooledMessage(id, readEntry(rs), rs.getInt(11)));
          }
          hasRow = rs.next();
        } else {
          PackCodec.Reader m = packed.message();
          if (!skip.test(m.id)) {
            rows.add(new SpooledMessage(m.id, entry(m), m.size));
          }
          hasPacked = packed.next();
        }
      }
    }
    return rows;
  }

  /** A packed message as an entry. */
  private SpoolEntry entry(PackCodec.Reader m) throws SQLException {
    byte[] props = m.props();
    return new SpoolEntry(
        names.text(m.routeId),
        SpoolKeys.priority(m.id),
        names.text(m.topicId),
        m.payload(),
        m.qos,
        m.ttlMillis,
        PropertiesCodec.decode(props),
        m.contentType(),
        m.originId < 0 ? null : names.text(m.originId),
        m.receivedAt);
  }

  /** Lowest stored priority, or {@code null} when empty. */
  Integer minPriority() throws SQLException {
    flush();
    Long highest = packs.maxId();
    try (ResultSet rs = lastId.executeQuery()) {
      if (rs.next()) {
        long id = rs.getLong(1);
        if (!rs.wasNull()) {
          highest = highest == null ? id : Math.max(highest, id);
        }
      }
    }
    return highest == null ? null : SpoolKeys.priority(highest);
  }

  /** The oldest {@code limit} messages of a priority, rows and packs merged by id. */
  List<RowRef> oldestOfPriority(int priority, int limit) throws SQLException {
    flush();
    oldestInRange.setLong(1, SpoolKeys.first(priority));
    oldestInRange.setLong(2, SpoolKeys.end(priority));
    oldestInRange.setInt(3, limit);
    List<RowRef> rows = refs(oldestInRange);
    List<RowRef> merged = new ArrayList<>(limit);
    int r = 0;
    try (PackTable.Cursor packed =
        packs.range(SpoolKeys.first(priority), SpoolKeys.end(priority))) {
      boolean hasPacked = packed.next();
      while (merged.size() < limit && (r < rows.size() || hasPacked)) {
        if (r < rows.size() && (!hasPacked || rows.get(r).id() < packed.message().id)) {
          merged.add(rows.get(r++));
        } else {
          PackCodec.Reader m = packed.message();
          merged.add(new RowRef(m.id, names.text(m.routeId), m.size));
          hasPacked = packed.next();
        }
      }
    }
    return merged;
  }

  /** Up to about {@code limit} messages expired by {@code nowMillis}, in no particular order. */
  List<RowRef> expired(long nowMillis, int limit) throws SQLException {
    flush();
    expired.setLong(1, nowMillis);
    expired.setInt(2, limit);
    List<RowRef> refs = refs(expired);
    try (PackTable.Cursor packed = packs.expiring(nowMillis)) {
      while (refs.size() < limit && packed.next()) {
        PackCodec.Reader m = packed.message();
        long expiresAt = m.expiresAt();
        if (expiresAt > 0 && expiresAt <= nowMillis) {
          refs.add(new RowRef(m.id, names.text(m.routeId), m.size));
        }
      }
    }
    return refs;
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
    PackMeta pack = packs.holding(id);
    if (pack != null && pack.isLive(pack.indexOf(id))) {
      return movePackedToDeadLetter(pack, id, reason, nowMillis);
    }
    flush();
    toDeadLetter.setString(1, reason);
    toDeadLetter.setLong(2, nowMillis);
    toDeadLetter.setLong(3, id);
    return toDeadLetter.executeUpdate() > 0 && delete(id);
  }

  private boolean movePackedToDeadLetter(PackMeta pack, long id, String reason, long nowMillis)
      throws SQLException {
    PackCodec.Reader m = new PackCodec.Reader(pack.id, packs.body(pack.id));
    while (m.next()) {
      if (m.id == id) {
        PreparedStatement insert = packedToDeadLetter;
        insert.setLong(1, id);
        insert.setLong(2, m.routeId);
        insert.setLong(3, m.topicId);
        if (m.originId < 0) {
          insert.setNull(4, Types.INTEGER);
        } else {
          insert.setLong(4, m.originId);
        }
        insert.setInt(5, m.qos);
        insert.setLong(6, m.expiresAt());
        insert.setLong(7, m.receivedAt);
        String contentType = m.contentType();
        if (contentType == null) {
          insert.setNull(8, Types.VARCHAR);
        } else {
          insert.setString(8, contentType);
        }
        byte[] props = m.props();
        if (props == null) {
          insert.setNull(9, Types.BLOB);
        } else {
          insert.setBytes(9, props);
        }
        insert.setBytes(10, m.payload());
        insert.setInt(11, m.size);
        insert.setString(12, reason);
        insert.setLong(13, nowMillis);
        insert.executeUpdate();
        return packs.remove(id) != null;
      }
    }
    return false;
  }

  /** Moves a dead letter back into the message table; false if there is no such dead letter. */
  boolean moveFromDeadLetter(long id) throws SQLException {
    flush();
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
    flush();
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
    for (int p = SpoolKeys.MIN_PRIORITY; p <= SpoolKeys.MAX_PRIORITY; p++) {
      long last = packs.lastIdIn(SpoolKeys.first(p), SpoolKeys.end(p));
      if (last >= 0) {
        highest = Math.max(highest, SpoolKeys.sequence(last));
      }
    }
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
    flush();
    long oldest = -1;
    for (int p = SpoolKeys.MIN_PRIORITY; p <= SpoolKeys.MAX_PRIORITY; p++) {
      long firstId = Long.MAX_VALUE;
      long received = -1;
      firstReceivedInRange.setLong(1, SpoolKeys.first(p));
      firstReceivedInRange.setLong(2, SpoolKeys.end(p));
      try (ResultSet rs = firstReceivedInRange.executeQuery()) {
        if (rs.next()) {
          firstId = rs.getLong(2);
          received = rs.getLong(1);
        }
      }
      try (PackTable.Cursor packed = packs.range(SpoolKeys.first(p), SpoolKeys.end(p))) {
        if (packed.next() && packed.message().id < firstId) {
          received = packed.message().receivedAt;
        }
      }
      if (received >= 0) {
        oldest = oldest < 0 ? received : Math.min(oldest, received);
      }
    }
    return oldest;
  }

  /** Per-route counts and sizes, to rebuild the in-memory ledger. */
  List<RouteTotal> totalsByRoute() throws SQLException {
    flush();
    Map<Long, long[]> byRoute = new HashMap<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT route_id, COUNT(*), COALESCE(SUM(size), 0) FROM message"
                    + " GROUP BY route_id")) {
      while (rs.next()) {
        long[] total = byRoute.computeIfAbsent(rs.getLong(1), r -> new long[2]);
        total[0] += rs.getLong(2);
        total[1] += rs.getLong(3);
      }
    }
    try (PackTable.Cursor cursor = packs.scanAll()) {
      while (cursor.next()) {
        PackCodec.Reader m = cursor.message();
        long[] total = byRoute.computeIfAbsent(m.routeId, r -> new long[2]);
        total[0]++;
        total[1] += m.size;
      }
    }
    List<RouteTotal> totals = new ArrayList<>(byRoute.size());
    for (Map.Entry<Long, long[]> e : byRoute.entrySet()) {
      totals.add(new RouteTotal(names.text(e.getKey()), e.getValue()[0], e.getValue()[1]));
    }
    return totals;
  }

  /** Periodic housekeeping inside the sweep transaction. */
  void collectNames() throws SQLException {
    flush();
    names.collect(this::packedNames);
  }

  /** Adds the name ids packed messages refer to. */
  private void packedNames(Set<Long> into) throws SQLException {
    try (PackTable.Cursor cursor = packs.scanAll()) {
      while (cursor.next()) {
        PackCodec.Reader m = cursor.message();
        into.add(m.routeId);
        into.add(m.topicId);
        if (m.originId >= 0) {
          into.add(m.originId);
        }
      }
    }
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
    flush();
    commit.execute();
  }

  /**
   * Rolls back; a transaction SQLite already rolled back (e.g. after SQLITE_FULL) is not an error.
   */
  void rollback() throws SQLException {
    names.clearCache();
    packs.reset();
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
