package io.outpost.cloud;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * Makes the {@link CloudSocket}s Paho connects with, over plain or TLS sockets from another
 * factory, each with TCP_NODELAY (without it Nagle's algorithm holds small publishes back until the
 * previous segment is acknowledged, which caps a QoS 1 drain at a few thousand messages per second)
 * and a last adjustment, such as TLS parameters.
 */
final class CloudSocketFactory extends SocketFactory {

  /** A last adjustment of each new, unconnected socket. */
  @FunctionalInterface
  interface Tuning {
    void apply(Socket socket) throws IOException;
  }

  private final SocketFactory delegate;
  private final Tuning tuning;

  CloudSocketFactory(SocketFactory delegate, Tuning tuning) {
    this.delegate = delegate;
    this.tuning = tuning;
  }

  /** Plain TCP. */
  static CloudSocketFactory plain() {
    return new CloudSocketFactory(SocketFactory.getDefault(), socket -> {});
  }

  private Socket inner() throws IOException {
    Socket socket = delegate.createSocket();
    socket.setTcpNoDelay(true);
    tuning.apply(socket);
    return socket;
  }

  @Override
  public Socket createSocket() throws IOException {
    return new CloudSocket(inner());
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return connected(inner(), new InetSocketAddress(host, port), null);
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return connected(
        inner(), new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return connected(inner(), new InetSocketAddress(host, port), null);
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    return connected(
        inner(),
        new InetSocketAddress(address, port),
        new InetSocketAddress(localAddress, localPort));
  }

  private static Socket connected(Socket inner, InetSocketAddress remote, InetSocketAddress local)
      throws IOException {
    try {
      if (local != null) {
        inner.bind(local);
      }
      CloudSocket socket = new CloudSocket(inner);
      socket.connect(remote);
      return socket;
    } catch (IOException | RuntimeException e) {
      inner.close();
      throw e;
    }
  }
}
