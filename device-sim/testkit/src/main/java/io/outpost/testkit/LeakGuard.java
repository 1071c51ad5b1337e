package io.outpost.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class that leaves behind a non-daemon thread, a listening TCP socket, a child
 * process or a file in the test temp directory once it has finished, or that blocked a Vert.x
 * thread (see {@link BlockedThreadAppender}).
 *
 * <p>Registered for every test through JUnit's extension auto-detection (see {@code
 * META-INF/services}), so a leak cannot hide in a class that forgot to opt in. Each resource gets a
 * grace period to go away on its own, because orderly shutdowns (Vert.x event loops, Paho's
 * threads, a killed child being reaped) finish asynchronously.
 */
public final class LeakGuard implements BeforeAllCallback, AfterAllCallback {

  /**
   * How long a resource may take to disappear after the class finished, unless configured
   * otherwise.
   */
  static final Duration DEFAULT_GRACE = Duration.ofSeconds(15);

  /** JUnit configuration parameter overriding {@link #DEFAULT_GRACE}, in milliseconds. */
  public static final String GRACE_PARAMETER = "outpost.leakguard.grace.millis";

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(LeakGuard.class);

  /**
   * Creates the per-module temp dir the build points {@code java.io.tmpdir} at. JUnit instantiates
   * auto-detected extensions before any test class, so this runs before the first {@code @TempDir}
   * needs its parent.
   */
  public LeakGuard() throws IOException {
    Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    BlockedThreadAppender.drain(); // what an earlier class caused was reported there
    Snapshot before = Snapshot.take();
    context.getStore(NAMESPACE).put(Snapshot.class, before);
  }

  @Override
  public void afterAll(ExtensionContext context) throws InterruptedException {
    Snapshot before = context.getStore(NAMESPACE).get(Snapshot.class, Snapshot.class);
    if (before == null) {
      return;
    }
    Duration grace =
        context
            .getConfigurationParameter(GRACE_PARAMETER)
            .map(millis -> Duration.ofMillis(Long.parseLong(millis)))
            .orElse(DEFAULT_GRACE);
    long deadline = System.nanoTime() + grace.toNanos();
    List<String> leaks = new ArrayList<>();
    leaks.addAll(awaitGone("thread", Resources::nonDaemonThreads, before.threads(), deadline));
    leaks.addAll(
        awaitGone("listening socket", Resources::listeningSockets, before.sockets(), deadline));
    leaks.addAll(
        awaitGone("child process", Resources::childProcesses, before.children(), deadline));
    leaks.addAll(awaitGone("temp file", Resources::tempFiles, before.tempFiles(), deadline));
    for (String warning : BlockedThreadAppender.drain()) {
      leaks.add("blocked Vert.x thread: " + warning);
    }
    if (!leaks.isEmpty()) {
      throw new AssertionError(
          context.getDisplayName()
              + " leaked "
              + leaks.size()
              + " resource(s):\n  "
              + String.join("\n  ", leaks));
    }
  }

  private static List<String> awaitGone(
      String kind, Supplier<Set<String>> now, Set<String> before, long deadline)
      throws InterruptedException {
    while (true) {
      List<String> leaked = new ArrayList<>();
      for (String resource : now.get()) {
        if (!before.contains(resource)) {
          leaked.add(kind + " " + resource);
        }
      }
      if (leaked.isEmpty() || System.nanoTime() - deadline > 0) {
        return leaked;
      }
      Thread.sleep(50);
    }
  }

  /** What existed before the class ran; only resources that are new afterwards count as leaks. */
  record Snapshot(
      Set<String> threads, Set<String> sockets, Set<String> children, Set<String> tempFiles) {
    static Snapshot take() {
      return new Snapshot(
          Resources.nonDaemonThreads(),
          Resources.listeningSockets(),
          Resources.childProcesses(),
          Resources.tempFiles());
    }
  }
}
