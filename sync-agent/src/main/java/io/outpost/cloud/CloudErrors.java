package io.outpost.cloud;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * Says in plain words why a connection to the cloud failed — "connection refused", "TLS alert: bad
 * certificate", "not authorized" — for the status and the log. The text never carries a library's
 * exception message or class name: operators read it, and the cause chain stays in the DEBUG log.
 */
final class CloudErrors {
  private CloudErrors() {}

  /** The first cause in {@code error}'s chain this class can name, else a generic sentence. */
  static String describe(Throwable error) {
    for (Throwable t = Reconnector.unwrap(error); t != null; t = t.getCause()) {
      String named = name(t);
      if (named != null) {
        return named;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return "connection failed (unexpected error, details in the debug log)";
  }

  private static String name(Throwable t) {
    if (t instanceof Reconnector.StoppedException) {
      return "link stopped";
    }
    if (t instanceof io.github.resilience4j.circuitbreaker.CallNotPermittedException) {
      return "circuit open after repeated refusals; waiting before the next attempt";
    }
    if (t instanceof ConnectException) {
      return "connection refused";
    }
    if (t instanceof NoRouteToHostException) {
      return "host unreachable";
    }
    if (t instanceof UnknownHostException) {
      return "unknown host (DNS lookup failed)";
    }
    if (t instanceof SocketTimeoutException || t instanceof TimeoutException) {
      return "timed out";
    }
    if (t instanceof SSLHandshakeException || t instanceof SSLException) {
      return tls(t);
    }
    if (t instanceof CertificateException) {
      return "TLS: the cloud's certificate is not trusted";
    }
    if (t instanceof org.eclipse.paho.client.mqttv3.MqttException v3) {
      return mqtt3(v3.getReasonCode());
    }
    if (t instanceof org.eclipse.paho.mqttv5.common.MqttException v5) {
      return mqtt5(v5.getReasonCode());
    }
    if (t instanceof java.io.EOFException) {
      return "connection closed by the cloud";
    }
    return null;
  }

  /** TLS failures: the alert the peer sent, or what this side found wrong. */
  private static String tls(Throwable t) {
    String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
    int alert = m.indexOf("received fatal alert: ");
    if (alert >= 0) {
      String name = m.substring(alert + "received fatal alert: ".length()).trim().replace('_', ' ');
      return "TLS alert from the cloud: " + name.replaceAll("[^a-z0-9 ]", "");
    }
    if (m.contains("pkix") || m.contains("certification path") || m.contains("certificate")) {
      return "TLS: the cloud's certificate is not trusted";
    }
    if (m.contains("no subject alternative") || m.contains("hostname")) {
      return "TLS: the cloud's certificate does not name its host";
    }
    return "TLS handshake failed";
  }

  /** Paho 3 reason codes: CONNACK return codes 1-5 and Paho's own client-side codes. */
  static String mqtt3(int code) {
    return switch (code) {
      case 1 -> "refused: unacceptable protocol version";
      case 2 -> "refused: client id rejected";
      case 3 -> "refused: server unavailable";
      case 4 -> "not authorized: bad user name or password";
      case 5 -> "not authorized";
      case 32000 -> "timed out waiting for the cloud";
      case 32109, 32111 -> "connection lost";
      case 32100, 32110 -> null; // "already connected/connecting": look further down the chain
      default -> null;
    };
  }

  /** Paho 5 reason codes: CONNACK reason codes and Paho's own client-side codes. */
  static String mqtt5(int code) {
    return switch (code) {
      case 0x80 -> "refused: unspecified error";
      case 0x81 -> "refused: malformed packet";
      case 0x82 -> "refused: protocol error";
      case 0x83 -> "refused: implementation specific error";
      case 0x84 -> "refused: unsupported protocol version";
      case 0x85 -> "refused: client id not valid";
      case 0x86 -> "not authorized: bad user name or password";
      case 0x87 -> "not authorized";
      case 0x88 -> "refused: server unavailable";
      case 0x89 -> "refused: server busy";
      case 0x8A -> "refused: banned";
      case 0x8C -> "refused: bad authentication method";
      case 0x95 -> "refused: packet too large";
      case 0x97 -> "refused: quota exceeded";
      case 0x9C, 0x9D -> "refused: use another server";
      case 0x9F -> "refused: connection rate exceeded";
      case 32000 -> "timed out waiting for the cloud";
      case 32109, 32111 -> "connection lost";
      default -> null;
    };
  }
}
