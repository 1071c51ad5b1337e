/**
 * What a function package declares ({@code outpost-function.yaml}) and the settings it resolves to.
 *
 * <p>Internal to the function runtime: public only so the runtime's packages can reach each other;
 * the daemon uses {@code io.outpost.function.runtime}.
 */
package io.outpost.function.runtime.descriptor;
