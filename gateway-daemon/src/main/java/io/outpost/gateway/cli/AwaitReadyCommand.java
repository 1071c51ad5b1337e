package io.outpost.gateway.cli;

import io.outpost.broker.ListenerOptions;
import io.outpost.gateway.ExitCodes;
import io.outpost.gateway.admin.AdminToken;
import io.outpost.gateway.config.AdminConfig;
import io.outpost.gateway.config.OutpostConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code outpost await-ready}: waits until a running daemon reports ready, for systemd's {@code
 * ExecStartPost=}.
 *
 * <p>Java cannot send {@code sd_notify} datagrams without native code, so the unit uses {@code
 * Type=exec} and this command blocks its start job until {@code GET /health/ready} on the
 * configured admin address answers 200. It sends the admin bearer token from the configured token
 * file, which the daemon creates at its first start, so a missing token file only means "not ready
 * yet". With the admin API disabled it waits for the first broker listener to accept TCP
 * connections instead. Exit 0 when ready, 69 (EX_UNAVAILABLE) on timeout, 78 when the configuration
 * is invalid.
 */
@Command(
    name = "await-ready",
    mixinStandardHelpOptions = true,
    description =
        "Wait until the daemon configured by --config is ready (admin /health/ready answers 200). "
            + "Exit 0 when ready, 69 on timeout, 78 on an invalid configuration.")
final class AwaitReadyCommand implements Callable<Integer> {

  static final long DEFAULT_TIMEOUT_SECONDS = 90;
  static final Duration POLL_INTERVAL = Duration.ofMillis(250);
  static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(2);

  @Mixin ConfigOption config;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "" + DEFAULT_TIMEOUT_SECONDS,
      description = "Give up after this many seconds (default ${DEFAULT-VALUE}).")
  long timeoutSeconds;

  @Override
  public Integer call() throws InterruptedException {
    Optional<OutpostConfig> maybeLoaded = config.loadOrReport();
    if (maybeLoaded.isEmpty()) {
      return ExitCodes.CONFIG;
    }
    OutpostConfig loaded = maybeLoaded.get();
    Probe probe = probeFor(loaded);
    if (probe == null) {
      System.out.println("outpost: readiness not checked: admin API disabled and broker port is 0");
      return ExitCodes.OK;
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (true) {
      Duration left = Duration.ofNanos(Math.max(deadline - System.nanoTime(), 0));
      String last =
          probe.attempt(left.compareTo(ATTEMPT_TIMEOUT) < 0 ? left.plusMillis(1) : ATTEMPT_TIMEOUT);
      if (last == null) {
        System.out.println("outpost: ready (" + probe.target() + ")");
        return ExitCodes.OK;
      }
      if (System.nanoTime() + POLL_INTERVAL.toNanos() > deadline) {
        System.err.println(
            "outpost: not ready after " + timeoutSeconds + " s (" + probe.target() + "): " + last);
        return ExitCodes.UNAVAILABLE;
      }
      Thread.sleep(POLL_INTERVAL.toMillis());
    }
  }

  private static Probe probeFor(OutpostConfig loaded) {
    AdminConfig admin = loaded.admin();
    if (admin.enabled() && admin.port() > 0) {
      return new HttpProbe(
          URI.create(
              "http://"
                  + uriHost(loopbackFor(admin.host()))
                  + ":"
                  + admin.port()
                  + "/health/ready"),
          admin.tokenPath(loaded.dataDir()));
    }
    ListenerOptions listener = loaded.broker().listeners().get(0);
    if (listener.port() > 0) {
      return new TcpProbe(loopbackFor(listener.host()), listener.port());
    }
    return null;
  }

  /** A wildcard bind address is reached through loopback. */
  static String loopbackFor(String host) {
    return switch (host) {
      case "0.0.0.0", "" -> "127.0.0.1";
      case "::", "[::]" -> "::1";
      default -> host;
    };
  }

  private static String uriHost(String host) {
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  /** One readiness check; {@link #attempt} returns null when ready, otherwise why not. */
  private interface Probe {
    String attempt(Duration timeout) throws InterruptedException;

    String target();
  }

  private record HttpProbe(URI uri, Path tokenFile, HttpClient client) implements Probe {
    HttpProbe(URI uri, Path tokenFile) {
      this(uri, tokenFile, HttpClient.newBuilder().connectTimeout(ATTEMPT_TIMEOUT).build());
    }

    @Override
    public String attempt(Duration timeout) throws InterruptedException {
      String token;
      try {
        token = AdminToken.read(tokenFile);
      } catch (IOException e) {
        return "admin token " + tokenFile + " not readable (yet): " + e;
      }
      HttpRequest request =
          HttpRequest.newBuilder(uri)
              .timeout(timeout)
              .header("Authorization", "Bearer " + token)
              .GET()
              .build();
      try {
        int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        return status == 200
            ? null
            : "HTTP " + status + (status == 401 ? " (token " + tokenFile + " refused)" : "");
      } catch (IOException e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
      }
    }

    @Override
    public String target() {
      return uri.toString();
    }
  }

  private record TcpProbe(String host, int port) implements Probe {
    @Override
    public String attempt(Duration timeout) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(host, port), (int) Math.max(timeout.toMillis(), 1));
        return null;
      } catch (IOException e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
      }
    }

    @Override
    public String target() {
      return "mqtt://" + uriHost(host) + ":" + port;
    }
  }
}
