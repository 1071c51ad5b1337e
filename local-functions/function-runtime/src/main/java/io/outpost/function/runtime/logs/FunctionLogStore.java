package io.outpost.function.runtime.logs;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.outpost.function.runtime.FunctionLogRecord;
import io.outpost.function.runtime.FunctionLogs;
import io.outpost.function.runtime.LogSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every function's log, on disk under one directory ({@code <dir>/<function>/function.log} and its
 * rotations), bounded per function by {@link FunctionLogOptions}.
 *
 * <p>{@link #append} never blocks and never throws: the line goes to a bounded queue served by one
 * named writer thread, which alone touches the files (so there are no locks); when the writer is
 * {@code maxQueued} lines behind, new lines are dropped and counted ({@value #DROPPED_METER}).
 * Reads go through the same queue, so a read sees every line appended before it. Followers are told
 * each line on the writer thread after it was written; they must be quick.
 */
public final class FunctionLogStore implements FunctionLogs, AutoCloseable {

  /**
   * Lines not kept, by {@code reason}: {@code queue-full}, {@code write-failed}, {@code stopped}.
   */
  public static final String DROPPED_METER = "outpost.function.logs.dropped";

  /** Lines cut to {@code functions.logs.maxLineBytes}. */
  public static final String TRUNCATED_METER = "outpost.function.logs.truncated";

  private static final Logger LOG = LoggerFactory.getLogger(FunctionLogStore.class);
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  private static final String TRUNCATED_MARK = " [truncated]";
  private static final long STOP_WAIT_MILLIS = 5_000;

  private final Path root;
  private final FunctionLogOptions options;
  private final Clock clock;
  private final LinkedBlockingQueue<Op> ops = new LinkedBlockingQueue<>();
  private final AtomicInteger queuedLines = new AtomicInteger();
  private final Counter droppedFull;
  private final Counter droppedWrite;
  private final Counter droppedStopped;
  private final Counter truncated;
  private final Counter followRejected;
  private final AtomicInteger followerCount = new AtomicInteger();
  private final Map<String, List<Follower>> followers = new ConcurrentHashMap<>();
  private final Map<String, RotatingLog> logs = new HashMap<>(); // writer thread only
  private final Thread writer;
  private volatile boolean started;
  private volatile boolean closed;
  private boolean discard;

  /**
   * @param root the directory holding one sub-directory per function, created when needed
   * @param options the bounds
   * @param registry where drops, truncations and the queue depth are measured
   * @param clock the time stamped on each line
   */
  public FunctionLogStore(
      Path root, FunctionLogOptions options, MeterRegistry registry, Clock clock) {
    this.root = Objects.requireNonNull(root, "root");
    this.options = Objects.requireNonNull(options, "options");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.droppedFull = dropped(registry, "queue-full");
    this.droppedWrite = dropped(registry, "write-failed");
    this.droppedStopped = dropped(registry, "stopped");
    this.truncated =
        Counter.builder(TRUNCATED_METER)
            .description("Function log lines cut to functions.logs.maxLineBytes")
            .register(registry);
    this.followRejected =
        Counter.builder("outpost.function.logs.follow.rejected")
            .description("Live follows of function logs refused at functions.logs.maxFollowers")
            .register(registry);
    Gauge.builder("outpost.function.logs.followers", followerCount, AtomicInteger::get)
        .description("Function logs followed live (bound: functions.logs.maxFollowers)")
        .register(registry);
    Gauge.builder("outpost.function.logs.queued", queuedLines, AtomicInteger::get)
        .description("Function log lines waiting for the log writer")
        .register(registry);
    this.writer = new Thread(this::run, "outpost-fn-logs");
    // a daemon thread, so a runtime that never stopped cannot hold the JVM; stop() drains it
    writer.setDaemon(true);
  }

  private static Counter dropped(MeterRegistry registry, String reason) {
    return Counter.builder(DROPPED_METER)
        .tag("reason", reason)
        .description("Function log lines not kept")
        .register(registry);
  }

  /**
   * A store that keeps nothing (for a runtime's parts built without a log directory, in tests):
   * lines are ignored, reads are empty.
   */
  public static FunctionLogStore discarding() {
    FunctionLogStore store =
        new FunctionLogStore(
            Path.of("."),
            FunctionLogOptions.DEFAULTS,
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry(),
            Clock.systemUTC());
    store.closed = true;
    store.discard = true;
    return store;
  }

  /** Starts the writer thread; lines appended before are kept in the queue. Idempotent. */
  public synchronized void start() {
    if (!started && !closed) {
      started = true;
      writer.start();
    }
  }

  /** The bounds in force. */
  public FunctionLogOptions options() {
    return options;
  }

  @Override
  public int maxFollowers() {
    return options.maxFollowers();
  }

  /**
   * Queues one line of {@code function}'s log; never blocks, never throws.
   *
   * @param invocationId the invocation the line belongs to, or null
   */
  public void append(
      String function, String level, LogSource source, String invocationId, String message) {
    if (closed) {
      if (!discard) {
        droppedStopped.increment();
      }
      return;
    }
    if (function == null || !NAME.matcher(function).matches()) {
      return; // not a deployable name, so no function to show it for
    }
    if (queuedLines.incrementAndGet() > options.maxQueued()) {
      queuedLines.decrementAndGet();
      droppedFull.increment();
      return;
    }
    FunctionLogRecord record =
        new FunctionLogRecord(clock.instant(), level, source, invocationId, cut(message));
    ops.add(new Line(function, record));
  }

  /**
   * The last {@code lines} lines of {@code function}'s log logged at or after {@code since}, oldest
   * first; empty for an unknown function. Completes on the writer thread.
   *
   * @param since null for no lower bound
   */
  @Override
  public CompletableFuture<List<FunctionLogRecord>> read(
      String function, Instant since, int lines) {
    CompletableFuture<List<FunctionLogRecord>> result = new CompletableFuture<>();
    if (discard || function == null || !NAME.matcher(function).matches() || lines <= 0) {
      result.complete(List.of());
      return result;
    }
    if (closed || !started) {
      try {
        result.complete(readFiles(new RotatingLog(root.resolve(function), options), since, lines));
      } catch (IOException | RuntimeException e) {
        result.completeExceptionally(e);
      }
      return result;
    }
    ops.add(new Read(function, since, lines, result));
    return result;
  }

  /**
   * Like {@link #follow(String, Instant, int, Consumer)}, or empty when {@code
   * functions.logs.maxFollowers} follows are open already (counted).
   */
  @Override
  public java.util.Optional<AutoCloseable> tryFollow(
      String function, Instant since, int lines, Consumer<FunctionLogRecord> follower) {
    int open;
    do {
      open = followerCount.get();
      if (open >= options.maxFollowers()) {
        followRejected.increment();
        return java.util.Optional.empty();
      }
    } while (!followerCount.compareAndSet(open, open + 1));
    AutoCloseable handle = follow(function, since, lines, follower);
    java.util.concurrent.atomic.AtomicBoolean once =
        new java.util.concurrent.atomic.AtomicBoolean();
    return java.util.Optional.of(
        () -> {
          if (once.compareAndSet(false, true)) {
            followerCount.decrementAndGet();
            handle.close();
          }
        });
  }

  /**
   * Tells {@code follower} the last {@code lines} lines logged at or after {@code since}, then
   * every line of {@code function} written from then on, in order and without a gap, on the writer
   * thread, until the returned handle is closed.
   *
   * @param since null for no lower bound
   * @param lines how many lines of history first (0 for none)
   */
  public AutoCloseable follow(
      String function, Instant since, int lines, Consumer<FunctionLogRecord> follower) {
    Objects.requireNonNull(follower, "follower");
    Follower f = new Follower(function, follower);
    if (discard || function == null || !NAME.matcher(function).matches()) {
      return f;
    }
    if (closed || !started) {
      try {
        if (lines > 0) {
          readFiles(new RotatingLog(root.resolve(function), options), since, lines)
              .forEach(follower);
        }
      } catch (IOException | RuntimeException e) {
        LOG.debug("cannot read the log of function {}", function, e);
      }
      register(f);
      return f;
    }
    ops.add(new Follow(f, since, lines));
    return f;
  }

  private void register(Follower f) {
    if (!f.closed) {
      followers.computeIfAbsent(f.function, k -> new CopyOnWriteArrayList<>()).add(f);
    }
  }

  /** Deletes {@code function}'s log files (the function was removed); after queued lines. */
  public CompletableFuture<Void> delete(String function) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (discard || function == null || !NAME.matcher(function).matches()) {
      done.complete(null);
      return done;
    }
    if (closed || !started) {
      try {
        new RotatingLog(root.resolve(function), options).delete();
        done.complete(null);
      } catch (IOException e) {
        done.completeExceptionally(e);
      }
      return done;
    }
    ops.add(new Delete(function, done));
    return done;
  }

  /** Writes what is queued, closes the files and stops the writer thread. Idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    if (!started) {
      return;
    }
    ops.add(new Stop());
    try {
      writer.join(STOP_WAIT_MILLIS);
      if (writer.isAlive()) {
        LOG.warn("function log writer did not stop in {} ms", STOP_WAIT_MILLIS);
        writer.interrupt();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private String cut(String message) {
    String text = message == null ? "" : message;
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= options.maxLineBytes()) {
      return text;
    }
    truncated.increment();
    int keep = options.maxLineBytes() - TRUNCATED_MARK.length();
    while (keep > 0 && (bytes[keep] & 0xC0) == 0x80) {
      keep--; // do not split a UTF-8 sequence
    }
    return new String(bytes, 0, keep, StandardCharsets.UTF_8) + TRUNCATED_MARK;
  }

  private void run() {
    try {
      while (true) {
        Op op = ops.take();
        if (op instanceof Stop) {
          drainRemaining();
          closeAll();
          return;
        }
        handle(op);
        if (ops.isEmpty()) {
          flushAll();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeAll();
    }
  }

  private void drainRemaining() {
    Op op;
    while ((op = ops.poll()) != null) {
      if (!(op instanceof Stop)) {
        handle(op);
      }
    }
  }

  private void handle(Op op) {
    if (op instanceof Line line) {
      queuedLines.decrementAndGet();
      write(line);
    } else if (op instanceof Read read) {
      try {
        RotatingLog log = logOf(read.function);
        log.flush();
        read.result.complete(readFiles(log, read.since, read.lines));
      } catch (IOException | RuntimeException e) {
        read.result.completeExceptionally(e);
      }
    } else if (op instanceof Follow follow) {
      try {
        if (follow.lines > 0) {
          RotatingLog log = logOf(follow.follower.function);
          log.flush();
          readFiles(log, follow.since, follow.lines).forEach(follow.follower::tell);
        }
      } catch (IOException | RuntimeException e) {
        LOG.debug("cannot read the log of function {}", follow.follower.function, e);
      }
      register(follow.follower);
    } else if (op instanceof Delete delete) {
      try {
        logOf(delete.function).delete();
        logs.remove(delete.function);
        delete.done.complete(null);
      } catch (IOException e) {
        LOG.warn("cannot delete the logs of function {}", delete.function, e);
        delete.done.completeExceptionally(e);
      }
    }
  }

  private void write(Line line) {
    try {
      logOf(line.function).append(LogLines.encode(line.record));
    } catch (IOException | RuntimeException e) {
      droppedWrite.increment();
      LOG.debug("cannot write a log line of function {}", line.function, e);
      return;
    }
    List<Follower> list = followers.get(line.function);
    if (list != null) {
      list.forEach(f -> f.tell(line.record));
    }
  }

  private RotatingLog logOf(String function) {
    return logs.computeIfAbsent(function, f -> new RotatingLog(root.resolve(f), options));
  }

  private static List<FunctionLogRecord> readFiles(RotatingLog log, Instant since, int lines)
      throws IOException {
    Deque<FunctionLogRecord> last = new ArrayDeque<>(Math.min(lines, 1024));
    for (Path file : log.files()) {
      for (String text : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        FunctionLogRecord r = LogLines.decode(text);
        if (r == null || (since != null && r.time().isBefore(since))) {
          continue;
        }
        if (last.size() == lines) {
          last.removeFirst();
        }
        last.addLast(r);
      }
    }
    return new ArrayList<>(last);
  }

  private void flushAll() {
    for (Map.Entry<String, RotatingLog> e : logs.entrySet()) {
      try {
        e.getValue().flush();
      } catch (IOException ex) {
        droppedWrite.increment();
        LOG.debug("cannot flush the log of function {}", e.getKey(), ex);
      }
    }
  }

  private void closeAll() {
    flushAll();
    for (Map.Entry<String, RotatingLog> e : logs.entrySet()) {
      try {
        e.getValue().close();
      } catch (IOException ex) {
        LOG.warn("cannot close the log of function {}", e.getKey(), ex);
      }
    }
    logs.clear();
  }

  private interface Op {}

  private record Line(String function, FunctionLogRecord record) implements Op {}

  private record Read(
      String function, Instant since, int lines, CompletableFuture<List<FunctionLogRecord>> result)
      implements Op {}

  private record Follow(Follower follower, Instant since, int lines) implements Op {}

  private record Delete(String function, CompletableFuture<Void> done) implements Op {}

  private record Stop() implements Op {}

  /** One follower of one function; closing it stops the lines at once. */
  private final class Follower implements AutoCloseable {
    final String function;
    final Consumer<FunctionLogRecord> consumer;
    volatile boolean closed;

    Follower(String function, Consumer<FunctionLogRecord> consumer) {
      this.function = function;
      this.consumer = consumer;
    }

    void tell(FunctionLogRecord record) {
      if (closed) {
        return;
      }
      try {
        consumer.accept(record);
      } catch (RuntimeException e) {
        LOG.warn("a follower of function {}'s log failed", function, e);
      }
    }

    @Override
    public void close() {
      closed = true;
      if (function != null) {
        followers.computeIfPresent(
            function,
            (f, list) -> {
              list.remove(this);
              return list.isEmpty() ? null : list;
            });
      }
    }
  }
}
