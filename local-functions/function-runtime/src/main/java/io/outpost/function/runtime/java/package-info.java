/**
 * The Java runtime: handlers loaded from the function's JAR in a class loader that sees only the
 * function API.
 *
 * <p>Internal to the function runtime: public only so the runtime's packages can reach each other;
 * the daemon uses {@code io.outpost.function.runtime}.
 */
package io.outpost.function.runtime.java;
