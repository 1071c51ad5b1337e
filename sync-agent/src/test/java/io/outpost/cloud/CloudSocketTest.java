package io.outpost.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.SocketFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The sockets the cloud link hands Paho, over real loopback connections: TCP_NODELAY, and reads
 * that take in every packet that has arrived with one call on the socket, read the way Paho's
 * receiver reads (type byte, length byte, rest; {@code available()} before each packet).
 */
@Timeout(30)
class CloudSocketTest {
  /** Five MQTT PUBACKs (ids 1..5, 4 bytes each), as a broker sends them back to back. */
  private static final byte[] PUBACKS = {
    0x40, 2, 0, 1, 0x40, 2, 0, 2, 0x40, 2, 0, 3, 0x40, 2, 0, 4, 0x40, 2, 0, 5
  };

  /** Counts the calls that reach the socket's own stream: each one is a system call. */
  private static final class Counted extends SocketFactory {
    final AtomicInteger reads = new AtomicInteger();
    final AtomicInteger availables = new AtomicInteger();

    @Override
    public Socket createSocket() {
      return new Socket() {
        @Override
        public InputStream getInputStream() throws IOException {
          return new FilterInputStream(super.getInputStream()) {
            @Override
            public int read() throws IOException {
              reads.incrementAndGet();
              return super.read();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
              reads.incrementAndGet();
              return super.read(b, off, len);
            }

            @Override
            public int available() throws IOException {
              availables.incrementAndGet();
              return super.available();
            }
          };
        }
      };
    }

    @Override
    public Socket createSocket(String host, int port) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress local, int localPort) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Socket createSocket(InetAddress host, int port) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Socket createSocket(InetAddress host, int port, InetAddress local, int localPort) {
      throw new UnsupportedOperationException();
    }
  }

  private static ServerSocket server() throws IOException {
    return new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
  }

  /**
   * Connects the way Paho's TCP module does: an unconnected socket, then connect with a timeout.
   */
  private static Socket connect(SocketFactory factory, ServerSocket server) throws IOException {
    Socket socket = factory.createSocket();
    socket.connect(new InetSocketAddress(server.getInetAddress(), server.getLocalPort()), 10_000);
    return socket;
  }

  @Test
  void plainSocketsSendWithoutNagleDelay() throws Exception {
    try (ServerSocket server = server();
        Socket socket = connect(CloudSocketFactory.plain(), server);
        Socket accepted = server.accept()) {
      assertThat(socket).isInstanceOf(CloudSocket.class);
      assertThat(socket.getTcpNoDelay()).isTrue();
      socket.getOutputStream().write(PUBACKS);
      assertThat(accepted.getInputStream().readNBytes(PUBACKS.length)).isEqualTo(PUBACKS);
    }
  }

  @Test
  void packetsThatArrivedTogetherAreReadWithOneCallOnTheSocket() throws Exception {
    Counted counted = new Counted();
    try (ServerSocket server = server();
        Socket socket = connect(new CloudSocketFactory(counted, s -> {}), server);
        Socket accepted = server.accept()) {
      assertThat(socket.getTcpNoDelay()).isTrue();
      accepted.getOutputStream().write(PUBACKS);
      InputStream in = socket.getInputStream();
      byte[] rest = new byte[2];
      for (int id = 1; id <= 5; id++) {
        if (id > 1) {
          assertThat(in.available()).isEqualTo(PUBACKS.length - 4 * (id - 1));
        }
        assertThat(in.read()).isEqualTo(0x40);
        assertThat(in.read()).isEqualTo(2);
        assertThat(in.read(rest, 0, 2)).isEqualTo(2);
        assertThat(rest[1]).isEqualTo((byte) id);
      }
      // the first read may find only part of the write on a busy machine; never one per byte
      assertThat(counted.reads.get()).isBetween(1, 2);
      assertThat(counted.availables.get()).isLessThanOrEqualTo(1);
    }
  }

  @Test
  void aReadThatTimesOutLosesNothing() throws Exception {
    try (ServerSocket server = server();
        Socket socket = connect(CloudSocketFactory.plain(), server);
        Socket accepted = server.accept()) {
      socket.setSoTimeout(100);
      InputStream in = socket.getInputStream();
      assertThatThrownBy(in::read).isInstanceOf(SocketTimeoutException.class);
      OutputStream out = accepted.getOutputStream();
      out.write(PUBACKS, 0, 6);
      out.flush();
      assertThat(in.read()).isEqualTo(0x40);
      assertThat(in.read()).isEqualTo(2);
      byte[] rest = new byte[2];
      assertThat(in.readNBytes(rest, 0, 2)).isEqualTo(2);
      assertThat(in.read()).isEqualTo(0x40);
      assertThat(in.read()).isEqualTo(2);
      assertThatThrownBy(in::read).isInstanceOf(SocketTimeoutException.class);
      out.write(PUBACKS, 6, 2);
      out.flush();
      assertThat(in.readNBytes(rest, 0, 2)).isEqualTo(2);
      assertThat(rest).containsExactly(0, 2);
    }
  }
}
