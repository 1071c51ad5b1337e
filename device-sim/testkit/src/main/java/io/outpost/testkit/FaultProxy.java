package io.outpost.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fault-injecting TCP proxy on 127.0.0.1 (ephemeral port) in front of a broker reachable over TCP
 * or a Unix socket: can refuse new connections (cloud down) and cut live ones (link dropping
 * mid-drain).
 */
public final class FaultProxy implements AutoCloseable {
  private static final long REFUSE_DELAY_MILLIS = 1000;
  private final SocketAddress target;
  private final ServerSocketChannel server;
  private final Thread acceptor;
  private final List<SocketChannel> open = new CopyOnWriteArrayList<>();
  private final List<Thread> pumps = new CopyOnWriteArrayList<>();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicLong cuts = new AtomicLong();
  private volatile boolean refusing;
  private volatile boolean closed;

  public FaultProxy(SocketAddress target) throws IOException {
    this.target = target;
    this.server = ServerSocketChannel.open();
    server.bind(new InetSocketAddress("127.0.0.1", 0));
    this.acceptor = new Thread(this::acceptLoop, "fault-proxy-accept");
    acceptor.start();
  }

  public static FaultProxy toTcp(int port) throws IOException {
    return new FaultProxy(new InetSocketAddress("127.0.0.1", port));
  }

  public int port() {
    return ((InetSocketAddress) server.socket().getLocalSocketAddress()).getPort();
  }

  public String url() {
    return "tcp://127.0.0.1:" + port();
  }

  /** While refusing, new connections are accepted and closed at once, like a cloud that is down. */
  public void refuse(boolean value) {
    refusing = value;
  }

  /** Closes every live connection (both directions). */
  public void cutAll() {
    cuts.incrementAndGet();
    for (SocketChannel channel : open) {
      closeQuietly(channel);
    }
    open.clear();
  }

  /** Connections accepted and forwarded so far. */
  public int connections() {
    return connections.get();
  }

  public long cuts() {
    return cuts.get();
  }

  private void acceptLoop() {
    while (!closed) {
      SocketChannel client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      if (refusing) {
        // Hold it, then close without a byte forwarded, like a cloud with no healthy backend.
        // Closing sooner (before
        // Paho 1.2.5 has started its receiver, sender and callback, ~300 ms) parks Paho's "MQTT
        // Con" thread forever
        // in Comms*.start — a Paho bug, see the sync-agent notes.
        open.add(client);
        Thread closer =
            new Thread(
                () -> {
                  try {
                    Thread.sleep(REFUSE_DELAY_MILLIS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  closeQuietly(client);
                  open.remove(client);
                  pumps.remove(Thread.currentThread());
                },
                "fault-proxy-refuse");
        start(closer);
        continue;
      }
      try {
        SocketChannel upstream =
            target instanceof UnixDomainSocketAddress
                ? SocketChannel.open(StandardProtocolFamily.UNIX)
                : SocketChannel.open();
        upstream.connect(target);
        client.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
        if (!(target instanceof UnixDomainSocketAddress)) {
          upstream.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
        }
        open.add(client);
        open.add(upstream);
        connections.incrementAndGet();
        int n = connections.get();
        start(new Thread(() -> pump(client, upstream), "fault-proxy-up-" + n));
        start(new Thread(() -> pump(upstream, client), "fault-proxy-down-" + n));
      } catch (IOException e) {
        closeQuietly(client);
      }
    }
  }

  private void start(Thread thread) {
    pumps.add(thread);
    thread.start();
  }

  private void pump(SocketChannel from, SocketChannel to) {
    ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    try {
      while (from.read(buffer) >= 0) {
        buffer.flip();
        while (buffer.hasRemaining()) {
          to.write(buffer);
        }
        buffer.clear();
      }
    } catch (IOException e) {
      // a cut or a peer closing: end this direction
    } finally {
      closeQuietly(from);
      closeQuietly(to);
      open.remove(from);
      open.remove(to);
      pumps.remove(Thread.currentThread());
    }
  }

  private static void closeQuietly(SocketChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() throws InterruptedException {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // already closed
    }
    cutAll();
    acceptor.join(5000);
    for (Thread pump : pumps) {
      pump.join(5000);
    }
  }
}
