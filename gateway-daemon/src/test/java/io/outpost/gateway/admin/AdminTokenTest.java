package io.outpost.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.outpost.testkit.LossyFilesystem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin token file a first start writes survives a power cut, and one found empty does not stop
 * a start.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminTokenTest {

  @TempDir Path dir;

  @Test
  void aTokenCreatedAtFirstStartIsStillThereAfterAPowerCut() throws Exception {
    Optional<String> reason = LossyFilesystem.unavailableReason();
    reason.ifPresent(r -> System.out.println("AdminTokenTest power cut skipped: " + r));
    assumeTrue(reason.isEmpty(), () -> "lossy filesystem unavailable: " + reason.orElseThrow());
    try (LossyFilesystem fs = LossyFilesystem.mount(dir.resolve("lossy"))) {
      Path file = fs.path().resolve("admin.token");
      AdminToken.loadOrCreate(file);
      String written = AdminToken.read(file);

      fs.cut();

      assertThat(AdminToken.read(file)).isEqualTo(written).hasSize(64);
      assertThat(AdminToken.loadOrCreate(file).matchesHeader("Bearer " + written)).isTrue();
    }
  }

  @Test
  void anEmptyTokenFileIsReplacedByAFreshTokenInsteadOfFailingTheStart() throws Exception {
    Path file = Files.writeString(dir.resolve("admin.token"), "");

    AdminToken token = AdminToken.loadOrCreate(file);

    String fresh = AdminToken.read(file);
    assertThat(fresh).hasSize(64);
    assertThat(token.matchesHeader("Bearer " + fresh)).isTrue();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
  }

  @Test
  void anExistingTokenIsKept() throws Exception {
    Path file =
        Files.writeString(dir.resolve("admin.token"), "operator-chosen\n", StandardCharsets.UTF_8);

    AdminToken token = AdminToken.loadOrCreate(file);

    assertThat(token.matchesHeader("Bearer operator-chosen")).isTrue();
    assertThat(Files.readString(file)).isEqualTo("operator-chosen\n");
  }
}
