package io.outpost.sim.support;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy in front of a real broker that parses the client-to-broker MQTT stream and, for every
 * connection, drops, duplicates or delays chosen PUBLISH packets (numbered 1.. per connection).
 * Delaying packet k sends it right after packet k+1: one out-of-order arrival. Broker-to-client
 * bytes pass unchanged. Use with QoS 0 so the client does not retransmit.
 */
public final class FaultInjectingProxy implements AutoCloseable {

  private static final int PUBLISH = 3;

  private final String upstreamHost;
  private final int upstreamPort;
  private final Set<Integer> drop;
  private final Set<Integer> duplicate;
  private final Set<Integer> delay;
  private final ServerSocket server;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private final AtomicInteger connections = new AtomicInteger();
  private volatile boolean closed;

  public FaultInjectingProxy(
      String upstreamHost,
      int upstreamPort,
      Set<Integer> drop,
      Set<Integer> duplicate,
      Set<Integer> delay)
      throws IOException {
    this.upstreamHost = upstreamHost;
    this.upstreamPort = upstreamPort;
    this.drop = Set.copyOf(drop);
    this.duplicate = Set.copyOf(duplicate);
    this.delay = Set.copyOf(delay);
    this.server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    start("proxy-accept", this::acceptLoop);
  }

  public String uri() {
    return "tcp://127.0.0.1:" + server.getLocalPort();
  }

  private void start(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket(upstreamHost, upstreamPort);
        sockets.add(client);
        sockets.add(upstream);
        int n = connections.incrementAndGet();
        start("proxy-up-" + n, () -> pump(client, upstream, true));
        start("proxy-down-" + n, () -> pump(upstream, client, false));
      } catch (IOException e) {
        if (!closed) {
          throw new IllegalStateException("proxy accept failed", e);
        }
      }
    }
  }

  private void pump(Socket from, Socket to, boolean inspect) {
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      if (!inspect) {
        in.transferTo(out);
        return;
      }
      DataInputStream data = new DataInputStream(in);
      int publishes = 0;
      byte[] held = null;
      while (true) {
        byte[] packet = readPacket(data);
        if (((packet[0] & 0xFF) >> 4) != PUBLISH) {
          out.write(packet);
          continue;
        }
        publishes++;
        if (drop.contains(publishes)) {
          continue;
        }
        if (delay.contains(publishes)) {
          held = packet;
          continue;
        }
        out.write(packet);
        if (duplicate.contains(publishes)) {
          out.write(packet);
        }
        if (held != null) {
          out.write(held);
          held = null;
        }
        out.flush();
      }
    } catch (EOFException | SocketException e) {
      // the connection ended (client disconnect or proxy close): closing both sides below
    } catch (IOException e) {
      if (!closed) {
        throw new IllegalStateException("proxy stream failed", e);
      }
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  /** Reads one whole MQTT control packet: fixed header, variable-length remaining length, body. */
  private static byte[] readPacket(DataInputStream in) throws IOException {
    List<Byte> header = new ArrayList<>();
    header.add(in.readByte());
    int remaining = 0;
    int multiplier = 1;
    byte b;
    do {
      b = in.readByte();
      header.add(b);
      remaining += (b & 0x7F) * multiplier;
      multiplier *= 128;
    } while ((b & 0x80) != 0);
    byte[] packet = new byte[header.size() + remaining];
    for (int i = 0; i < header.size(); i++) {
      packet[i] = header.get(i);
    }
    in.readFully(packet, header.size(), remaining);
    return packet;
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      throw new IllegalStateException("closing proxy socket failed", e);
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    closed = true;
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
    for (Thread t : threads) {
      t.join(5000);
    }
  }
}
