package io.outpost.broker.security;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.vertx.core.http.ClientAuth;
import java.util.Locale;

/**
 * Whether a TLS listener asks devices for a client certificate: {@code none}, {@code request} or
 * {@code require}.
 */
public enum ClientAuthMode {
  /** No client certificate is asked for; devices authenticate with a password or not at all. */
  NONE(ClientAuth.NONE),
  /**
   * A certificate is asked for and, when sent, must chain to {@code caFile}; clients without one
   * may still connect.
   */
  REQUEST(ClientAuth.REQUEST),
  /**
   * Mutual TLS: the handshake fails unless the client presents a certificate chaining to {@code
   * caFile}.
   */
  REQUIRE(ClientAuth.REQUIRED);

  private final ClientAuth vertx;

  ClientAuthMode(ClientAuth vertx) {
    this.vertx = vertx;
  }

  /** The Vert.x equivalent. */
  public ClientAuth vertx() {
    return vertx;
  }

  /** The configuration spelling. */
  @JsonValue
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses the configuration spelling. */
  @JsonCreator
  public static ClientAuthMode fromKey(String key) {
    for (ClientAuthMode m : values()) {
      if (m.key().equals(key)) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "clientAuth: expected none, request or require but was '" + key + "'");
  }
}
