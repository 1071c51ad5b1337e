package io.outpost.function.runtime.process;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.outpost.function.FunctionLogger;
import io.outpost.function.runtime.LogSource;
import io.outpost.function.runtime.descriptor.FunctionPackage;
import io.outpost.function.runtime.descriptor.FunctionSpec;
import io.outpost.function.runtime.sandbox.OutOfMemorySigns;
import io.outpost.function.runtime.sandbox.jvm.LineWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One running child of a process function: writes request lines to its stdin (batched, {@link
 * LineWriter}), matches result lines from its stdout by id (several may be in flight, answered in
 * any order), logs its stderr ({@link StderrReader}), and reports its exit once. Reader threads are
 * named after the function.
 */
final class ChildProcess {

  private static final long EXIT_WAIT_MILLIS = 5_000;
  private static final long GRACEFUL_EXIT_MILLIS = 500;

  /** The id of the ready line a handshaking child writes once it loaded its handler. */
  static final long READY_ID = 0;

  private final Process process;
  private final LineWriter stdin;
  private final Map<Long, Request> pending = new ConcurrentHashMap<>();
  private final Thread stdoutReader;
  private final StderrReader stderr;
  private final FunctionLogger log;
  private final ObjectMapper mapper;
  private final int maxLineBytes;
  private final int maxInFlight;
  private final ExitListener onExit;
  private final Output output;
  private final CompletableFuture<JsonNode> ready = new CompletableFuture<>();
  private final String threadName;
  private volatile String lastInvocation;
  private volatile String killedBecause;

  /** A request written to the child and not answered yet. */
  private record Request(
      CompletableFuture<JsonNode> reply,
      String invocationId,
      Consumer<JsonNode> publishNow,
      int bytes) {}

  /**
   * Bytes of the request lines written and not answered yet: at least what sits unread in the stdin
   * pipe, since the child reads a request before it answers it ({@link #trySendNow}).
   */
  private final AtomicInteger unansweredBytes = new AtomicInteger();

  private ChildProcess(
      Process process,
      String threadPrefix,
      FunctionLogger log,
      ObjectMapper mapper,
      int maxLineBytes,
      int maxInFlight,
      Output output,
      ExitListener onExit) {
    this.process = process;
    this.output = output;
    this.stdin = new LineWriter(process.getOutputStream());
    this.log = log;
    this.mapper = mapper;
    this.maxLineBytes = maxLineBytes;
    this.maxInFlight = maxInFlight;
    this.onExit = onExit;
    this.threadName = threadPrefix;
    this.stdoutReader = new Thread(this::readStdout, threadPrefix + "-stdout");
    this.stderr =
        new StderrReader(
            process.getErrorStream(),
            maxLineBytes,
            threadPrefix + "-stderr",
            process.pid(),
            log,
            line -> output.line(LogSource.STDERR, line, currentInvocation()));
  }

