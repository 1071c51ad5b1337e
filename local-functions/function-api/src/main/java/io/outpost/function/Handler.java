package io.outpost.function;

import java.util.List;

/**
 * A local function: called once per message that matched one of the function's trigger filters.
 *
 * <p>Implementations need a public no-argument constructor. With {@code lifecycle: on-demand} the
 * runtime creates a fresh instance for every invocation, so fields never carry over. With {@code
 * lifecycle: pinned} one instance lives as long as the deployed version, so fields are the place to
 * keep state between invocations (for example a running aggregate); with {@code maxConcurrency > 1}
 * a pinned handler must be thread-safe. If the class also implements {@link AutoCloseable}, the
 * runtime calls {@code close()} when the version is retired (removed, replaced, rolled back or the
 * daemon stops).
 *
 * <p>A handler may return messages, publish them through {@link Context#publish(Publication)}, or
 * both. Throwing an exception fails the invocation: it is counted, logged and reported on {@code
 * outpost/functions/<name>/errors}, and never affects the daemon or other functions.
 */
@FunctionalInterface
public interface Handler {

  /**
   * Handles one message.
   *
   * @param message the triggering message; valid only during this call
   * @param context the function's context for this invocation; valid only during this call
   * @return messages to publish to the local broker once the call returns; {@code null} or empty
   *     for none
   * @throws Exception to fail the invocation
   */
  List<Publication> handle(Message message, Context context) throws Exception;
}
