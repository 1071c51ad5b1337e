/**
 * Per-function logs on disk: one bounded, rotated log per function, written by one named thread
 * ({@link io.outpost.function.runtime.logs.FunctionLogStore}), read and followed through {@link
 * io.outpost.function.runtime.FunctionLogs}.
 *
 * <p>Internal to the function runtime: public only so the runtime's packages can reach each other;
 * the daemon uses {@code io.outpost.function.runtime}.
 */
package io.outpost.function.runtime.logs;
