package io.outpost.cloud;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.security.GeneralSecurityException;
import javax.net.SocketFactory;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * What Paho is given to reach the cloud: the server URL and the socket factory.
 *
 * <p>Paho always gets a {@code tcp://} URL and {@link CloudSocket}s: for {@code ssl://} they are
 * TLS sockets made complete here from the PEM files (see {@link PemTls}), with ALPN if configured,
 * host name verification (Paho's own default) and SNI, which the JDK takes from the host name Paho
 * connects to. Paho's SSL module is not used because Paho 1.2.5 gives every TLS socket a fresh
 * {@link SSLParameters} before its handshake (to set SNI and host name checking), which drops the
 * ALPN protocols, so a server never saw the {@code x-amzn-mqtt-ca} that AWS IoT Core's MQTT on port
 * 443 requires; and because a connection its TLS peer closes at once would leak Paho's connecting
 * thread (see {@link CloudSocket}).
 */
record CloudEndpoint(String pahoUrl, SocketFactory socketFactory) {

  private static final String SSL = "ssl://";

  /**
   * MQTT over TLS; Paho's default for {@code ssl://} without a port, where {@code tcp://} would
   * mean 1883.
   */
  static final int DEFAULT_TLS_PORT = 8883;

  static CloudEndpoint of(CloudOptions options) throws GeneralSecurityException, IOException {
    String url = options.url();
    if (!url.startsWith(SSL)) {
      return new CloudEndpoint(url, CloudSocketFactory.plain());
    }
    URI uri = URI.create(url);
    String hostAndPort =
        uri.getPort() >= 0 ? uri.getRawAuthority() : uri.getRawAuthority() + ":" + DEFAULT_TLS_PORT;
    return new CloudEndpoint(
        "tcp://" + hostAndPort,
        new CloudSocketFactory(PemTls.socketFactory(options.tls()), CloudEndpoint::verifyHostName));
  }

  private static void verifyHostName(Socket socket) {
    if (socket instanceof SSLSocket tls) {
      SSLParameters parameters = tls.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      tls.setSSLParameters(parameters);
    }
  }
}
