package io.outpost.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker whose store file is corrupt starts with an empty store, and the operator sees it
 * counted.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CorruptStoreStartTest {

  @TempDir Path dir;

  @Test
  void aCorruptStoreIsMovedAsideCountedAndTheBrokerServes() throws Exception {
    Files.write(
        dir.resolve("broker.db"),
        "not a database, a torn page".repeat(200).getBytes(StandardCharsets.UTF_8));

    try (BrokerFixture broker = BrokerFixture.start(dir)) {
      assertThat(broker.counter("outpost.broker.store.corrupt.quarantined")).isEqualTo(1.0);
      assertThat(broker.port()).isPositive();
      try (var files = Files.list(dir)) {
        assertThat(files.map(p -> p.getFileName().toString()))
            .anyMatch(name -> name.startsWith("broker.db.corrupt-"));
      }
    }
  }

  @Test
  void aHealthyStoreIsNotCounted() throws Exception {
    try (BrokerFixture broker = BrokerFixture.start(dir)) {
      broker.restart();
      assertThat(broker.counter("outpost.broker.store.corrupt.quarantined")).isZero();
    }
  }
}
