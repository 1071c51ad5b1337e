package io.outpost.broker;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.outpost.testkit.MovableClock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real broker on 127.0.0.1 with an ephemeral port and a SQLite store in a test directory. */
public final class BrokerFixture implements AutoCloseable {

  public final Vertx vertx = Vertx.vertx();
  public final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  public final MovableClock clock = MovableClock.ahead();
  public final Path dir;
  public final BrokerOptions options;
  public final PublishRouter router;
  public MqttBroker broker;

  private BrokerFixture(Path dir, BrokerOptions options, PublishRouter router) {
    this.dir = dir;
    this.options = options;
    this.router = router;
  }

  public static BrokerOptions localOptions() {
    return BrokerOptions.defaults()
        .withListeners(List.of(ListenerOptions.of("127.0.0.1", 0)))
        .withInstances(2);
  }

  public static BrokerFixture start(Path dir) {
    return start(dir, localOptions(), PublishRouter.NONE);
  }

  public static BrokerFixture start(Path dir, BrokerOptions options, PublishRouter router) {
    BrokerFixture f = new BrokerFixture(dir, options, router);
    f.startBroker();
    return f;
  }

  public void startBroker() {
    broker = new MqttBroker(vertx, options, dir, router, registry, clock);
    await(broker.start());
  }

  public void restart() {
    await(broker.stop());
    startBroker();
  }

  public int port() {
    return broker.boundPorts().get(0);
  }

  public String url() {
    return "tcp://127.0.0.1:" + port();
  }

  public double counter(String name, String... tags) {
    var search = registry.find(name);
    if (tags.length > 0) {
      search = search.tags(tags);
    }
    return search.counters().stream().mapToDouble(c -> c.count()).sum();
  }

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try {
      if (broker != null) {
        await(broker.stop());
      }
    } finally {
      await(vertx.close());
    }
  }
}
