package io.outpost.function.runtime.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/** Counts the threads of this process's user, which {@code RLIMIT_NPROC} compares against. */
final class UserTasks {

  private UserTasks() {}

  static long count() {
    Optional<String> me = ProcessHandle.current().info().user();
    if (me.isEmpty()) {
      return 0;
    }
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().user().equals(me))
        .mapToLong(UserTasks::tasks)
        .sum();
  }

  private static long tasks(ProcessHandle p) {
    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(p.pid()), "task"))) {
      return tasks.count();
    } catch (IOException e) {
      return 1; // gone meanwhile, or not readable
    }
  }
}
