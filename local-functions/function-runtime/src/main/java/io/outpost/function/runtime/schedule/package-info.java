/**
 * Scheduled triggers: a function's {@code schedule} (cron with seconds) or {@code every} (a fixed
 * interval) from its descriptor, armed on a timer and fired through the same invocation pipeline as
 * topic triggers.
 *
 * <p>Internal to the function runtime: public only so the runtime's packages can reach each other;
 * the daemon uses {@code io.outpost.function.runtime}.
 */
package io.outpost.function.runtime.schedule;
