package io.outpost.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Messages in and out are counted per listener ({@code
 * outpost.broker.listener.messages.*{listener}}).
 */
class ListenerCountersIT {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;
  BrokerFixture fixture;
  final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void countsMessagesReceivedAndSentOnEachListener() throws Exception {
    BrokerOptions options =
        BrokerFixture.localOptions()
            .withListeners(
                List.of(ListenerOptions.of("127.0.0.1", 0), ListenerOptions.of("127.0.0.1", 0)));
    fixture = BrokerFixture.start(dir, options, PublishRouter.NONE);
    String first = "127.0.0.1:" + fixture.broker.boundPorts().get(0);
    String second = "127.0.0.1:" + fixture.broker.boundPorts().get(1);
    V5Client subscriber = client("tcp://" + first, "sub");
    subscriber.client.subscribe("c/#", 1).waitForCompletion(V5Client.TIMEOUT_MILLIS);
    V5Client publisher = client("tcp://" + second, "pub");

    for (int i = 0; i < 5; i++) {
      publisher.publish("c/" + i, "m" + i, i % 2, false);
    }

    await().atMost(WAIT).until(() -> subscriber.received.size() == 5);
    await().atMost(WAIT).until(() -> sent(first) == 5);
    assertThat(received(second)).isEqualTo(5);
    assertThat(received(first)).isZero();
    assertThat(sent(second)).isZero();
  }

  private V5Client client(String url, String id) throws Exception {
    V5Client c = new V5Client(url, id);
    closeables.add(c);
    return c.connect();
  }

  private double received(String listener) {
    return fixture.counter("outpost.broker.listener.messages.received", "listener", listener);
  }

  private double sent(String listener) {
    return fixture.counter("outpost.broker.listener.messages.sent", "listener", listener);
  }
}
