package io.outpost.function;

import java.time.Duration;
import java.util.Map;

/**
 * What a handler can see and do during one invocation: who it is, its configuration, a logger, its
 * remaining time and a way to publish to local topics.
 */
public interface Context {

  /** The deployed function's name. */
  String functionName();

  /** The deployed function's version. */
  String functionVersion();

  /**
   * The descriptor's {@code environment} map: the function's configuration. Never null,
   * unmodifiable.
   */
  Map<String, String> config();

  /** A logger that writes to the gateway's log under the function's name. */
  FunctionLogger logger();

  /**
   * Time left before the invocation times out. When it reaches zero the runtime cancels the
   * invocation (interrupting the handler's thread) and counts a timeout; a well-behaved handler
   * checks this before long work.
   */
  Duration remainingTime();

  /**
   * Publishes a message to the local broker right away, as any local client would. Messages
   * published after the invocation ended (timed out) are discarded.
   *
   * @param publication the message
   */
  void publish(Publication publication);
}
