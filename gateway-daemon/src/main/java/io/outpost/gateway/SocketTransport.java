package io.outpost.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which socket transport the daemon's Vert.x runs on ({@code broker.nativeTransport}): Linux epoll
 * through Netty's native library, or Java NIO. Logged once at start, shown in {@code outpost
 * status}.
 */
final class SocketTransport {

  private static final Logger LOG = LoggerFactory.getLogger(SocketTransport.class);

  private SocketTransport() {}

  /** Vert.x options asking for the native transport when {@code preferNative}. */
  static VertxOptions options(boolean preferNative) {
    return new VertxOptions().setPreferNativeTransport(preferNative);
  }

  /**
   * The transport {@code vertx} got ({@code epoll} or {@code nio}); logs it and, if so, why NIO.
   */
  static String inUse(Vertx vertx, boolean preferNative) {
    if (vertx.isNativeTransportEnabled()) {
      LOG.info("sockets: native transport (epoll)");
      return "epoll";
    }
    if (preferNative) {
      Throwable cause = vertx.unavailableNativeTransportCause();
      LOG.info(
          "sockets: Java NIO, the native transport did not load ({})",
          cause == null ? "no native library for this platform" : cause.getMessage());
    } else {
      LOG.info("sockets: Java NIO (broker.nativeTransport: false)");
    }
    return "nio";
  }
}
