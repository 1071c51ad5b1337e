package io.outpost.cloud;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A TLS front the way AWS IoT Core serves MQTT on port 443: mutual TLS (client certificate
 * required, issued by the given CA) and ALPN, where only {@code x-amzn-mqtt-ca} is accepted; a
 * client that offers no ALPN protocol is turned away after the handshake, as such a client would be
 * there. Accepted connections are piped in plain TCP to an MQTT broker ({@code backendPort} on
 * 127.0.0.1). Records the ALPN protocol each client negotiated.
 */
final class AlpnTlsFront implements AutoCloseable {
  static final String PROTOCOL = "x-amzn-mqtt-ca";

  private final SSLServerSocket server;
  private final int backendPort;
  private final Queue<String> negotiated = new ConcurrentLinkedQueue<>();
  private final Queue<Socket> open = new ConcurrentLinkedQueue<>();
  private final AtomicInteger threadCount = new AtomicInteger();
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          r -> new Thread(r, "alpn-front-" + threadCount.incrementAndGet()));

  AlpnTlsFront(Path serverCert, Path serverKey, Path clientCa, int backendPort) throws Exception {
    this.backendPort = backendPort;
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    List<Certificate> chain = PemTls.certificates(serverCert);
    keys.setKeyEntry(
        "server", PemTls.privateKey(serverKey), new char[0], chain.toArray(Certificate[]::new));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, new char[0]);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", PemTls.certificates(clientCa).get(0));
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    server = (SSLServerSocket) context.getServerSocketFactory().createServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    SSLParameters parameters = server.getSSLParameters();
    parameters.setNeedClientAuth(true);
    parameters.setApplicationProtocols(new String[] {PROTOCOL});
    server.setSSLParameters(parameters);
    threads.execute(this::accept);
  }

  /** {@code ssl://127.0.0.1:<port>}. */
  String url() {
    return "ssl://127.0.0.1:" + server.getLocalPort();
  }

  /**
   * The ALPN protocol of every completed handshake, in order; empty string where the client offered
   * none.
   */
  List<String> negotiated() {
    return List.copyOf(negotiated);
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        SSLSocket client = (SSLSocket) server.accept();
        open.add(client);
        threads.execute(() -> serve(client));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(SSLSocket client) {
    try {
      client.startHandshake();
      String protocol = client.getApplicationProtocol();
      negotiated.add(protocol == null ? "" : protocol);
      if (!PROTOCOL.equals(protocol)) {
        client.close();
        return;
      }
      Socket backend = new Socket(InetAddress.getLoopbackAddress(), backendPort);
      open.add(backend);
      threads.execute(() -> pipe(backend, client));
      pipe(client, backend);
    } catch (IOException e) {
      closeQuietly(client);
    }
  }

  private static void pipe(Socket from, Socket to) {
    byte[] buffer = new byte[16 << 10];
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // either side closed: close both below
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  @Override
  public void close() throws Exception {
    server.close();
    open.forEach(AlpnTlsFront::closeQuietly);
    threads.shutdownNow();
    if (!threads.awaitTermination(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("TLS front threads did not stop");
    }
  }
}
