package io.outpost.gateway.admin.console;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's live updates over server-sent events: one timer builds a snapshot (status, rates,
 * clients, dead letters) every {@link ConsoleOptions#interval()} while at least one stream is open,
 * and sends it to each. Bounded: at most {@link ConsoleOptions#maxStreams()} streams ({@code
 * outpost.admin.console.streams}); one more is refused with 503 and counted in {@code
 * outpost.admin.console.streams.rejected}. A stream whose client does not keep up skips snapshots
 * instead of queueing them; a stream whose session ended gets a {@code logout} event and is closed.
 */
final class LiveFeed {

  private static final Logger LOG = LoggerFactory.getLogger(LiveFeed.class);

  private record Stream(HttpServerResponse response, String session) {}

  private final Vertx vertx;
  private final ConsoleSources sources;
  private final ConsoleSessions sessions;
  private final ConsoleOptions options;
  private final Rates rates;
  private final Clock clock;
  private final List<Stream> streams = new CopyOnWriteArrayList<>();
  private final AtomicInteger open = new AtomicInteger();
  private final Counter rejected;
  private long timer = -1;

  LiveFeed(
      Vertx vertx,
      ConsoleSources sources,
      ConsoleSessions sessions,
      ConsoleOptions options,
      MeterRegistry registry,
      Clock clock) {
    this.vertx = vertx;
    this.sources = sources;
    this.sessions = sessions;
    this.options = options;
    this.clock = clock;
    this.rates = new Rates(registry, clock);
    Gauge.builder("outpost.admin.console.streams", open, AtomicInteger::get)
        .description("console live update streams open (bound: admin.consoleMaxStreams)")
        .register(registry);
    rejected =
        Counter.builder("outpost.admin.console.streams.rejected")
            .description(
                "console live update streams refused because admin.consoleMaxStreams were open")
            .register(registry);
  }

  /** Opens a stream on this response; false (after answering 503) when the bound is reached. */
  synchronized boolean open(HttpServerResponse response, String session) {
    if (streams.size() >= options.maxStreams()) {
      rejected.increment();
      response
          .setStatusCode(503)
          .putHeader("content-type", "application/json")
          .putHeader("Retry-After", "10")
          .end(
              new JsonObject()
                  .put("error", "too-many-streams")
                  .put(
                      "message",
                      "the console serves at most "
                          + options.maxStreams()
                          + " live streams (admin.consoleMaxStreams); close another console tab")
                  .encode());
      return false;
    }
    Stream stream = new Stream(response, session);
    streams.add(stream);
    open.set(streams.size());
    response
        .setChunked(true)
        .putHeader("content-type", "text/event-stream")
        .putHeader("cache-control", "no-store")
        .putHeader("x-accel-buffering", "no");
    response.closeHandler(v -> remove(stream));
    response.write("retry: 3000\n\n");
    if (timer < 0) {
      timer = vertx.setPeriodic(1, options.interval().toMillis(), id -> tick());
    } else {
      tick();
    }
    return true;
  }

  private synchronized void remove(Stream stream) {
    streams.remove(stream);
    open.set(streams.size());
    if (streams.isEmpty() && timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  /** Ends every stream and stops the timer; for shutdown. */
  synchronized void close() {
    for (Stream s : streams) {
      if (!s.response().ended() && !s.response().closed()) {
        s.response().end();
      }
    }
    streams.clear();
    open.set(0);
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  /**
   * Reads the dead letters first and the counters when they arrive: the list is read by the spool's
   * writer after the writes queued before it, so counters read afterwards are never older than the
   * rows shown beside them (a count read first could miss a delete the list already saw).
   */
  private void tick() {
    Future.fromCompletionStage(sources.deadLetters().get(), vertx.getOrCreateContext())
        .recover(
            e -> {
              LOG.warn("Console could not list dead letters: {}", e.getMessage());
              return Future.succeededFuture((JsonArray) null);
            })
        .onSuccess(deadLetters -> send(snapshot(deadLetters)));
  }

  private JsonObject snapshot(JsonArray deadLetters) {
    JsonObject status = sources.status().get();
    JsonObject spool = status.getJsonObject("spool", new JsonObject());
    return new JsonObject()
        .put("at", clock.instant().toString())
        .put("status", status)
        .put("rates", rates.sample(spool.getLong("depth", 0L)))
        .put("limitHits", rates.limitHits())
        .put("clients", sources.clients().get())
        .put("deadLetters", deadLetters);
  }

  private void send(JsonObject snapshot) {
    String event = "event: snapshot\ndata: " + snapshot.encode() + "\n\n";
    for (Stream s : streams) {
      HttpServerResponse response = s.response();
      if (response.closed() || response.ended()) {
        remove(s);
      } else if (!sessions.live(s.session())) {
        response.end("event: logout\ndata: {}\n\n");
        remove(s);
      } else if (!response.writeQueueFull()) {
        response.write(event);
      }
    }
  }
}
