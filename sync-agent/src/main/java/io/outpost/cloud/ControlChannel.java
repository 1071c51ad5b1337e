package io.outpost.cloud;

import java.util.List;
import java.util.Objects;

/**
 * Device-management traffic on the cloud link (AWS IoT Jobs and Device Shadow topics), kept apart
 * from the routed downlink: its messages are not delivered into the local broker and what it
 * publishes bypasses the spool.
 *
 * @param filters cloud-side topic filters to subscribe to on every connection; only exact topics
 *     and filters ending in {@code /#} are allowed, so matching needs no wildcard engine
 * @param handler receives the messages on those filters (on a Paho thread; must not block)
 * @param onOnline runs after every successful (re)connection, on the link thread; must not block
 */
public record ControlChannel(List<String> filters, DownlinkHandler handler, Runnable onOnline) {

  public ControlChannel {
    filters = List.copyOf(filters);
    Objects.requireNonNull(handler, "handler");
    Objects.requireNonNull(onOnline, "onOnline");
    for (String f : filters) {
      String head = f.endsWith("/#") ? f.substring(0, f.length() - 2) : f;
      if (head.contains("+") || head.contains("#")) {
        throw new IllegalArgumentException(
            "control filter '" + f + "': only exact topics and a trailing /# allowed");
      }
    }
  }

  /** Whether {@code topic} belongs to this channel. */
  boolean matches(String topic) {
    for (String f : filters) {
      if (f.endsWith("/#")
          ? topic.startsWith(f.substring(0, f.length() - 1))
              || topic.equals(f.substring(0, f.length() - 2))
          : topic.equals(f)) {
        return true;
      }
    }
    return false;
  }
}
