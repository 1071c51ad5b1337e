/**
 * The process runtime: a child process per function speaking the JSON line protocol on
 * stdin/stdout.
 *
 * <p>Internal to the function runtime: public only so the runtime's packages can reach each other;
 * the daemon uses {@code io.outpost.function.runtime}.
 */
package io.outpost.function.runtime.process;
