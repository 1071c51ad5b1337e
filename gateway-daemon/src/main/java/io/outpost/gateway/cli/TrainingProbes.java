package io.outpost.gateway.cli;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * What the first minutes of a real daemon see, for {@link CdsTrainingCommand}: an HTTP readiness
 * probe and an MQTT 3.1.1 device publishing once at QoS 1. Spoken over plain sockets on purpose: a
 * client library would put its own classes into the class-data sharing archive, and every archived
 * class costs mapping and relocation time and resident memory at each start of the daemon, which
 * never loads them.
 */
final class TrainingProbes {

  static final Duration TIMEOUT = Duration.ofSeconds(10);

  private TrainingProbes() {}

  /** {@code GET path} with a bearer token; returns the status line. */
  static String httpGet(int port, String path, String token) throws IOException {
    try (Socket socket = connect(port)) {
      socket
          .getOutputStream()
          .write(
              ("GET "
                      + path
                      + " HTTP/1.1\r\nHost: 127.0.0.1:"
                      + port
                      + "\r\nAuthorization: Bearer "
                      + token
                      + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.UTF_8));
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int end = response.indexOf("\r\n");
      return end < 0 ? response : response.substring(0, end);
    }
  }

  /** CONNECT (clean session), PUBLISH at QoS 1 and wait for its PUBACK, DISCONNECT. */
  static void mqttPublishQos1(int port, String clientId, String topic, byte[] payload)
      throws IOException {
    try (Socket socket = connect(port)) {
      DataInputStream in = new DataInputStream(socket.getInputStream());
      ByteArrayOutputStream connect = new ByteArrayOutputStream();
      writeString(connect, "MQTT");
      connect.write(
          new byte[] {4, 2, 0, 60}); // protocol level 3.1.1, clean session, keep-alive 60 s
      writeString(connect, clientId);
      send(socket, 0x10, connect.toByteArray());
      expect(in, new byte[] {0x20, 2, 0, 0}, "CONNACK (accepted)");

      ByteArrayOutputStream publish = new ByteArrayOutputStream();
      writeString(publish, topic);
      publish.write(new byte[] {0, 1}); // packet identifier 1
      publish.write(payload);
      send(socket, 0x32, publish.toByteArray());
      expect(in, new byte[] {0x40, 2, 0, 1}, "PUBACK for packet 1");

      send(socket, 0xE0, new byte[0]);
    }
  }

  private static Socket connect(int port) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), (int) TIMEOUT.toMillis());
    socket.setSoTimeout((int) TIMEOUT.toMillis());
    return socket;
  }

  private static void writeString(ByteArrayOutputStream out, String s) throws IOException {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    out.write(bytes.length >> 8);
    out.write(bytes.length & 0xFF);
    out.write(bytes);
  }

  /** One packet: fixed header byte, remaining length (variable byte integer), body. */
  private static void send(Socket socket, int header, byte[] body) throws IOException {
    ByteArrayOutputStream packet = new ByteArrayOutputStream();
    packet.write(header);
    int length = body.length;
    do {
      int digit = length % 128;
      length /= 128;
      packet.write(length > 0 ? digit | 0x80 : digit);
    } while (length > 0);
    packet.write(body);
    socket.getOutputStream().write(packet.toByteArray());
    socket.getOutputStream().flush();
  }

  private static void expect(InputStream in, byte[] expected, String what) throws IOException {
    byte[] actual = new byte[expected.length];
    new DataInputStream(in).readFully(actual);
    if (!Arrays.equals(actual, expected)) {
      throw new IOException("expected " + what + ", got " + Arrays.toString(actual));
    }
  }
}
