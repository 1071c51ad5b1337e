/**
 * The wasm runtime: WebAssembly modules (WASI preview 1) run inside the daemon on Chicory, bounded
 * by a memory-page limit and the invocation deadline.
 *
 * <p>Internal to the function runtime: public only so the runtime's packages can reach each other;
 * the daemon uses {@code io.outpost.function.runtime}.
 */
package io.outpost.function.runtime.wasm;