  /**
   * Starts the child in its package directory; {@code onExit} gets a reason once it is gone.
   *
   * @param command what to run: the function's command (or child JVM) wrapped by its confinement
   * @param shown the command as the log names it (without the confinement's wrapper)
   * @param handshake whether the child announces it is ready with a result line of id 0 ({@link
   *     #ready()})
   * @param maxInFlight the most requests written and not yet answered (the function's {@code
   *     maxConcurrency}); more is a bug of the caller and refused
   */
  static ChildProcess spawn(
      FunctionPackage pkg,
      FunctionSpec spec,
      List<String> command,
      List<String> shown,
      boolean handshake,
      int maxLineBytes,
      int maxInFlight,
      ObjectMapper mapper,
      FunctionLogger log,
      Output output,
      ExitListener onExit)
      throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(pkg.workingDirectory().toFile());
    builder.environment().putAll(spec.environment());
    builder.environment().put("OUTPOST_FUNCTION_NAME", spec.name());
    builder.environment().put("OUTPOST_FUNCTION_VERSION", spec.version());
    Process process = builder.start();
    ChildProcess child =
        new ChildProcess(
            process,
            "outpost-fn-" + spec.name() + "@" + spec.version() + "-pid" + process.pid(),
            log,
            mapper,
            maxLineBytes,
            maxInFlight,
            output,
            onExit);
    if (handshake) {
      child.pending.put(READY_ID, new Request(child.ready, null, null, 0));
    } else {
      child.ready.complete(null);
    }
    child.stdoutReader.start();
    child.stderr.start();
    log.info("started process pid {}: {}", process.pid(), shown);
    return child;
  }

  /**
   * Completes when the child is ready for requests: at once, or with its id-0 line (which may carry
   * an error).
   */
  CompletableFuture<JsonNode> ready() {
    return ready;
  }

  /** The exit code once the child is gone (waiting briefly for it), else null. */
  Integer exitValue() {
    try {
      return process.waitFor(EXIT_WAIT_MILLIS, TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /**
   * Writes one request; {@code reply} completes with the matching result line or fails when the
   * child dies. The caller creates it so that stages it attaches before this call run on the thread
   * that reads the result, however fast the child answers. Lines with the same id and a {@code
   * publishNow} list go to {@code publishNow} as they arrive; lines with a {@code log} level are
   * the invocation's log lines.
   */
  void send(
      long id,
      String invocationId,
      byte[] line,
      CompletableFuture<JsonNode> reply,
      Consumer<JsonNode> publishNow)
      throws IOException {
    synchronized (pending) {
      if (requestsInFlight() >= maxInFlight) {
        throw new IllegalStateException(
            "process pid " + process.pid() + " already has " + maxInFlight + " requests in flight");
      }
      put(id, new Request(reply, invocationId, publishNow, line.length));
    }
    lastInvocation = invocationId;
    try {
      stdin.write(line);
    } catch (IOException e) {
      remove(id);
      throw new IOException(
          "process pid " + process.pid() + " is not reading stdin: " + e.getMessage(), e);
    }
    if (!process.isAlive()) {
      failPending(exitReason());
    }
  }

  /**
   * {@link #send} for a thread that must not block (an event loop): writes the request, or leaves
   * it to the write in progress, only when the child is ready, has a request slot free and the
   * request lines it has not answered, this one included, fit in {@code pipeBytes}: the pipe holds
   * at least that much and its unread bytes are part of them, so the line never waits for the child
   * ({@link LineWriter#writeNow}).
   *
   * @return false, with nothing sent, when any of that does not hold: the caller sends it the
   *     ordinary way; true when it was sent, or when the child's end failed it meanwhile (its reply
   *     completed exceptionally)
   */
  boolean trySendNow(
      long id,
      String invocationId,
      byte[] line,
      CompletableFuture<JsonNode> reply,
      Consumer<JsonNode> publishNow,
      int pipeBytes) {
    if (!ready.isDone() || ready.isCompletedExceptionally() || !process.isAlive()) {
      return false;
    }
    synchronized (pending) {
      if (requestsInFlight() >= maxInFlight) {
        return false;
      }
      put(id, new Request(reply, invocationId, publishNow, line.length));
    }
    lastInvocation = invocationId;
    boolean sent;
    try {
      sent = stdin.writeNow(line, this::startWriter, () -> unansweredBytes.get() <= pipeBytes);
    } catch (IOException e) {
      sent = false; // gone or not reading: an ordinary send reports it
    }
    // Not sent: taken back, unless the child's end failed it first (then it is reported). The
    // child's end is left to the reader: failing requests here would report them on this thread.
    return sent || remove(id) == null;
  }

  private void put(long id, Request request) {
    pending.put(id, request);
    unansweredBytes.addAndGet(request.bytes());
  }

  private Request remove(long id) {
    Request r = pending.remove(id);
    if (r != null) {
      unansweredBytes.addAndGet(-r.bytes());
    }
    return r;
  }

  /** Writes the lines a {@link #trySendNow} caller hands on, on a thread of their own. */
  private void startWriter(Runnable lines) {
    Thread t = new Thread(lines, threadName + "-stdin");
    t.setDaemon(true);
    t.start();
  }

  /** Requests written and not answered yet (without the start-up handshake). */
  int requestsInFlight() {
    return pending.size() - (pending.containsKey(READY_ID) ? 1 : 0);
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /**
   * The last non-blank line the child wrote to stderr once it has ended (the reader drained), or
   * null: usually why it could not start.
   */
  String lastStderr() throws InterruptedException {
    stderr.join(EXIT_WAIT_MILLIS);
    return stderr.last();
  }

  long pid() {
    return process.pid();
  }

  /**
   * Kills the child and its descendants at once; the requests in flight fail with {@code reason}.
   */
  void kill(String reason) {
    killedBecause = reason;
    stop(false);
  }

  /**
   * Graceful: closes stdin and gives the child a moment to exit before killing it; else, or when a
   * write to its stdin is stuck (it stopped reading), kills it (and its descendants) first. Waits
   * for exit.
   */
  void stop(boolean graceful) {
    try {
      if (graceful
          && closeStdin()
          && process.waitFor(GRACEFUL_EXIT_MILLIS, TimeUnit.MILLISECONDS)) {
        joinReaders();
        return;
      }
      // killed before stdin is closed: a write blocked on a full pipe would hold the close up
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      if (!process.waitFor(EXIT_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
        log.error("process pid {} did not exit after SIGKILL", process.pid());
      }
      closeStdin();
      joinReaders();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * @return false when a write was in progress, possibly stuck on a full pipe (its writer closes
   *     stdin once the write ends: when the child reads or dies)
   */
  private boolean closeStdin() {
    try {
      return stdin.close();
    } catch (IOException e) {
      log.debug("closing stdin of pid {} failed: {}", process.pid(), e.toString());
      return true;
    }
  }

  /**
   * Whether the child reported a failed allocation on stderr ({@link OutOfMemorySigns}); once it
   * exited, waits (bounded) until its stderr is read to the end.
   */
  boolean saidOutOfMemory() {
    if (!process.isAlive()) {
      try {
        stderr.join(EXIT_WAIT_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return stderr.saidOutOfMemory();
  }

  /** See {@link StderrReader#awaitCaughtUp}. */
  void awaitStderrRead(long maxMillis) {
    stderr.awaitCaughtUp(maxMillis);
  }

  /** Requests written so far and the flushes that carried them (batching). */
  long[] writes() {
    return new long[] {stdin.lines(), stdin.batches()};
  }

  private void joinReaders() throws InterruptedException {
    stdoutReader.join(EXIT_WAIT_MILLIS);
    stderr.join(EXIT_WAIT_MILLIS);
  }

  private void readStdout() {
    String reason;
    try (InputStream in = process.getInputStream()) {
      new LineReader(in, maxLineBytes, false).pump(this::onLine);
      reason = exitReason();
    } catch (IOException e) {
      reason = "process pid " + process.pid() + " stdout failed: " + e.getMessage();
      process.destroyForcibly();
    }
    boolean hadPending = failPending(reason);
    onExit.exited(this, reason, hadPending);
  }

  private void onLine(byte[] bytes, int offset, int length) {
    JsonNode reply;
    try {
      reply = mapper.readTree(bytes, offset, length);
    } catch (IOException e) {
      reply = null;
    }
    if (reply == null || !reply.isObject()) {
      String text = new String(bytes, offset, length, StandardCharsets.UTF_8);
      if (!text.isBlank()) {
        output.line(LogSource.STDOUT_NOISE, abbreviate(text), currentInvocation());
      }
      return;
    }
    JsonNode id = reply.get("id");
    Request request = id == null ? null : pending.get(id.asLong());
    if (id != null && !reply.has("publish") && !reply.has("error")) {
      if (reply.has("log")) {
        output.log(
            reply.path("log").asText("INFO"),
            request == null ? null : request.invocationId(),
            reply.path("message").asText(""));
        return;
      }
      if (reply.has("publishNow")) {
        if (request != null && request.publishNow() != null) {
          request.publishNow().accept(reply);
        } else {
          log.warn(
              "protocol: ignoring publishNow for an invocation that is over: {}",
              abbreviate(reply.toString()));
        }
        return;
      }
    }
    if (request == null || !pending.remove(id.asLong(), request)) {
      log.warn("protocol: ignoring a result with unknown id: {}", abbreviate(reply.toString()));
      return;
    }
    unansweredBytes.addAndGet(-request.bytes());
    request.reply().complete(reply);
  }

  private boolean failPending(String reason) {
    boolean any = false;
    for (Long id : pending.keySet()) {
      Request r = remove(id);
      if (r != null) {
        any = true;
        r.reply().completeExceptionally(new IOException(reason));
      }
    }
    return any;
  }

  /**
   * The invocation a line of output belongs to, as far as is known when the line is read: the one
   * in flight if exactly one is; with none in flight, the last one (its lines may be read just
   * after its result); with several, unknown. A line read late, once the next request was sent,
   * goes to that next one.
   */
  private String currentInvocation() {
    String only = null;
    int seen = 0;
    for (Request r : pending.values()) {
      if (r.invocationId() != null) {
        only = r.invocationId();
        if (++seen > 1) {
          return null;
        }
      }
    }
    return seen == 1 ? only : lastInvocation;
  }

  /** Where the child's stderr lines, stray stdout lines and protocol log lines go. */
  interface Output {
    /**
     * @param source {@link LogSource#STDERR} or {@link LogSource#STDOUT_NOISE}
     * @param invocationId the invocation in flight, null when none or several are
     */
    void line(LogSource source, String text, String invocationId);

    /**
     * A {@code log} line of the protocol: what the handler logged during one invocation.
     *
     * @param invocationId the invocation whose request id the line carries, null when it is over
     */
    void log(String level, String invocationId, String message);
  }

  /** Told once when the child is gone. */
  interface ExitListener {
    /**
     * @param child the child that exited
     * @param reason exit code or read failure, for logs and error records
     * @param hadPending whether a request was in flight (that invocation reports the failure
     *     itself)
     */
    void exited(ChildProcess child, String reason, boolean hadPending);
  }

  private String exitReason() {
    String because = killedBecause;
    if (because != null) {
      return because;
    }
    try {
      return "process pid "
          + process.pid()
          + " exited with code "
          + (process.waitFor(EXIT_WAIT_MILLIS, TimeUnit.MILLISECONDS)
              ? String.valueOf(process.exitValue())
              : "unknown (still running)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "process pid " + process.pid() + " exited with code unknown (interrupted)";
    }
  }

  private static String abbreviate(String line) {
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}
