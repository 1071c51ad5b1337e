package io.outpost.function.runtime.sandbox.jvm;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.outpost.function.Publication;
import io.outpost.function.runtime.Messages;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The main class of a Java function's child JVM ({@code isolation: process}). It loads the handler
 * the way the daemon does in process (its own class loader over the function API only) and serves
 * the process line protocol: one request per stdin line, one result per stdout line, run on {@code
 * maxConcurrency} threads that take turns reading ({@link RequestLoop}), so that many requests may
 * be in flight and their results come back in the order they finish, matched by id. The handler's
 * logger writes protocol {@code log} lines carrying the request's id; whatever the handler prints
 * goes to stderr, which the daemon logs under the function's name, so it cannot corrupt the
 * protocol.
 *
 * <p>Arguments: package location, handler class, function name, version, and the names of the
 * environment variables that make up {@code Context.config()}.
 */
public final class ChildJvmMain {

  /** System property: whether the function is pinned (one handler instance). */
  static final String PINNED = "outpost.function.pinned";

  /** System property: how many invocations run at once (the function's maxConcurrency). */
  static final String MAX_CONCURRENCY = "outpost.function.maxConcurrency";

  /** Protocol output is batched up to this many bytes per write. */
  private static final int OUT_BUFFER_BYTES = 65_536;

  /**
   * Exit code when the handler cannot be loaded (after the id-0 error line): {@code EX_CONFIG}, the
   * package is wrong, unlike {@link RequestLoop#EXIT_PROTOCOL} ({@code EX_DATAERR}, a broken line).
   */
  private static final int EXIT_UNUSABLE = 78;

  private final ReplyWriter protocol;
  private final HandlerLoader loaded;
  private final String name;
  private final String version;
  private final Map<String, String> config;

  private ChildJvmMain(
      ReplyWriter protocol,
      HandlerLoader loaded,
      String name,
      String version,
      Map<String, String> config) {
    this.protocol = protocol;
    this.loaded = loaded;
    this.name = name;
    this.version = version;
    this.config = Map.copyOf(config);
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println(
          "usage: ChildJvmMain <package> <handler class> <name> <version> [config names...]");
      System.exit(64);
    }
    OutputStream stdout =
        new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), OUT_BUFFER_BYTES);
    System.setOut(System.err);
    Map<String, String> config = new LinkedHashMap<>();
    for (int i = 4; i < args.length; i++) {
      String value = System.getenv(args[i]);
      if (value != null) {
        config.put(args[i], value);
      }
    }
    ObjectMapper mapper = new ObjectMapper();
    ReplyWriter protocol = new ReplyWriter(mapper, stdout);
    HandlerLoader loaded;
    try {
      loaded = HandlerLoader.load(Path.of(args[0]), args[1], Boolean.getBoolean(PINNED));
    } catch (IllegalArgumentException e) {
      protocol.loadError(e.getMessage());
      System.exit(EXIT_UNUSABLE);
      return;
    }
    protocol.ready();
    ChildJvmMain main = new ChildJvmMain(protocol, loaded, args[2], args[3], config);
    RequestLoop loop =
        new RequestLoop(
            new RequestLines(new FileInputStream(FileDescriptor.in)),
            line -> ChildRequest.parse(line, mapper),
            main::answer,
            protocol,
            Math.max(1, Integer.getInteger(MAX_CONCURRENCY, 1)),
            "outpost-fn-" + args[2]);
    int code = loop.serve();
    if (code != 0) {
      System.exit(code);
    }
    // stdin closed: the daemon stops this version; running handlers are abandoned with the JVM
  }

  /** Runs one request on the calling thread; returns its encoded result line. */
  private byte[] answer(ChildRequest request) {
    long id = request.id();
    ChildContext ctx =
        new ChildContext(
            name,
            version,
            config,
            new ProtocolLogger(id, protocol),
            Duration.ofMillis(request.timeoutMillis()),
            p -> protocol.publishNow(id, name, p));
    try {
      List<Publication> returned = loaded.invoke(Messages.view(request.message()), ctx);
      return protocol.result(id, name, returned);
    } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      String message = e.getMessage();
      return protocol.error(id, e.getClass().getName() + (message == null ? "" : ": " + message));
    }
  }
}
