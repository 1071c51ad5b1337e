package io.outpost.gateway;

/**
 * Process exit codes, following BSD {@code sysexits.h} so scripts and systemd can tell failures
 * apart.
 */
public final class ExitCodes {

  public static final int OK = 0;

  /** EX_USAGE: bad command line. */
  public static final int USAGE = 64;

  /**
   * EX_DATAERR: what the user handed in is unusable (a function package or descriptor, a request
   * the daemon refused as invalid).
   */
  public static final int DATA_ERR = 65;

  /** EX_NOINPUT-style: the thing asked for (client, function, dead letter) does not exist. */
  public static final int NOT_FOUND = 66;

  /** EX_UNAVAILABLE: a listener could not be bound or a required service did not start. */
  public static final int UNAVAILABLE = 69;

  /** EX_SOFTWARE: an internal error. */
  public static final int SOFTWARE = 70;

  /** EX_CANTCREAT: the data directory is missing or not writable. */
  public static final int CANT_CREATE = 73;

  /** EX_NOPERM: the admin token could not be read or was refused. */
  public static final int NO_PERMISSION = 77;

  /** EX_CONFIG: the configuration is invalid or unreadable. */
  public static final int CONFIG = 78;

  private ExitCodes() {}
}
