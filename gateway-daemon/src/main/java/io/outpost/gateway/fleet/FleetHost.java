package io.outpost.gateway.fleet;

import io.outpost.cloud.CloudLink;
import io.outpost.function.runtime.FunctionRuntime;
import io.outpost.gateway.config.OutpostConfig;

/** What the fleet agent needs of the running daemon; the daemon's wiring implements it. */
public interface FleetHost {

  /** The local functions (deploy, rollback, remove, state). */
  FunctionRuntime functions();

  /** The configuration in force. */
  OutpostConfig config();

  /** The configuration as read from its file, without the fleet overlay. */
  OutpostConfig baseConfig();

  /**
   * Applies the live-reloadable sections of {@code next} (routes, function settings) as a reload
   * would.
   *
   * @throws IllegalArgumentException naming the key when the running set does not accept them
   */
  void applyConfig(OutpostConfig next);

  /** The cloud link the jobs and shadow topics ride on. */
  CloudLink cloud();

  /** Messages waiting in the spool for the cloud. */
  long spoolDepth();

  /** This daemon's version. */
  String version();
}
