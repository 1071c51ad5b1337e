package io.outpost.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lossy filesystem keeps exactly what was synced: file content by file fsync, names by
 * directory fsync.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LossyFilesystemTest {

  private static final int PAGE = 4096;

  @TempDir Path work;
  private LossyFilesystem fs;
  private Path root;

  @BeforeAll
  static void requireFuse() {
    Optional<String> reason = LossyFilesystem.unavailableReason();
    reason.ifPresent(r -> System.out.println("LossyFilesystemTest skipped: " + r));
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
  void aCutUndoesWritesAndTruncatesSinceTheLastFsyncButKeepsWhatWasSynced() throws Exception {
    Path file = root.resolve("data");
    byte[] synced = filled(3 * PAGE, 'a');
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(synced));
      ch.force(true);
      ch.write(ByteBuffer.wrap(filled(100, 'b')), PAGE + 10); // overwrite, not synced
      ch.write(ByteBuffer.wrap(filled(PAGE, 'c')), 3 * PAGE); // append, not synced
    }
    fsyncDirectory(root);

    LossyFilesystem.Cut cut = fs.cut();

    assertThat(Files.readAllBytes(file)).isEqualTo(synced);
    assertThat(cut.pages()).as(cut.line()).isEqualTo(1);
    assertThat(cut.truncated()).as(cut.line()).isEqualTo(1);
  }

  @Test
  void aTruncateNotSyncedIsUndone() throws Exception {
    Path file = root.resolve("data");
    byte[] synced = filled(2 * PAGE + 7, 'a');
    writeSynced(file, synced);
    fsyncDirectory(root);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(0);
    }

    fs.cut();

    assertThat(Files.readAllBytes(file)).isEqualTo(synced);
  }

  @Test
  void aFileWrittenAndClosedWithoutFsyncIsEmptyAfterACut() throws Exception {
    Path file = root.resolve("admin.token");
    Files.writeString(file, "secret\n");
    fsyncDirectory(root); // its name is durable, its content is not

    fs.cut();

    assertThat(file).exists().isEmptyFile();
  }

  @Test
  void namesChangedWithoutADirectoryFsyncAreUndoneInStrictMode() throws Exception {
    writeSynced(root.resolve("kept"), bytes("old"));
    Files.createDirectories(root.resolve("dir"));
    fsyncDirectory(root);
    writeSynced(root.resolve("new"), bytes("new"));
    writeSynced(root.resolve("dir/inner"), bytes("inner"));
    Files.move(root.resolve("kept"), root.resolve("renamed"), StandardCopyOption.ATOMIC_MOVE);
    Files.createDirectories(root.resolve("newdir"));

    fs.cut();

    try (var names = Files.list(root)) {
      assertThat(names.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("kept", "dir");
    }
    assertThat(Files.readString(root.resolve("kept"))).isEqualTo("old");
    assertThat(root.resolve("dir")).isEmptyDirectory();
  }

  @Test
  void anAtomicReplaceIsDurableOnceTheFileAndItsDirectoryAreSynced() throws Exception {
    Path target = root.resolve("state.json");
    writeSynced(target, bytes("v1"));
    fsyncDirectory(root);
    Path tmp = root.resolve("state.json.tmp");
    writeSynced(tmp, bytes("v2"));
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

    fs.cut();
    assertThat(Files.readString(target)).as("rename without a directory fsync").isEqualTo("v1");
    assertThat(tmp).doesNotExist();

    writeSynced(tmp, bytes("v3"));
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    fsyncDirectory(root);

    fs.cut();
    assertThat(Files.readString(target)).isEqualTo("v3");
    try (var names = Files.list(root)) {
      assertThat(names.map(p -> p.getFileName().toString())).containsExactly("state.json");
    }
  }

  @Test
  void anUnlinkWithoutADirectoryFsyncIsUndone() throws Exception {
    Path file = root.resolve("gone");
    writeSynced(file, bytes("still here"));
    fsyncDirectory(root);
    Files.delete(file);

    fs.cut();

    assertThat(Files.readString(file)).isEqualTo("still here");
  }

  @Test
  void journalModeCommitsEveryNameChangeWithAnyFsync() throws Exception {
    fs.close();
    fs =
        LossyFilesystem.mount(
            work.resolve("journal"),
            new LossyFilesystem.Options(LossyFilesystem.Metadata.JOURNAL, Duration.ofSeconds(30)));
    root = fs.path();
    Files.writeString(root.resolve("unsynced"), "lost");
    writeSynced(root.resolve("created"), bytes("synced"));
    Files.writeString(root.resolve("after"), "created after the last fsync");

    fs.cut();

    assertThat(Files.readString(root.resolve("created"))).isEqualTo("synced");
    assertThat(root.resolve("unsynced"))
        .as("created before the fsync: its name survives, its content not")
        .isEmptyFile();
    assertThat(root.resolve("after")).doesNotExist();
  }

  @Test
  void aTornCutKeepsEachUnsyncedPageWhollyOldOrWhollyNew() throws Exception {
    Path file = root.resolve("torn");
    writeSynced(file, filled(16 * PAGE, 'a'));
    fsyncDirectory(root);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(filled(16 * PAGE, 'b')), 0);
    }

    fs.cut(42);

    byte[] after = Files.readAllBytes(file);
    assertThat(after).hasSize(16 * PAGE);
    int kept = 0;
    for (int page = 0; page < 16; page++) {
      byte[] content = Arrays.copyOfRange(after, page * PAGE, (page + 1) * PAGE);
      assertThat(content)
          .as("page %d", page)
          .satisfiesAnyOf(
              c -> assertThat(c).isEqualTo(filled(PAGE, 'a')),
              c -> assertThat(c).isEqualTo(filled(PAGE, 'b')));
      kept += content[0] == 'b' ? 1 : 0;
    }
    assertThat(kept)
        .as("with 16 pages at 1/2 each, a seed that keeps none or all would be a broken tear")
        .isBetween(1, 15);
  }

  @Test
  void closingUnmountsWithoutLosingAnything() throws Exception {
    Files.writeString(root.resolve("unsynced"), "kept by a clean unmount");

    fs.close();

    assertThat(Files.readString(fs.backing().resolve("unsynced")))
        .isEqualTo("kept by a clean unmount");
    assertThat(Files.readAllLines(Path.of("/proc/self/mountinfo")))
        .noneMatch(l -> l.contains(root.toString()));
  }

  private static void writeSynced(Path file, byte[] content) throws IOException {
    try (FileChannel ch =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.write(ByteBuffer.wrap(content));
      ch.force(true);
    }
  }

  private static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  private static byte[] filled(int size, char c) {
    byte[] b = new byte[size];
    Arrays.fill(b, (byte) c);
    return b;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
