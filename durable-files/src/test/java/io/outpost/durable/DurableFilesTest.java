package io.outpost.durable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.outpost.testkit.LossyFilesystem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What is written through {@link DurableFiles} survives a power cut (a lossy filesystem's cut); a
 * plain write not.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DurableFilesTest {

  @TempDir Path work;
  private LossyFilesystem fs;
  private Path root;

  @BeforeAll
  static void requireFuse() {
    Optional<String> reason = LossyFilesystem.unavailableReason();
    reason.ifPresent(r -> System.out.println("DurableFilesTest skipped: " + r));
    assumeTrue(reason.isEmpty(), () -> "lossy filesystem unavailable: " + reason.orElseThrow());
  }

  @BeforeEach
  void mount() throws Exception {
    fs = LossyFilesystem.mount(work.resolve("lossy"));
    root = fs.path();
  }

  @AfterEach
  void unmount() throws Exception {
    fs.close();
  }

  @Test
  void aPlainWriteIsLostInACutSoTheHarnessCanSeeWhatTheHelperPrevents() throws Exception {
    Path dir = Files.createDirectories(root.resolve("data"));
    DurableFiles.fsyncDirectory(root);
    Files.writeString(dir.resolve("plain"), "gone");

    fs.cut();

    assertThat(dir.resolve("plain")).doesNotExist();
  }

  @Test
  void anAtomicWriteSurvivesACutWithItsContentAndPermissions() throws Exception {
    Path target = root.resolve("admin.token");

    DurableFiles.writeAtomically(target, bytes("first"), DurableFiles.OWNER_ONLY);
    DurableFiles.writeAtomically(target, bytes("second"), DurableFiles.OWNER_ONLY);
    fs.cut();

    assertThat(Files.readString(target)).isEqualTo("second");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target)))
        .isEqualTo("rw-------");
    assertThat(names(root)).containsExactly("admin.token");
  }

  @Test
  void createAtomicallyKeepsAnExistingFileAndMakesANewOneDurable() throws Exception {
    Path target = root.resolve("token");

    assertThat(DurableFiles.createAtomically(target, bytes("mine"), null)).isTrue();
    assertThat(DurableFiles.createAtomically(target, bytes("theirs"), null)).isFalse();
    fs.cut();

    assertThat(Files.readString(target)).isEqualTo("mine");
    assertThat(names(root)).containsExactly("token");
  }

  @Test
  void aTreeSyncedThenMovedIntoPlaceSurvivesACutWhole() throws Exception {
    Path staging = Files.createDirectories(root.resolve("v1.tmp/package/lib"));
    Files.writeString(staging.resolve("a.txt"), "a");
    Files.writeString(root.resolve("v1.tmp/package/manifest"), "m");

    DurableFiles.fsyncTree(root.resolve("v1.tmp"));
    DurableFiles.moveAtomically(root.resolve("v1.tmp"), root.resolve("v1"));
    fs.cut();

    assertThat(Files.readString(root.resolve("v1/package/lib/a.txt"))).isEqualTo("a");
    assertThat(Files.readString(root.resolve("v1/package/manifest"))).isEqualTo("m");
    assertThat(names(root)).containsExactly("v1");
  }

  private static Stream<String> names(Path dir) throws Exception {
    try (Stream<Path> list = Files.list(dir)) {
      return list.map(p -> p.getFileName().toString()).toList().stream();
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
