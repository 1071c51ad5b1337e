package io.outpost.function.runtime.invoke;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Named thread factory. Handler worker threads are daemon threads on purpose: they run third-party
 * code that may never return, and a stuck handler must not keep the gateway's JVM alive at shutdown
 * (stop() still joins them, and counts those it cannot). The runtime's own threads are non-daemon,
 * so a runtime that was not stopped is a leak.
 */
public final class FunctionThreads implements ThreadFactory {

  private final String prefix;
  private final boolean daemon;
  private final AtomicInteger seq = new AtomicInteger();

  public FunctionThreads(String prefix, boolean daemon) {
    this.prefix = prefix;
    this.daemon = daemon;
  }

  @Override
  public Thread newThread(Runnable r) {
    Thread t = new Thread(r, prefix + "-" + seq.incrementAndGet());
    t.setDaemon(daemon);
    return t;
  }
}
