package io.outpost.sim.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LatencyLogTest {

  @TempDir Path dir;

  @Test
  void writesEachMessageWithItsDeviceSequenceAndLatencyInArrivalOrder() throws Exception {
    LatencyLog log = new LatencyLog(10_000);
    for (int i = 0; i < 3000; i++) {
      log.record("dev-" + (i % 3), i / 3, 100L + i, 5_000L + i);
    }

    Path file = dir.resolve("lat.tsv");
    log.writeTo(file);

    var lines = Files.readAllLines(file);
    assertThat(lines).hasSize(3000);
    assertThat(lines.get(0)).isEqualTo("dev-0\t0\t100\t5000");
    assertThat(lines.get(4)).isEqualTo("dev-1\t1\t104\t5004");
    assertThat(lines.get(2999)).isEqualTo("dev-2\t999\t3099\t7999");
    assertThat(log.dropped()).isZero();
  }

  @Test
  void keepsAtMostItsCapacityAndCountsTheRest() throws Exception {
    LatencyLog log = new LatencyLog(5);
    for (int i = 0; i < 8; i++) {
      log.record("d", i, i, 10 + i);
    }

    Path file = dir.resolve("lat.tsv");
    log.writeTo(file);

    assertThat(log.size()).isEqualTo(5);
    assertThat(log.dropped()).isEqualTo(3);
    assertThat(Files.readAllLines(file))
        .containsExactly("d\t0\t0\t10", "d\t1\t1\t11", "d\t2\t2\t12", "d\t3\t3\t13", "d\t4\t4\t14");
  }

  @Test
  void refusesANonPositiveCapacity() {
    assertThatThrownBy(() -> new LatencyLog(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
