/**
 * Invocation machinery shared by every runtime: per-function slots, bounded queues and workers,
 * timeouts, BROKEN detection and error records.
 *
 * <p>Internal to the function runtime: public only so the runtime's packages can reach each other;
 * the daemon uses {@code io.outpost.function.runtime}.
 */
package io.outpost.function.runtime.invoke;
