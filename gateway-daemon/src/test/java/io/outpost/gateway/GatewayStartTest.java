package io.outpost.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outpost.gateway.config.ConfigLoader;
import io.outpost.spool.SpoolOptions;
import io.outpost.spool.SpoolUnavailableException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start sequence: the spool opens beside Vert.x (BackgroundStart), with the same failures and
 * stop order.
 */
@Timeout(60)
class GatewayStartTest {

  @TempDir Path dir;

  @Test
  void aSpoolThatCannotOpenFailsTheStartAndStopsWhatAlreadyStarted() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Files.createDirectory(
        data.resolve(SpoolOptions.DATABASE_FILE)); // a directory where the database file belongs

    assertThatThrownBy(() -> Gateway.start(new ConfigLoader().parse(config(data), "test")))
        .isInstanceOf(SpoolUnavailableException.class)
        .hasMessageContaining(SpoolOptions.DATABASE_FILE);
    // Vert.x started beside the spool and was closed again: the leak guard fails the class on a
    // leftover thread
  }

  @Test
  void startsWithTheSpoolOpenAndStopsCleanlyTwice() throws Exception {
    Gateway gateway = Gateway.start(new ConfigLoader().parse(config(dir.resolve("data")), "test"));
    try {
      assertThat(gateway.isReady()).isTrue();
      assertThat(gateway.spool().stats().depth()).isZero();
      try (Socket device = new Socket()) {
        device.connect(new InetSocketAddress("127.0.0.1", gateway.brokerPorts().get(0)), 5_000);
      }
    } finally {
      assertThat(gateway.stop(Duration.ofSeconds(10))).isTrue();
      assertThat(gateway.stop(Duration.ofSeconds(10))).as("idempotent").isTrue();
    }
    assertThat(gateway.isReady()).isFalse();
  }

  private static String config(Path data) {
    return """
        broker:
          listeners: [{host: 127.0.0.1, port: 0}]
        storage:
          dir: %s
        admin:
          enabled: false
        """
        .formatted(data);
  }
}
