package io.outpost.cloud;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;

/**
 * The socket Paho's TCP module is given for every cloud connection: a plain or TLS socket (see
 * {@link CloudEndpoint}) with three things Paho 1.2.5 gets wrong done here.
 *
 * <ul>
 *   <li>Reads are buffered: Paho's receiver reads the socket unbuffered, one call for a packet's
 *       type byte, one per byte of its length and one for the rest, after asking how much is
 *       available, so every 4-byte PUBACK of a drain cost four system calls on the thread that
 *       paces the drain. Through the buffer, one read takes in every PUBACK that has arrived, and
 *       {@code available()} answers from it while it holds any.
 *   <li>TLS: {@link #connect} completes the handshake within the connect timeout, with the
 *       parameters the socket was made with (ALPN, host name verification), before Paho sends
 *       anything.
 *   <li>Early failures: Paho starts its receiver thread and then polls every 100 ms, forever and
 *       ignoring interrupts, until it has seen the receiver running. A server that closes the
 *       connection right after accepting it (a TLS endpoint refusing the device certificate after a
 *       TLS 1.3 handshake, or an endpoint that wants another ALPN protocol) ends the receiver
 *       before the first poll, and the connecting thread never ends: one thread leaked per attempt,
 *       for as long as the link retries. So until the first byte arrives (the CONNACK, which Paho
 *       can only get after its receiver was seen running, since it sends CONNECT after that), a
 *       read that fails within {@link #EARLY_FAILURE_HOLD} of connecting waits until then before it
 *       reports the failure. A connection lost after the CONNACK is reported at once.
 * </ul>
 *
 * Paho calls only {@code connect}, {@code setSoTimeout}, {@code getInputStream}, {@code
 * getOutputStream}, {@code shutdownInput} and {@code close} on it; the rest of {@link Socket} is
 * passed through where it is cheap.
 */
final class CloudSocket extends Socket {
  /** Longer than several of Paho's 100 ms polls, even on a loaded machine. */
  static final long EARLY_FAILURE_HOLD = TimeUnit.SECONDS.toNanos(1);

  private final Socket socket;
  private volatile long connectedAtNanos;

  /** Whether any byte was read: from then on failures are reported at once. */
  private volatile boolean received;

  private InputStream input;

  CloudSocket(Socket socket) {
    this.socket = socket;
  }

  @Override
  public void connect(SocketAddress endpoint) throws IOException {
    connect(endpoint, 0);
  }

  @Override
  public void connect(SocketAddress endpoint, int timeoutMillis) throws IOException {
    socket.connect(endpoint, timeoutMillis);
    if (socket instanceof SSLSocket tls) {
      int readTimeout = socket.getSoTimeout();
      socket.setSoTimeout(timeoutMillis);
      try {
        tls.startHandshake();
      } finally {
        if (!socket.isClosed()) {
          socket.setSoTimeout(readTimeout);
        }
      }
    }
    connectedAtNanos = System.nanoTime();
  }

  @Override
  public synchronized InputStream getInputStream() throws IOException {
    if (input == null) {
      input = new HoldingInputStream(new ReadBuffer(socket.getInputStream()));
    }
    return input;
  }

  @Override
  public OutputStream getOutputStream() throws IOException {
    return socket.getOutputStream();
  }

  @Override
  @SuppressWarnings(
      "UnsynchronizedOverridesSynchronized") // delegates; the wrapped socket synchronizes
  public void setSoTimeout(int timeout) throws SocketException {
    socket.setSoTimeout(timeout);
  }

  @Override
  @SuppressWarnings(
      "UnsynchronizedOverridesSynchronized") // delegates; the wrapped socket synchronizes
  public int getSoTimeout() throws SocketException {
    return socket.getSoTimeout();
  }

  @Override
  public void setTcpNoDelay(boolean on) throws SocketException {
    socket.setTcpNoDelay(on);
  }

  @Override
  public boolean getTcpNoDelay() throws SocketException {
    return socket.getTcpNoDelay();
  }

  @Override
  public void shutdownInput() throws IOException {
    socket.shutdownInput();
  }

  @Override
  public void shutdownOutput() throws IOException {
    socket.shutdownOutput();
  }

  @Override
  @SuppressWarnings(
      "UnsynchronizedOverridesSynchronized") // delegates; the wrapped socket synchronizes
  public void close() throws IOException {
    socket.close();
  }

  @Override
  public boolean isConnected() {
    return socket.isConnected();
  }

  @Override
  public boolean isClosed() {
    return socket.isClosed();
  }

  @Override
  public InetAddress getInetAddress() {
    return socket.getInetAddress();
  }

  @Override
  public int getPort() {
    return socket.getPort();
  }

  @Override
  public int getLocalPort() {
    return socket.getLocalPort();
  }

  @Override
  public SocketAddress getRemoteSocketAddress() {
    return socket.getRemoteSocketAddress();
  }

  @Override
  public SocketAddress getLocalSocketAddress() {
    return socket.getLocalSocketAddress();
  }

  @Override
  public String toString() {
    return socket.toString();
  }

  /**
   * Buffers reads and answers {@code available()} from the buffer while it holds bytes, without
   * asking the kernel (Paho asks before every packet). A read that times out leaves the buffer as
   * it was, so Paho's timed polls lose nothing.
   */
  static final class ReadBuffer extends BufferedInputStream {
    /** Larger than a burst of PUBACKs, smaller than the socket's receive buffer. */
    static final int SIZE = 16 * 1024;

    ReadBuffer(InputStream in) {
      super(in, SIZE);
    }

    @Override
    public synchronized int available() throws IOException {
      return buf != null && count > pos ? count - pos : super.available();
    }
  }

  /** Holds back an end of stream or a read failure that comes within the hold after connecting. */
  private final class HoldingInputStream extends FilterInputStream {
    /** For {@link #read()}: Paho's receiver is the only reader. */
    private final byte[] one = new byte[1];

    HoldingInputStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n;
      try {
        n = super.read(buffer, offset, length);
      } catch (SocketTimeoutException e) {
        throw e; // Paho's read loop polls with a timeout: not a failure
      } catch (IOException e) {
        hold();
        throw e;
      }
      if (n < 0) {
        hold();
      } else if (n > 0) {
        received = true;
      }
      return n;
    }

    private void hold() throws InterruptedIOException {
      long remaining = connectedAtNanos + EARLY_FAILURE_HOLD - System.nanoTime();
      if (!received && remaining > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(remaining);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException(
              "interrupted while holding back an early connection failure");
        }
      }
    }
  }
}
