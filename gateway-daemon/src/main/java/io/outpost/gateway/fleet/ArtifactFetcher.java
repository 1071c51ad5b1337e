package io.outpost.gateway.fleet;

import io.outpost.gateway.config.FleetOptions;
import io.outpost.gateway.fleet.DeploymentDocument.FunctionSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Downloads deployment artifacts into {@code <data>/fleet/artifacts}, named by their sha256: over
 * HTTP(S) with the JDK's client (resuming a partial file with a {@code Range} request) or from
 * {@code file://}. Bounded per artifact and in total disk use; verified by sha256 and, when trust
 * anchors are configured, by signature. Blocking: runs on the fleet worker thread only.
 */
final class ArtifactFetcher {

  private static final int ATTEMPTS = 3;
  private static final String PART = ".part";
  private static final String DONE = ".pkg";

  private final Path dir;
  private final FleetOptions options;
  private final Signatures signatures;
  private final FleetMetrics metrics;
  private final HttpClient http;

  ArtifactFetcher(
      Path dir,
      FleetOptions options,
      Signatures signatures,
      FleetMetrics metrics,
      HttpClient http) {
    this.dir = dir;
    this.options = options;
    this.signatures = signatures;
    this.metrics = metrics;
    this.http = http;
  }

  /** The verified package file for {@code spec}, downloading what is missing. */
  Path fetch(FunctionSpec spec, Set<String> keep) throws StepFailure, InterruptedException {
    Path done = dir.resolve(spec.sha256() + DONE);
    Path part = dir.resolve(spec.sha256() + PART);
    try {
      Files.createDirectories(dir);
      if (!Files.isRegularFile(done)) {
        if (spec.size() > options.maxArtifactBytes()) {
          throw refused(
              "too-large",
              spec.name()
                  + ": artifact of "
                  + spec.size()
                  + " bytes exceeds fleet.maxArtifactBytes ("
                  + options.maxArtifactBytes()
                  + ")");
        }
        makeRoom(Math.max(spec.size(), 0), keep);
        download(spec, part);
        verifyDigest(spec, part);
        Files.move(part, done, StandardCopyOption.ATOMIC_MOVE);
      }
      verifySignature(spec, done);
      return done;
    } catch (IOException e) {
      throw new StepFailure("download", spec.name() + ": " + describe(e));
    }
  }

  /** Bytes the artifacts take now. */
  long diskBytes() {
    try (Stream<Path> files = Files.list(dir)) {
      return files.mapToLong(ArtifactFetcher::size).sum();
    } catch (IOException e) {
      return 0;
    }
  }

  private void download(FunctionSpec spec, Path part)
      throws IOException, StepFailure, InterruptedException {
    URI uri = URI.create(spec.url());
    if ("file".equals(uri.getScheme())) {
      try (InputStream in = Files.newInputStream(Path.of(uri));
          OutputStream out = Files.newOutputStream(part)) {
        copy(spec, in, out, 0);
      }
      return;
    }
    IOException last = null;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      long have = Files.isRegularFile(part) ? Files.size(part) : 0;
      HttpRequest.Builder request =
          HttpRequest.newBuilder(uri)
              .timeout(Duration.ofSeconds(options.downloadTimeoutSeconds()))
              .GET();
      if (have > 0) {
        request.header("Range", "bytes=" + have + "-");
      }
      try {
        HttpResponse<InputStream> response =
            http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
          int status = response.statusCode();
          if (status == 416 && have > 0) {
            return; // the part is already complete; the digest decides
          }
          if (status != 200 && status != 206) {
            throw new StepFailure(
                "download", spec.name() + ": HTTP status " + status + " from the artifact URL");
          }
          boolean append = status == 206;
          try (OutputStream out =
              Files.newOutputStream(
                  part,
                  StandardOpenOption.CREATE,
                  StandardOpenOption.WRITE,
                  append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            copy(spec, in, out, append ? have : 0);
          }
          return;
        }
      } catch (IOException e) {
        last = e; // resume from what arrived
      }
    }
    throw last;
  }

  private void copy(FunctionSpec spec, InputStream in, OutputStream out, long already)
      throws IOException, StepFailure {
    byte[] buffer = new byte[64 * 1024];
    long total = already;
    for (int n; (n = in.read(buffer)) > 0; ) {
      total += n;
      if (total > options.maxArtifactBytes()) {
        throw refused(
            "too-large",
            spec.name()
                + ": artifact exceeds fleet.maxArtifactBytes ("
                + options.maxArtifactBytes()
                + ")");
      }
      out.write(buffer, 0, n);
      metrics.downloadedBytes.increment(n);
    }
  }

  /**
   * Evicts unneeded artifacts, oldest first, until {@code needed} more bytes fit within
   * fleet.maxDiskBytes.
   */
  private void makeRoom(long needed, Set<String> keep) throws IOException, StepFailure {
    List<Path> evictable;
    try (Stream<Path> files = Files.list(dir)) {
      evictable =
          files
              .filter(p -> keep.stream().noneMatch(k -> p.getFileName().toString().startsWith(k)))
              .sorted(Comparator.comparingLong(ArtifactFetcher::modified))
              .toList();
    }
    for (Path p : evictable) {
      if (diskBytes() + needed <= options.maxDiskBytes()) {
        break;
      }
      Files.deleteIfExists(p);
    }
    if (diskBytes() + needed > options.maxDiskBytes()) {
      throw refused(
          "disk-full",
          "artifacts would exceed fleet.maxDiskBytes (" + options.maxDiskBytes() + ")");
    }
  }

  private void verifyDigest(FunctionSpec spec, Path part) throws IOException, StepFailure {
    String actual = sha256(part);
    if (!actual.equalsIgnoreCase(spec.sha256())) {
      Files.deleteIfExists(part);
      throw refused(
          "sha256",
          spec.name() + ": sha256 mismatch (expected " + spec.sha256() + ", got " + actual + ")");
    }
  }

  private void verifySignature(FunctionSpec spec, Path file) throws IOException, StepFailure {
    if (!signatures.required()) {
      return;
    }
    if (spec.signature() == null) {
      throw refused(
          "unsigned", spec.name() + ": artifact is unsigned and fleet.trustAnchors are configured");
    }
    if (!signatures.verify(file, Base64.getDecoder().decode(spec.signature()))) {
      throw refused(
          "signature", spec.name() + ": signature not verified by any of fleet.trustAnchors");
    }
  }

  private StepFailure refused(String reason, String message) {
    metrics.refused(reason);
    return new StepFailure("download", message);
  }

  static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[64 * 1024];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return 0;
    }
  }

  private static long modified(Path p) {
    try {
      return Files.getLastModifiedTime(p).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }

  private static String describe(IOException e) {
    String m = e.getMessage();
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file " + m;
    }
    if (e instanceof java.net.ConnectException || e instanceof java.net.http.HttpTimeoutException) {
      return "artifact server unreachable";
    }
    return m == null ? "download failed" : "download failed: " + m;
  }
}
