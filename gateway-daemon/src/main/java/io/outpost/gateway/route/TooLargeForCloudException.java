package io.outpost.gateway.route;

/**
 * A message bigger than the cloud link could ever send: refused before any route spools it, so the
 * device gets a negative acknowledgement instead of an acknowledgement followed by a dead letter.
 * {@link GatewayRouter#rejection} turns it into the broker's reason code.
 */
final class TooLargeForCloudException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  TooLargeForCloudException(String reason) {
    super(reason, null, false, false);
  }
}
