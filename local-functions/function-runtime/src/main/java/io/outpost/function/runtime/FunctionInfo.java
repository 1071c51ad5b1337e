package io.outpost.function.runtime;

import java.time.Instant;
import java.util.List;

/**
 * A snapshot of one deployed function, for {@code functions list}, the admin API and change
 * listeners.
 *
 * @param name function name
 * @param version active version
 * @param runtime java, process or wasm
 * @param lifecycle on-demand or pinned
 * @param triggers MQTT topic filters the daemon subscribes the function to
 * @param state visible state
 * @param previousVersions versions available to {@link FunctionRuntime#rollback}, newest first
 * @param invocations invocations that ran or were rejected since this runtime started (all
 *     versions)
 * @param failures invocations with a non-OK outcome since this runtime started (all versions)
 * @param queueDepth invocations currently waiting
 * @param lastError the most recent failure reason, or null
 * @param settings the settings the active version runs with (descriptor, operator overrides and
 *     defaults combined), or null when no version could be loaded
 * @param keptVersions every version kept on disk, oldest first ({@code functions.retainedVersions}
 *     at most); any of them can be made active with {@link FunctionRuntime#activate}
 * @param schedule the function's scheduled trigger and its next run, or null when it has none
 */
public record FunctionInfo(
    String name,
    String version,
    RuntimeKind runtime,
    Lifecycle lifecycle,
    List<String> triggers,
    FunctionState state,
    List<String> previousVersions,
    long invocations,
    long failures,
    int queueDepth,
    String lastError,
    Settings settings,
    List<String> keptVersions,
    Schedule schedule) {

  /**
   * A function's scheduled trigger ({@code schedule} or {@code every} in its descriptor).
   *
   * @param cron the cron expression, or null
   * @param every the interval as written, e.g. {@code 10s}, or null
   * @param catchUp whether runs missed while the daemon was down are made up for at start
   * @param nextRun when it runs next, or null if never
   * @param lastRun the planned time of the last run since the daemon started, or null
   * @param runs scheduled runs since the daemon started (any outcome)
   * @param skipped runs skipped because the previous one had not finished or the queue was full
   */
  public record Schedule(
      String cron,
      String every,
      boolean catchUp,
      Instant nextRun,
      Instant lastRun,
      long runs,
      long skipped) {}

  /** This snapshot with {@code schedule}. */
  public FunctionInfo withSchedule(Schedule schedule) {
    return new FunctionInfo(
        name,
        version,
        runtime,
        lifecycle,
        triggers,
        state,
        previousVersions,
        invocations,
        failures,
        queueDepth,
        lastError,
        settings,
        keptVersions,
        schedule);
  }

  /**
   * Effective per-function settings, so an operator can see what a reload changed.
   *
   * @param timeoutMillis per-invocation timeout
   * @param maxConcurrency invocations running at once
   * @param maxQueued invocations waiting at most
   * @param overflow what a full queue does
   */
  public record Settings(
      long timeoutMillis, int maxConcurrency, int maxQueued, OverflowPolicy overflow) {}

  /** Copies lists. */
  public FunctionInfo {
    triggers = List.copyOf(triggers);
    previousVersions = List.copyOf(previousVersions);
    keptVersions = keptVersions == null ? List.of(version) : List.copyOf(keptVersions);
  }
}
