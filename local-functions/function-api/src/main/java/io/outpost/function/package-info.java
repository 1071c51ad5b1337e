/**
 * The Outpost local function API: everything a function author compiles against, and nothing else.
 *
 * <p>Implement {@link io.outpost.function.Handler}, put an {@code outpost-function.yaml} descriptor
 * at the root of the jar, and deploy it with {@code outpost functions deploy}. This artifact has no
 * dependencies so that it never conflicts with a function's own libraries; the runtime loads each
 * function in its own class loader that sees only this package and the JDK.
 */
package io.outpost.function;
