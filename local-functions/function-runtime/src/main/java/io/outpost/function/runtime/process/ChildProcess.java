package io.outpost.function.runtime.process;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.outpost.function.FunctionLogger;
import io.outpost.function.runtime.LogSource;
import io.outpost.function.runtime.descriptor.FunctionPackage;
import io.outpost.function.runtime.descriptor.FunctionSpec;
import io.outpost.function.runtime.sandbox.OutOfMemorySigns;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One running child of a process function: writes request lines to its stdin, matches result lines
 * from its stdout by id, logs its stderr, and reports its exit once. Reader threads are named after
 * the function.
 */
final class ChildProcess {

  private static final long EXIT_WAIT_MILLIS = 5_000;
  private static final long GRACEFUL_EXIT_MILLIS = 500;

  /** How long the stderr reader must have been idle before a result is reported (millis). */
  private static final long STDERR_IDLE = 5;

  /** The id of the ready line a handshaking child writes once it loaded its handler. */
  static final long READY_ID = 0;

  private final Process process;
  private volatile boolean saidOutOfMemory;
  private final OutputStream stdin;
  private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final Map<Long, java.util.function.Consumer<JsonNode>> early = new ConcurrentHashMap<>();
  private final Thread stdoutReader;
  private final Thread stderrReader;
  private volatile String lastStderr;
  private final FunctionLogger log;
  private final ObjectMapper mapper;
  private final int maxLineBytes;
  private final ExitListener onExit;
  private final Output output;
  private final Map<Long, String> invocations = new ConcurrentHashMap<>();
  private volatile boolean stderrBetweenLines;
  private volatile long stderrActiveNanos = System.nanoTime();
  private volatile String lastInvocation;
  private final CompletableFuture<JsonNode> ready = new CompletableFuture<>();

  private ChildProcess(
      Process process,
      String threadPrefix,
      FunctionLogger log,
      ObjectMapper mapper,
      int maxLineBytes,
      Output output,
      ExitListener onExit) {
    this.process = process;
    this.output = output;
    this.stdin = process.getOutputStream();
    this.log = log;
    this.mapper = mapper;
    this.maxLineBytes = maxLineBytes;
    this.onExit = onExit;
    this.stdoutReader = new Thread(this::readStdout, threadPrefix + "-stdout");
    this.stderrReader = new Thread(this::readStderr, threadPrefix + "-stderr");
  }

