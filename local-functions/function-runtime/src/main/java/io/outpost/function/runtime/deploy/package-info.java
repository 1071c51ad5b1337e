/**
 * Deploy, rollback, remove and reload: the package store on disk and the switch between versions.
 *
 * <p>Internal to the function runtime: public only so the runtime's packages can reach each other;
 * the daemon uses {@code io.outpost.function.runtime}.
 */
package io.outpost.function.runtime.deploy;
