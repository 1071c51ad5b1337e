package io.outpost.gateway.cli;

import java.util.List;
import java.util.function.Consumer;
import sun.misc.Signal;

/**
 * Turns SIGTERM and SIGINT into a graceful stop, and SIGHUP into a configuration reload. Handling
 * the signals ourselves (instead of a shutdown hook) lets the daemon finish its shutdown and exit
 * 0, which systemd and operators read as a clean stop.
 */
final class ShutdownSignals {

  private static final List<String> STOP_SIGNALS = List.of("TERM", "INT");

  private ShutdownSignals() {}

  static void install(Consumer<String> onStop, Runnable onReload) {
    for (String name : STOP_SIGNALS) {
      Signal.handle(new Signal(name), signal -> onStop.accept(signal.getName()));
    }
    Signal.handle(new Signal("HUP"), signal -> onReload.run());
  }
}
