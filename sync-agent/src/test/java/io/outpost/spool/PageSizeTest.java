package io.outpost.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code storage.pageSize}: new spool files get it, existing ones keep theirs and their messages.
 */
@Timeout(30)
class PageSizeTest {
  @TempDir Path dir;

  @Test
  void aNewSpoolFileIsCreatedWithTheConfiguredPageSize() throws Exception {
    SpoolOptions options = SpoolOptions.in(dir).withPageSize(1024);
    try (SqliteSpool spool =
        SqliteSpool.open(options, new SimpleMeterRegistry(), Clock.systemUTC())) {
      append(spool, "m0");
    }
    assertThat(pageSize(options)).isEqualTo(1024);
  }

  @Test
  void anExistingSpoolFileKeepsItsPageSizeAndItsMessages() throws Exception {
    try (SqliteSpool spool =
        SqliteSpool.open(
            SpoolOptions.in(dir).withPageSize(4096),
            new SimpleMeterRegistry(),
            Clock.systemUTC())) {
      append(spool, "kept");
    }
    SpoolOptions reopened = SpoolOptions.in(dir).withPageSize(1024);
    try (SqliteSpool spool =
        SqliteSpool.open(reopened, new SimpleMeterRegistry(), Clock.systemUTC())) {
      assertThat(spool.quarantinedTo()).isNull();
      List<SpooledMessage> leased = spool.lease(10).get(10, TimeUnit.SECONDS);
      assertThat(leased)
          .extracting(m -> new String(m.entry().payload(), StandardCharsets.UTF_8))
          .containsExactly("kept");
      append(spool, "after");
      assertThat(spool.stats().depth()).isEqualTo(2);
    }
    assertThat(pageSize(reopened)).isEqualTo(4096);
  }

  @Test
  void pageSizesThatSqliteCannotUseAreRejectedNamingTheKey() {
    for (int invalid : new int[] {0, 256, 1000, 131_072}) {
      assertThatThrownBy(() -> SpoolOptions.defaults().withPageSize(invalid))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("pageSize:");
    }
    assertThat(SpoolOptions.defaults().pageSize()).isEqualTo(SpoolOptions.DEFAULT_PAGE_SIZE);
  }

  private static void append(SqliteSpool spool, String text) throws Exception {
    spool
        .append(
            new SpoolEntry(
                "telemetry",
                0,
                "devices/d1/telemetry",
                text.getBytes(StandardCharsets.UTF_8),
                1,
                0,
                List.of(),
                null,
                "d1",
                1_800_000_000_000L))
        .get(10, TimeUnit.SECONDS);
  }

  private static int pageSize(SpoolOptions options) throws SQLException {
    try (Connection connection =
            DriverManager.getConnection("jdbc:sqlite:" + options.databaseFile());
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("PRAGMA page_size")) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
