package io.outpost.broker;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Runs a broker in its own JVM for crash tests: {@code BrokerProcessMain <storageDir>} prints
 * {@code PORT <n>} once listening and serves until killed.
 */
public final class BrokerProcessMain {

  private BrokerProcessMain() {}

  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx();
    MqttBroker broker =
        new MqttBroker(
            vertx,
            BrokerFixture.localOptions(),
            Path.of(args[0]),
            PublishRouter.NONE,
            new SimpleMeterRegistry());
    broker.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    System.out.println("PORT " + broker.boundPorts().get(0));
    System.out.flush();
    Thread.currentThread().join();
  }
}
