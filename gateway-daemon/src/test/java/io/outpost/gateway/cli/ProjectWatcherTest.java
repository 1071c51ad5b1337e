package io.outpost.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The dev command's watcher: one change per burst of edits, build output and swap files unseen. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProjectWatcherTest {

  @TempDir Path project;

  @Test
  void reportsASourceEditAndIgnoresBuildOutput() throws Exception {
    Path src = Files.createDirectories(project.resolve("src/main/java"));
    Path target = Files.createDirectories(project.resolve("target/classes"));
    // a quiet time as long as an editor's save: the watch service hands events over from its own
    // thread, which a busy machine may delay past a short one, splitting the burst in two
    try (ProjectWatcher watcher = new ProjectWatcher(project, Duration.ofSeconds(1))) {
      Files.writeString(target.resolve("Handler.class"), "built");
      Files.writeString(src.resolve(".Handler.java.swp"), "editor");
      assertThat(watcher.awaitChange(Duration.ofMillis(500))).isNull();

      Files.writeString(src.resolve("Handler.java"), "class Handler {}");
      Files.writeString(src.resolve("Other.java"), "class Other {}");

      assertThat(watcher.awaitChange(Duration.ofSeconds(20)))
          .isEqualTo(Path.of("src/main/java/Handler.java"));
      assertThat(watcher.awaitChange(Duration.ofMillis(300)))
          .as("the burst was reported once")
          .isNull();
    }
  }

  @Test
  void watchesDirectoriesCreatedAfterItStarted() throws Exception {
    try (ProjectWatcher watcher = new ProjectWatcher(project, Duration.ofMillis(100))) {
      Path pkg = Files.createDirectories(project.resolve("lib"));
      assertThat(watcher.awaitChange(Duration.ofSeconds(20))).isEqualTo(Path.of("lib"));

      Files.writeString(pkg.resolve("util.py"), "X = 1\n");

      assertThat(watcher.awaitChange(Duration.ofSeconds(20))).isEqualTo(Path.of("lib/util.py"));
    }
  }

  @Test
  void ignoresBuildToolAndCacheDirectories() throws Exception {
    try (ProjectWatcher watcher = new ProjectWatcher(project, Duration.ofMillis(50))) {
      assertThat(watcher.ignored(project.resolve("target/x.jar"))).isTrue();
      assertThat(watcher.ignored(project.resolve("__pycache__/h.cpython-311.pyc"))).isTrue();
      assertThat(watcher.ignored(project.resolve(".git/index"))).isTrue();
      assertThat(watcher.ignored(project.resolve("handler.py~"))).isTrue();
      assertThat(watcher.ignored(project.resolve("handler.py"))).isFalse();
      assertThat(watcher.ignored(project.resolve("src/targets.txt"))).isFalse();
    }
  }
}