  /**
   * Starts the child in its package directory; {@code onExit} gets a reason once it is gone.
   *
   * @param command what to run: the function's command (or child JVM) wrapped by its confinement
   * @param shown the command as the log names it (without the confinement's wrapper)
   * @param handshake whether the child announces it is ready with a result line of id 0 ({@link
   *     #ready()})
   */
  static ChildProcess spawn(
      FunctionPackage pkg,
      FunctionSpec spec,
      List<String> command,
      List<String> shown,
      boolean handshake,
      int maxLineBytes,
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
            output,
            onExit);
    if (handshake) {
      child.pending.put(READY_ID, child.ready);
    } else {
      child.ready.complete(null);
    }
    child.stdoutReader.start();
    child.stderrReader.start();
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
   * Writes one request; the future completes with the matching result line or fails when the child
   * dies. Lines with the same id and a {@code publishNow} list go to {@code publishNow} as they
   * arrive.
   */
  CompletableFuture<JsonNode> send(
      long id, String invocationId, byte[] line, java.util.function.Consumer<JsonNode> publishNow)
      throws IOException {
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    pending.put(id, reply);
    early.put(id, publishNow);
    invocations.put(id, invocationId);
    lastInvocation = invocationId;
    reply.whenComplete(
        (r, e) -> {
          early.remove(id);
          invocations.remove(id);
        });
    try {
      synchronized (stdin) {
        stdin.write(line);
        stdin.flush();
      }
    } catch (IOException e) {
      pending.remove(id);
      early.remove(id);
      invocations.remove(id);
      throw new IOException(
          "process pid " + process.pid() + " is not reading stdin: " + e.getMessage(), e);
    }
    if (!process.isAlive()) {
      failPending("process exited with code " + exitCode());
    }
    return reply;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /**
   * The last non-blank line the child wrote to stderr once it has ended (the reader drained), or
   * null: usually why it could not start.
   */
  String lastStderr() throws InterruptedException {
    stderrReader.join(EXIT_WAIT_MILLIS);
    return lastStderr;
  }

  long pid() {
    return process.pid();
  }

  /**
   * Closes stdin, gives the child a moment to exit, then kills it and its descendants; waits for
   * exit.
   */
  void stop(boolean graceful) {
    try {
      stdin.close();
    } catch (IOException e) {
      log.debug("closing stdin of pid {} failed: {}", process.pid(), e.toString());
    }
    try {
      if (graceful && process.waitFor(GRACEFUL_EXIT_MILLIS, TimeUnit.MILLISECONDS)) {
        joinReaders();
        return;
      }
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      if (!process.waitFor(EXIT_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
        log.error("process pid {} did not exit after SIGKILL", process.pid());
      }
      joinReaders();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Whether the child reported a failed allocation on stderr ({@link OutOfMemorySigns}); once it
   * exited, waits (bounded) until its stderr is read to the end.
   */
  boolean saidOutOfMemory() {
    if (!process.isAlive() && Thread.currentThread() != stderrReader) {
      try {
        stderrReader.join(EXIT_WAIT_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return saidOutOfMemory;
  }

  private void joinReaders() throws InterruptedException {
    stdoutReader.join(EXIT_WAIT_MILLIS);
    stderrReader.join(EXIT_WAIT_MILLIS);
  }

  private void readStdout() {
    String reason;
    try (InputStream in = new BufferedInputStream(process.getInputStream())) {
      String line;
      while ((line = readLine(in, false)) != null) {
        onLine(line);
      }
      reason = "process pid " + process.pid() + " exited with code " + exitCode();
    } catch (IOException e) {
      reason = "process pid " + process.pid() + " stdout failed: " + e.getMessage();
      process.destroyForcibly();
    }
    boolean hadPending = failPending(reason);
    onExit.exited(this, reason, hadPending);
  }

  private void onLine(String line) {
    JsonNode reply;
    try {
      reply = mapper.readTree(line);
    } catch (IOException e) {
      output.line(LogSource.STDOUT_NOISE, abbreviate(line), currentInvocation());
      return;
    }
    JsonNode id = reply == null ? null : reply.get("id");
    if (id != null && reply.has("publishNow") && !reply.has("publish") && !reply.has("error")) {
      java.util.function.Consumer<JsonNode> now = early.get(id.asLong());
      if (now != null) {
        now.accept(reply);
      } else {
        log.warn(
            "protocol: ignoring publishNow for an invocation that is over: {}", abbreviate(line));
      }
      return;
    }
    CompletableFuture<JsonNode> waiting = id == null ? null : pending.remove(id.asLong());
    if (waiting == null) {
      log.warn("protocol: ignoring a result with unknown id: {}", abbreviate(line));
      return;
    }
    waiting.complete(reply);
  }

  /**
   * Reads one line of at most maxLineBytes; longer lines fail (stdout) or are truncated (stderr).
   */
  private String readLine(InputStream in, boolean truncate) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream(256);
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        return buf.toString(StandardCharsets.UTF_8);
      }
      if (buf.size() >= maxLineBytes) {
        if (truncate) {
          continue;
        }
        throw new IOException("protocol: stdout line longer than " + maxLineBytes + " bytes");
      }
      buf.write(b);
    }
    return buf.size() > 0 ? buf.toString(StandardCharsets.UTF_8) : null;
  }

  private void readStderr() {
    try (InputStream in = new BufferedInputStream(process.getErrorStream())) {
      while (true) {
        stderrActiveNanos = System.nanoTime();
        stderrBetweenLines = true;
        in.mark(1);
        int first = in.read(); // blocks until the child writes
        stderrBetweenLines = false;
        stderrActiveNanos = System.nanoTime();
        if (first == -1) {
          return;
        }
        in.reset();
        String line = readLine(in, true);
        if (line == null) {
          return;
        }
        output.line(LogSource.STDERR, line, currentInvocation());
        if (!line.isBlank()) {
          lastStderr = line.strip();
        }
        if (!saidOutOfMemory && OutOfMemorySigns.in(line)) {
          saidOutOfMemory = true;
        }
      }
    } catch (IOException e) {
      log.debug("stderr of pid {} closed: {}", process.pid(), e.toString());
    } finally {
      stderrBetweenLines = true;
    }
  }

  /**
   * Waits (at most {@code maxMillis}) until the stderr reader has been idle for a moment, so lines
   * the child wrote just before its result are in the log when the result is reported. (Asking the
   * stream how much is buffered would wait for the reader's lock while it blocks.)
   */
  void awaitStderrRead(long maxMillis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMillis);
    while (System.nanoTime() < deadline) {
      if (stderrBetweenLines
          && System.nanoTime() - stderrActiveNanos > TimeUnit.MILLISECONDS.toNanos(STDERR_IDLE)) {
        return;
      }
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private boolean failPending(String reason) {
    boolean any = false;
    for (Long id : pending.keySet()) {
      CompletableFuture<JsonNode> f = pending.remove(id);
      if (f != null) {
        any = true;
        f.completeExceptionally(new IOException(reason));
      }
    }
    return any;
  }

  /**
   * The invocation a line of output belongs to: the one in flight if exactly one is; with none in
   * flight, the last one (its lines may be read just after its result); with several, unknown.
   */
  private String currentInvocation() {
    int inFlight = invocations.size();
    if (inFlight == 0) {
      return lastInvocation;
    }
    if (inFlight > 1) {
      return null;
    }
    java.util.Iterator<String> it = invocations.values().iterator();
    return it.hasNext() ? it.next() : lastInvocation;
  }

  /** Where the child's stderr lines and stray stdout lines go. */
  interface Output {
    /**
     * @param source {@link LogSource#STDERR} or {@link LogSource#STDOUT_NOISE}
     * @param invocationId the invocation in flight, null when none or several are
     */
    void line(LogSource source, String text, String invocationId);
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

  private String exitCode() {
    try {
      return process.waitFor(EXIT_WAIT_MILLIS, TimeUnit.MILLISECONDS)
          ? String.valueOf(process.exitValue())
          : "unknown (still running)";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown (interrupted)";
    }
  }

  private static String abbreviate(String line) {
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}
