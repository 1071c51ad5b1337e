package io.outpost.testkit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;

/**
 * Records Vert.x's blocked-thread warnings so {@link LeakGuard} can fail the test class that caused
 * them: blocking an event loop is a bug, not log noise. Add it to a module's {@code
 * logback-test.xml}: {@code <appender name="blocked"
 * class="io.outpost.testkit.BlockedThreadAppender"/>} referenced from the root logger.
 */
public final class BlockedThreadAppender extends AppenderBase<ILoggingEvent> {

  private static final List<String> SEEN = new ArrayList<>();

  @Override
  protected void append(ILoggingEvent event) {
    if (event.getLevel().isGreaterOrEqual(Level.WARN)
        && event.getLoggerName().endsWith("BlockedThreadChecker")) {
      synchronized (SEEN) {
        SEEN.add(event.getFormattedMessage());
      }
    }
  }

  /** Warnings recorded since the last call, which clears them. */
  static List<String> drain() {
    synchronized (SEEN) {
      List<String> copy = List.copyOf(SEEN);
      SEEN.clear();
      return copy;
    }
  }
}
