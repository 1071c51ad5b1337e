package io.outpost.broker.security;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Hand-built MQTT CONNECT packets with malformed and oversized client ids, user names, passwords
 * and wills, and a raw socket to send them. None carries a valid password, so none may be accepted.
 */
public final class ConnectFuzz {

  /** {@link #send} result for a CONNACK with return/reason code 0. */
  public static final int ACCEPTED = 0;

  /** {@link #send} result when the server closed the connection without CONNACK. */
  public static final int CLOSED = -1;

  private ConnectFuzz() {}

  public static List<byte[]> packets() {
    Random random = new Random(7);
    byte[] invalidUtf8 = {(byte) 0xc3, 0x28};
    byte[] nul = {'a', 0, 'b'};
    byte[] big = new byte[65_535];
    java.util.Arrays.fill(big, (byte) 'x');
    List<byte[]> out = new ArrayList<>();
    for (int version : new int[] {4, 5}) {
      out.add(connect(version, utf("c1"), utf("device-a"), utf("wrong"), null, null));
      out.add(connect(version, utf("c1"), invalidUtf8, utf("pw-a"), null, null));
      out.add(connect(version, utf("c1"), nul, utf("pw-a"), null, null));
      out.add(connect(version, utf("c1"), big, big, null, null));
      out.add(connect(version, big, utf("device-a"), utf("x"), null, null));
      out.add(connect(version, invalidUtf8, utf("device-a"), utf("x"), null, null));
      out.add(
          connect(version, utf("c1"), null, utf("pw-a"), null, null)); // password without user name
      out.add(
          connect(
              version, utf("c1"), utf("device-a"), utf("wrong"), utf("devices/#"), utf("will")));
      out.add(connect(version, utf("c1"), utf("device-a"), utf("wrong"), invalidUtf8, big));
      out.add(connect(version, utf("c1"), utf(""), new byte[0], null, null));
      byte[] junk = new byte[random.nextInt(200) + 1];
      random.nextBytes(junk);
      out.add(connect(version, junk, junk, junk, null, null));
      byte[] truncated = connect(version, utf("c1"), utf("device-a"), utf("pw-a"), null, null);
      out.add(
          java.util.Arrays.copyOf(
              truncated, truncated.length - 3)); // length field promises more than sent
    }
    return out;
  }

  /** Sends {@code packet} and returns the CONNACK code, or {@link #CLOSED}. */
  public static int send(int port, byte[] packet) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(20_000);
      s.getOutputStream().write(packet);
      s.getOutputStream().flush();
      s.shutdownOutput();
      InputStream in = s.getInputStream();
      int type = in.read();
      if (type != 0x20) {
        return CLOSED;
      }
      in.read(); // remaining length
      in.read(); // session present / flags
      int code = in.read();
      return code < 0 ? CLOSED : code;
    } catch (SocketException e) {
      return CLOSED; // reset by the broker
    }
  }

  public static String describe(byte[] packet) {
    return "CONNECT of "
        + packet.length
        + " bytes, version "
        + (packet.length > 8 ? packet[8] : -1);
  }

  private static byte[] utf(String s) {
    return s.getBytes(UTF_8);
  }

  private static byte[] connect(
      int version,
      byte[] clientId,
      byte[] user,
      byte[] password,
      byte[] willTopic,
      byte[] willPayload) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    field(body, utf("MQTT"));
    body.write(version);
    int flags = 0x02;
    if (willTopic != null) {
      flags |= 0x04 | 0x08; // will, QoS 1
    }
    if (user != null) {
      flags |= 0x80;
    }
    if (password != null) {
      flags |= 0x40;
    }
    body.write(flags);
    body.write(0);
    body.write(30);
    if (version == 5) {
      body.write(0); // no properties
    }
    field(body, clientId);
    if (willTopic != null) {
      if (version == 5) {
        body.write(0);
      }
      field(body, willTopic);
      field(body, willPayload);
    }
    if (user != null) {
      field(body, user);
    }
    if (password != null) {
      field(body, password);
    }
    ByteArrayOutputStream packet = new ByteArrayOutputStream();
    packet.write(0x10);
    int remaining = body.size();
    do {
      int b = remaining % 128;
      remaining /= 128;
      packet.write(remaining > 0 ? b | 0x80 : b);
    } while (remaining > 0);
    packet.writeBytes(body.toByteArray());
    return packet.toByteArray();
  }

  private static void field(ByteArrayOutputStream out, byte[] value) {
    int n = Math.min(value.length, 65_535);
    out.write(n >> 8);
    out.write(n & 0xff);
    out.write(value, 0, n);
  }
}
