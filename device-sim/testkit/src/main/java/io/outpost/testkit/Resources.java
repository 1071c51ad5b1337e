package io.outpost.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Reads the process resources {@link LeakGuard} watches, from the JVM and from {@code /proc}. */
final class Resources {

  /** Files libraries extract once per JVM into the temp dir and remove at exit; not test leaks. */
  private static final Pattern LIBRARY_TEMP_FILES =
      Pattern.compile("(sqlite-.*|libnetty.*|.*\\.lck|hsperfdata.*|surefire.*)");

  private static final String LISTEN = "0A";

  private Resources() {}

  static Set<String> nonDaemonThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && !t.isDaemon() && t != Thread.currentThread())
        .filter(t -> !"main".equals(t.getName()) && !t.getName().startsWith("junit-"))
        .map(t -> t.getName() + "#" + t.getId())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  static Set<String> childProcesses() {
    return ProcessHandle.current()
        .descendants()
        .filter(ProcessHandle::isAlive)
        .map(p -> p.pid() + " " + p.info().command().orElse("?"))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /**
   * Listening TCP sockets owned by this process, as "address:port" (hex, as the kernel prints it).
   */
  static Set<String> listeningSockets() {
    Path fdDir = Path.of("/proc/self/fd");
    if (!Files.isDirectory(fdDir)) {
      return Set.of();
    }
    Set<String> ownInodes = new HashSet<>();
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir)) {
      for (Path fd : fds) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            ownInodes.add(target.substring(8, target.length() - 1));
          }
        } catch (NoSuchFileException closedMeanwhile) {
          // the descriptor was closed between listing and reading: not ours any more
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Set<String> listening = new TreeSet<>();
    for (String table : List.of("/proc/self/net/tcp", "/proc/self/net/tcp6")) {
      listening.addAll(listeningIn(Path.of(table), ownInodes));
    }
    return listening;
  }

  private static Set<String> listeningIn(Path table, Set<String> ownInodes) {
    Set<String> result = new TreeSet<>();
    if (!Files.isReadable(table)) {
      return result;
    }
    try {
      for (String line : Files.readAllLines(table)) {
        String[] f = line.trim().split("\\s+");
        // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
        if (f.length > 9 && LISTEN.equals(f[3]) && ownInodes.contains(f[9])) {
          result.add(decodePort(f[1]) + " (inode " + f[9] + ")");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return result;
  }

  private static String decodePort(String hexAddress) {
    int colon = hexAddress.lastIndexOf(':');
    return "port " + Integer.parseInt(hexAddress.substring(colon + 1), 16);
  }

  static Set<String> tempFiles() {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    if (!Files.isDirectory(tmp)) {
      return Set.of();
    }
    try (var entries = Files.list(tmp)) {
      return entries
          .map(p -> p.getFileName().toString())
          .filter(name -> !LIBRARY_TEMP_FILES.matcher(name).matches())
          .collect(Collectors.toCollection(TreeSet::new));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
