package io.outpost.broker.security;

/**
 * The answer to a CONNECT: accepted with the client's identity and permissions, or refused with the
 * reason codes the broker sends back.
 *
 * @param result accepted or why not
 * @param identity who the client is (also for refusals, as far as known)
 * @param permissions what it may do; {@code null} unless accepted
 */
public record AuthOutcome(Result result, ClientIdentity identity, ClientPermissions permissions) {

  /** Accepted, or the reason for refusing, with the matching CONNACK codes. */
  public enum Result {
    ACCEPTED("accepted", 0x00, 0x00),
    /** Unknown user, wrong or missing password: MQTT 5 0x86, 3.1.1 0x04. */
    BAD_CREDENTIALS("bad-credentials", 0x86, 0x04),
    /**
     * Neither password nor certificate verified and anonymous access is off: MQTT 5 0x87, 3.1.1
     * 0x05.
     */
    ANONYMOUS_REFUSED("anonymous", 0x87, 0x05),
    /** The policy allows no connect, or no publish to the will topic: MQTT 5 0x87, 3.1.1 0x05. */
    NOT_AUTHORIZED("not-authorized", 0x87, 0x05),
    /**
     * Too many CONNECTs waiting for a password check: MQTT 5 0x89 server busy, 3.1.1 0x03 server
     * unavailable.
     */
    BUSY("busy", 0x89, 0x03);

    private final String key;
    private final int mqtt5;
    private final int mqtt3;

    Result(String key, int mqtt5, int mqtt3) {
      this.key = key;
      this.mqtt5 = mqtt5;
      this.mqtt3 = mqtt3;
    }

    /** Metric tag value. */
    public String key() {
      return key;
    }

    /** MQTT 5 CONNACK reason code. */
    public int mqtt5ReasonCode() {
      return mqtt5;
    }

    /** MQTT 3.1.1 CONNACK return code. */
    public int mqtt3ReturnCode() {
      return mqtt3;
    }
  }

  public boolean accepted() {
    return result == Result.ACCEPTED;
  }

  static AuthOutcome accepted(ClientIdentity id, ClientPermissions permissions) {
    return new AuthOutcome(Result.ACCEPTED, id, permissions);
  }

  static AuthOutcome refused(Result result, ClientIdentity id) {
    return new AuthOutcome(result, id, null);
  }
}
