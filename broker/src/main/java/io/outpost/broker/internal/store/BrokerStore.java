package io.outpost.broker.internal.store;

import io.outpost.broker.BrokerMessage;
import io.outpost.broker.internal.session.OutboundMessage;
import io.outpost.broker.internal.session.SessionPersistence;
import io.outpost.broker.internal.session.Subscription;
import io.outpost.durable.DurableFiles;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's durable state in one SQLite file ({@code broker.db}): persistent sessions, their
 * subscriptions and undelivered messages, and retained messages.
 *
 * <p>One connection, used only by one named worker thread ({@value #THREAD_NAME}), so the store
 * needs no locks and never runs on an event loop. Operations queued meanwhile are committed
 * together in one transaction (group commit: one fsync for many writes); each future completes
 * after its commit.
 */
public final class BrokerStore implements SessionPersistence {

  /** Name of the store's single worker thread pool. */
  public static final String THREAD_NAME = "outpost-broker-store";

  /** Most operations committed in one transaction. */
  static final int MAX_BATCH = 512;

  private final Vertx vertx;
  private final Path file;
  private static final Logger LOG = LoggerFactory.getLogger(BrokerStore.class);

  private WorkerExecutor executor;
  private Connection connection;
  private volatile Path quarantinedTo;
  private final Map<String, PreparedStatement> statements = new HashMap<>();
  private final Queue<Op<?>> pending = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();

  public BrokerStore(Vertx vertx, Path file) {
    this.vertx = vertx;
    this.file = file;
  }

  /**
   * Opens (creating or migrating) the database and loads its content, dropping sessions expired
   * meanwhile.
   */
  public Future<StoredState> open(long nowMillis) {
    executor =
        vertx.createSharedWorkerExecutor(
            THREAD_NAME + "-" + System.identityHashCode(this), 1, 5, TimeUnit.MINUTES);
    return executor.executeBlocking(
        () -> {
          Files.createDirectories(file.toAbsolutePath().getParent());
          try {
            return connectAndLoad(nowMillis);
          } catch (SQLException e) {
            if (!CorruptFiles.isCorruption(e)) {
              throw e;
            }
            closeConnection(e);
            quarantinedTo = CorruptFiles.moveAside(file, nowMillis);
            LOG.error(
                "BROKER STORE CORRUPT: {} could not be opened ({}). Moved it to {} and started an EMPTY store:"
                    + " its retained messages and persistent sessions are gone; inspect it by hand.",
                file,
                e.getMessage(),
                quarantinedTo);
            return connectAndLoad(nowMillis);
          }
        },
        true);
  }

  /** Where a corrupt store file found at {@link #open} was moved, or {@code null}. */
  public Path quarantinedTo() {
    return quarantinedTo;
  }

  private StoredState connectAndLoad(long nowMillis) throws Exception {
    connection = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
    Schema.migrate(connection);
    // SQLite syncs the directory for its journal, not for the database file it creates
    DurableFiles.fsyncDirectory(file.toAbsolutePath().getParent());
    return StateLoader.load(connection, nowMillis);
  }

  private void closeConnection(Exception failure) {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        failure.addSuppressed(e);
      }
      connection = null;
    }
  }

  /** Closes the database after every queued operation; idempotent. */
  public Future<Void> close() {
    if (executor == null) {
      return Future.succeededFuture();
    }
    WorkerExecutor ex = executor;
    executor = null;
    return ex.executeBlocking(
            () -> {
              List<Op<?>> rest = new ArrayList<>();
              Op<?> op;
              while ((op = pending.poll()) != null) {
                rest.add(op);
              }
              if (!rest.isEmpty()) {
                runBatch(rest);
              }
              for (PreparedStatement ps : statements.values()) {
                ps.close();
              }
              statements.clear();
              if (connection != null) {
                connection.close();
                connection = null;
              }
              return (Void) null;
            },
            true)
        .eventually(ex::close);
  }

  @Override
  public Future<Void> saveSession(String clientId, long expirySeconds, long disconnectedAtMillis) {
    return update(
        "INSERT INTO sessions (client_id, expiry_seconds, disconnected_at) VALUES (?, ?, ?)"
            + " ON CONFLICT (client_id) DO UPDATE SET expiry_seconds = excluded.expiry_seconds,"
            + " disconnected_at = excluded.disconnected_at",
        clientId,
        expirySeconds,
        disconnectedAtMillis);
  }

  @Override
  public Future<Void> deleteSession(String clientId) {
    return transaction(
        () -> {
          for (String table : List.of("sessions", "subscriptions", "messages", "inbound_qos2")) {
            exec("DELETE FROM " + table + " WHERE client_id = ?", clientId);
          }
          return null;
        });
  }

  @Override
  public Future<Void> saveSubscription(Subscription s) {
    return update(
        "INSERT OR REPLACE INTO subscriptions (client_id, text, filter, share_group, qos, no_local,"
            + " retain_as_published, retain_handling, subscription_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        s.clientId(),
        s.text(),
        s.filter(),
        s.shareGroup(),
        s.qos(),
        s.noLocal() ? 1 : 0,
        s.retainAsPublished() ? 1 : 0,
        s.retainHandling(),
        s.subscriptionId());
  }

  @Override
  public Future<Void> deleteSubscription(String clientId, String text) {
    return update("DELETE FROM subscriptions WHERE client_id = ? AND text = ?", clientId, text);
  }

  @Override
  public Future<long[]> insertMessages(String clientId, List<OutboundMessage> messages) {
    List<OutboundMessage> copy = List.copyOf(messages);
    return transaction(
        () -> {
          long[] ids = new long[copy.size()];
          PreparedStatement ps =
              statement(
                  "INSERT INTO messages (client_id, topic, payload, published_qos, qos,"
                      + " retain_flag, published_retain, props, publisher, received_at, subscription_ids, packet_id,"
                      + " released) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0)");
          for (int i = 0; i < copy.size(); i++) {
            OutboundMessage o = copy.get(i);
            BrokerMessage m = o.message();
            bind(
                ps,
                clientId,
                m.topic(),
                m.payload().getBytes(),
                m.qos(),
                o.qos(),
                o.retainFlag() ? 1 : 0,
                m.retain() ? 1 : 0,
                PropertiesCodec.encode(m.props()),
                m.publisherClientId(),
                m.receivedAtMillis(),
                o.subscriptionIds().length == 0 ? null : Arrays.toString(o.subscriptionIds()));
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
              keys.next();
              ids[i] = keys.getLong(1);
            }
          }
          return ids;
        });
  }

  @Override
  public Future<Void> updateMessage(long storeId, int packetId, boolean released) {
    return update(
        "UPDATE messages SET packet_id = ?, released = ? WHERE id = ?",
        packetId,
        released ? 1 : 0,
        storeId);
  }

  @Override
  public Future<Void> deleteMessage(long storeId) {
    return update("DELETE FROM messages WHERE id = ?", storeId);
  }

  @Override
  public Future<Void> saveInboundQos2(String clientId, int packetId) {
    return update(
        "INSERT OR IGNORE INTO inbound_qos2 (client_id, packet_id) VALUES (?, ?)",
        clientId,
        packetId);
  }

  @Override
  public Future<Void> deleteInboundQos2(String clientId, int packetId) {
    return update(
        "DELETE FROM inbound_qos2 WHERE client_id = ? AND packet_id = ?", clientId, packetId);
  }

  @Override
  public Future<Void> putRetained(BrokerMessage m) {
    return update(
        "INSERT OR REPLACE INTO retained (topic, payload, qos, props, publisher, received_at)"
            + " VALUES (?, ?, ?, ?, ?, ?)",
        m.topic(),
        m.payload().getBytes(),
        m.qos(),
        PropertiesCodec.encode(m.props()),
        m.publisherClientId(),
        m.receivedAtMillis());
  }

  @Override
  public Future<Void> deleteRetained(String topic) {
    return update("DELETE FROM retained WHERE topic = ?", topic);
  }

  private Future<Void> update(String sql, Object... args) {
    return run(
        () -> {
          exec(sql, args);
          return null;
        });
  }

  private void exec(String sql, Object... args) throws SQLException {
    PreparedStatement ps = statement(sql);
    bind(ps, args);
    ps.executeUpdate();
  }

  private <T> Future<T> transaction(SqlTask<T> task) {
    return run(task);
  }

  /**
   * Queues {@code task} for the store thread. Queued tasks run in batches: one SQLite transaction
   * (one fsync) per batch, each task inside its own savepoint so a failing task rolls back alone.
   * The future completes on the caller's context after the batch committed.
   */
  private <T> Future<T> run(SqlTask<T> task) {
    if (executor == null) {
      return Future.failedFuture(new IllegalStateException("broker store is closed"));
    }
    Context caller = vertx.getOrCreateContext();
    Promise<T> promise = Promise.promise();
    pending.add(new Op<>(task, promise, caller));
    if (draining.compareAndSet(false, true)) {
      WorkerExecutor ex = executor;
      if (ex == null) {
        draining.set(false);
        return Future.failedFuture(new IllegalStateException("broker store is closed"));
      }
      ex.executeBlocking(
          () -> {
            drain();
            return (Void) null;
          },
          true);
    }
    return promise.future();
  }

  private void drain() {
    while (true) {
      List<Op<?>> batch = new ArrayList<>();
      Op<?> op;
      while (batch.size() < MAX_BATCH && (op = pending.poll()) != null) {
        batch.add(op);
      }
      if (batch.isEmpty()) {
        draining.set(false);
        if (pending.isEmpty() || !draining.compareAndSet(false, true)) {
          return;
        }
        continue;
      }
      runBatch(batch);
    }
  }

  private void runBatch(List<Op<?>> batch) {
    if (connection == null) {
      batch.forEach(o -> o.fail(new IllegalStateException("broker store is not open")));
      return;
    }
    try {
      connection.setAutoCommit(false);
      for (Op<?> o : batch) {
        o.execute(connection);
      }
      connection.commit();
      batch.forEach(Op::deliver);
    } catch (SQLException e) {
      try {
        connection.rollback();
      } catch (SQLException rollbackFailure) {
        e.addSuppressed(rollbackFailure);
      }
      batch.forEach(o -> o.fail(e));
    } finally {
      try {
        connection.setAutoCommit(true);
      } catch (SQLException e) {
        batch.forEach(o -> o.fail(e));
      }
    }
  }

  /** One queued task with its promise and the context to complete it on. */
  private static final class Op<T> {
    private final SqlTask<T> task;
    private final Promise<T> promise;
    private final Context caller;
    private T result;
    private Throwable failure;

    Op(SqlTask<T> task, Promise<T> promise, Context caller) {
      this.task = task;
      this.promise = promise;
      this.caller = caller;
    }

    void execute(Connection c) throws SQLException {
      try (Statement s = c.createStatement()) {
        s.execute("SAVEPOINT op");
        try {
          result = task.run();
          s.execute("RELEASE op");
        } catch (Exception e) {
          failure = e;
          s.execute("ROLLBACK TO op");
          s.execute("RELEASE op");
        }
      }
    }

    void deliver() {
      if (failure != null) {
        fail(failure);
      } else {
        caller.runOnContext(v -> promise.complete(result));
      }
    }

    void fail(Throwable e) {
      caller.runOnContext(v -> promise.fail(e));
    }
  }

  private PreparedStatement statement(String sql) throws SQLException {
    PreparedStatement ps = statements.get(sql);
    if (ps == null) {
      ps = connection.prepareStatement(sql);
      statements.put(sql, ps);
    }
    return ps;
  }

  private static void bind(PreparedStatement ps, Object... args) throws SQLException {
    for (int i = 0; i < args.length; i++) {
      ps.setObject(i + 1, args[i]);
    }
  }

  /** One unit of work on the store thread. */
  @FunctionalInterface
  interface SqlTask<T> {
    T run() throws Exception;
  }
}
