package io.outpost.gateway.fleet;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A local HTTP server for artifacts, with {@code Range} support as S3 has: serves byte arrays by
 * path. A path can be set to break off its first response half-way, as a link loss would, and the
 * responses can be held until the test releases them, as a slow download would.
 */
public final class ArtifactServer implements AutoCloseable {

  private final HttpServer server;
  private final ExecutorService executor =
      Executors.newFixedThreadPool(
          4,
          r -> {
            Thread t = new Thread(r, "artifact-server");
            t.setDaemon(true);
            return t;
          });
  private final Map<String, byte[]> files = new ConcurrentHashMap<>();
  private final Map<String, Boolean> breakOnce = new ConcurrentHashMap<>();

  /** The Range headers received, in order (null for a request without one). */
  public final List<String> ranges = new CopyOnWriteArrayList<>();

  /** Every response waits for it before its headers; open unless {@link #hold} closed it. */
  private volatile CountDownLatch gate = new CountDownLatch(0);

  public ArtifactServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(executor);
    server.createContext("/", this::serve);
    server.start();
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + path;
  }

  public void put(String path, byte[] body) {
    files.put("/" + path, body);
  }

  public void breakFirstResponse(String path) {
    breakOnce.put("/" + path, true);
  }

  /**
   * Holds every response from now on before its headers, until {@link #release}: the request is
   * recorded in {@link #ranges} on arrival, so the test sees the download under way.
   */
  public void hold() {
    gate = new CountDownLatch(1);
  }

  /** Lets the held responses, and every later one, go. */
  public void release() {
    gate.countDown();
  }

  private void serve(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      byte[] body = files.get(path);
      String range = exchange.getRequestHeaders().getFirst("Range");
      ranges.add(range);
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (body == null) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      int from = 0;
      if (range != null && range.startsWith("bytes=") && range.endsWith("-")) {
        from = Integer.parseInt(range.substring(6, range.length() - 1));
        if (from >= body.length) {
          exchange.sendResponseHeaders(416, -1);
          return;
        }
        exchange
            .getResponseHeaders()
            .add("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
        exchange.sendResponseHeaders(206, body.length - from);
      } else {
        exchange.sendResponseHeaders(200, body.length);
      }
      OutputStream out = exchange.getResponseBody();
      if (breakOnce.remove(path) != null) {
        out.write(body, from, (body.length - from) / 2);
        out.flush();
        exchange
            .getHttpContext()
            .getServer(); // the exchange closes short: the client sees the body end early
        return;
      }
      out.write(body, from, body.length - from);
    }
  }

  @Override
  public void close() {
    release();
    server.stop(0);
    executor.shutdownNow();
  }
}
