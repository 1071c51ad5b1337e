package io.outpost.broker;

import io.outpost.broker.security.TlsOptions;

/**
 * One TCP listener of the broker. MQTT 3.1.1 and 5.0 clients share every listener.
 *
 * @param host interface to bind; default {@value #DEFAULT_HOST} (loopback: serving the network is
 *     an explicit decision, e.g. {@code 0.0.0.0})
 * @param port TCP port; default {@value #DEFAULT_PORT}; {@code 0} picks an ephemeral port (see
 *     {@link MqttBroker#boundPorts()})
 * @param tls TLS for this listener (PEM certificate, key, optional client CA and {@code
 *     clientAuth}); default none, plain TCP. See {@link TlsOptions}
 */
public record ListenerOptions(String host, Integer port, TlsOptions tls) {

  /** Default bind address: all interfaces, since devices connect over the local network. */
  public static final String DEFAULT_HOST = "127.0.0.1";

  /** Default port: the IANA MQTT port. */
  public static final int DEFAULT_PORT = 1883;

  /** Applies defaults and validates. */
  public ListenerOptions {
    host = host == null || host.isBlank() ? DEFAULT_HOST : host;
    port = port == null ? DEFAULT_PORT : port;
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port: must be 0-65535 but was " + port);
    }
  }

  /** A plain-TCP listener on {@code host:port}. */
  public static ListenerOptions of(String host, int port) {
    return new ListenerOptions(host, port, null);
  }

  /** A TLS listener on {@code host:port}. */
  public static ListenerOptions tls(String host, int port, TlsOptions tls) {
    return new ListenerOptions(host, port, tls);
  }
}
