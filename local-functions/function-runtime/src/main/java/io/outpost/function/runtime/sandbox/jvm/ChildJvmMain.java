package io.outpost.function.runtime.sandbox.jvm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.outpost.function.Publication;
import io.outpost.function.UserProperty;
import io.outpost.function.runtime.InboundMessage;
import io.outpost.function.runtime.Messages;
import io.outpost.function.runtime.OutboundMessage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The main class of a Java function's child JVM ({@code isolation: process}). It loads the handler
 * the way the daemon does in process (its own class loader over the function API only) and serves
 * the process line protocol: one request per stdin line, one result per stdout line, run on a pool
 * of {@code maxConcurrency} threads, so that many requests may be in flight and their results come
 * back in the order they finish, matched by id. The handler's logger writes protocol {@code log}
 * lines carrying the request's id; whatever the handler prints goes to stderr, which the daemon
 * logs under the function's name, so it cannot corrupt the protocol.
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

  /** Exit code when the handler cannot be loaded (after the id-0 error line). */
  private static final int EXIT_UNUSABLE = 65;

  private static final AtomicInteger THREADS = new AtomicInteger();

  private final ReplyWriter protocol;
  private final ObjectMapper mapper = new ObjectMapper();

  private ChildJvmMain(java.io.OutputStream stdout) {
    this.protocol = new ReplyWriter(mapper, stdout);
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println(
          "usage: ChildJvmMain <package> <handler class> <name> <version> [config names...]");
      System.exit(64);
    }
    java.io.OutputStream stdout =
        new java.io.BufferedOutputStream(
            new java.io.FileOutputStream(java.io.FileDescriptor.out), OUT_BUFFER_BYTES);
    System.setOut(System.err);
    Map<String, String> config = new LinkedHashMap<>();
    for (int i = 4; i < args.length; i++) {
      String value = System.getenv(args[i]);
      if (value != null) {
        config.put(args[i], value);
      }
    }
    ChildJvmMain main = new ChildJvmMain(stdout);
    HandlerLoader loaded;
    try {
      loaded =
          HandlerLoader.load(java.nio.file.Path.of(args[0]), args[1], Boolean.getBoolean(PINNED));
    } catch (IllegalArgumentException e) {
      main.protocol.write(main.mapper.createObjectNode().put("id", 0).put("error", e.getMessage()));
      System.exit(EXIT_UNUSABLE);
      return;
    }
    main.protocol.write(main.mapper.createObjectNode().put("id", 0).put("ready", true));
    main.serve(
        loaded, args[2], args[3], config, Math.max(1, Integer.getInteger(MAX_CONCURRENCY, 1)));
  }

  /**
   * Reads requests and runs each on the pool of {@code threads}: the daemon keeps at most that many
   * in flight; a request beyond them (a daemon bug) is answered with an error, never queued without
   * bound. With one thread the reading thread runs each request itself (one hand-off less per
   * invocation: the daemon sends the next only after this one's result).
   */
  private void serve(
      HandlerLoader loaded, String name, String version, Map<String, String> config, int threads)
      throws IOException {
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    if (threads == 1) {
      Thread.currentThread().setName("outpost-fn-" + name + "-" + THREADS.incrementAndGet());
      String line;
      while ((line = in.readLine()) != null) {
        if (!line.isBlank()) {
          Thread
              .interrupted(); // as a pool clears it between tasks: a handler's interrupt is its own
          answer(loaded, name, version, config, mapper.readTree(line));
        }
      }
      return;
    }
    ThreadPoolExecutor workers =
        new ThreadPoolExecutor(
            threads,
            threads,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(threads),
            r -> {
              Thread t = new Thread(r, "outpost-fn-" + name + "-" + THREADS.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode request = mapper.readTree(line);
      try {
        workers.execute(() -> answer(loaded, name, version, config, request));
      } catch (RejectedExecutionException e) {
        protocol.write(
            protocol
                .node()
                .put("id", request.path("id").asLong())
                .put("error", "more than " + threads + " invocations in flight (maxConcurrency)"));
      }
    }
    // stdin closed: the daemon stops this version; running handlers are abandoned with the JVM
    workers.shutdown();
  }

  private void answer(
      HandlerLoader loaded,
      String name,
      String version,
      Map<String, String> config,
      JsonNode request) {
    long id = request.path("id").asLong();
    ObjectNode reply = protocol.node().put("id", id);
    ChildContext ctx =
        new ChildContext(
            name,
            version,
            config,
            new ProtocolLogger(id, protocol),
            Duration.ofMillis(request.path("timeoutMillis").asLong(0)),
            p -> {
              ObjectNode now = protocol.node().put("id", id);
              encode(name, List.of(p), now.putArray("publishNow"));
              protocol.write(now);
            });
    try {
      List<Publication> returned = loaded.invoke(Messages.view(inbound(request, mapper)), ctx);
      encode(name, returned == null ? List.of() : returned, reply.putArray("publish"));
    } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      String message = e.getMessage();
      reply.put("error", e.getClass().getName() + (message == null ? "" : ": " + message));
    }
    protocol.write(reply);
  }

  private static void encode(String function, List<Publication> publications, ArrayNode into) {
    for (Publication p : publications) {
      OutboundMessage out = Messages.encode(function, p);
      ObjectNode o =
          into.addObject()
              .put("topic", out.topic())
              .put("payloadBase64", Base64.getEncoder().encodeToString(out.payload()))
              .put("qos", out.qos())
              .put("retain", out.retain());
      ArrayNode props = o.putArray("userProperties");
      out.userProperties()
          .forEach(u -> props.addObject().put("name", u.name()).put("value", u.value()));
    }
  }

  private static InboundMessage inbound(JsonNode r, ObjectMapper mapper) throws IOException {
    byte[] payload =
        r.hasNonNull("payloadBase64")
            ? Base64.getDecoder().decode(r.get("payloadBase64").asText())
            : mapper.writeValueAsBytes(r.get("payload"));
    List<UserProperty> props = new ArrayList<>();
    for (JsonNode p : r.path("userProperties")) {
      props.add(new UserProperty(p.path("name").asText(), p.path("value").asText()));
    }
    String clientId = r.hasNonNull("clientId") ? r.get("clientId").asText() : null;
    Instant receivedAt =
        r.hasNonNull("receivedAt") ? Instant.parse(r.get("receivedAt").asText()) : Instant.now();
    return new InboundMessage(
        r.path("topic").asText(), payload, r.path("qos").asInt(0), props, clientId, receivedAt);
  }
}
