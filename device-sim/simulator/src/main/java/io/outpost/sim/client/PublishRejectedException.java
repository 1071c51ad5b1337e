package io.outpost.sim.client;

/** The client refused a publish without sending anything (not connected, window full). */
public final class PublishRejectedException extends Exception {

  public PublishRejectedException(String message, Throwable cause) {
    super(message, cause);
  }
}
