package io.outpost.spool;

/**
 * The spool could not make a message durable: writer queue full, disk full, I/O error or spool
 * closed. The message was not stored and must not be acknowledged to the device.
 */
public final class SpoolUnavailableException extends RuntimeException {
  public SpoolUnavailableException(String message) {
    super(message);
  }

  public SpoolUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
