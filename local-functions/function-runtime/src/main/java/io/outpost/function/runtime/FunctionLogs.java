package io.outpost.function.runtime;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Every function's own log, as the admin API reads and follows it ({@link FunctionRuntime#logs()}):
 * handler lines, process output and runtime events, kept per function with a size bound ({@code
 * functions.logs.*}).
 */
public interface FunctionLogs {

  /**
   * The last {@code lines} lines of {@code function}'s log logged at or after {@code since}, oldest
   * first; empty for an unknown function. Sees every line appended before the call.
   *
   * @param since null for no lower bound
   */
  CompletableFuture<List<FunctionLogRecord>> read(String function, Instant since, int lines);

  /**
   * Tells {@code follower} the last {@code lines} lines since {@code since}, then every new line of
   * {@code function}, in order and without a gap, until the returned handle is closed; empty when
   * {@link #maxFollowers()} follows are open already (counted). The follower is called on the log's
   * writer thread and must be quick.
   */
  Optional<AutoCloseable> tryFollow(
      String function, Instant since, int lines, Consumer<FunctionLogRecord> follower);

  /** How many follows may be open at once ({@code functions.logs.maxFollowers}). */
  int maxFollowers();
}
