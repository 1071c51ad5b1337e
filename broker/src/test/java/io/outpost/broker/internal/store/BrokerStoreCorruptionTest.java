package io.outpost.broker.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A corrupt {@code broker.db} does not stop a start: it is moved aside, kept, and an empty store
 * opens.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BrokerStoreCorruptionTest {

  @TempDir Path dir;

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void closeVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aFileThatIsNotADatabaseIsMovedAsideAndAnEmptyStoreOpens() throws Exception {
    Path file = dir.resolve("broker.db");
    byte[] garbage = new byte[8192];
    java.util.Arrays.fill(garbage, (byte) 0x5a);
    Files.write(file, garbage);
    BrokerStore store = new BrokerStore(vertx, file);

    StoredState state =
        store.open(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    store.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

    assertThat(state.sessions()).isEmpty();
    assertThat(state.retained()).isEmpty();
    assertThat(store.quarantinedTo()).isNotNull();
    assertThat(Files.readAllBytes(store.quarantinedTo()))
        .as("the corrupt file is kept")
        .isEqualTo(garbage);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .contains("broker.db", store.quarantinedTo().getFileName().toString());
    }
  }

  @Test
  void aHealthyStoreIsNotMovedAside() throws Exception {
    BrokerStore first = new BrokerStore(vertx, dir.resolve("broker.db"));
    first.open(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    first.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    BrokerStore second = new BrokerStore(vertx, dir.resolve("broker.db"));

    second.open(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    second.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

    assertThat(second.quarantinedTo()).isNull();
  }
}
