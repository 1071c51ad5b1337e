package io.outpost.gateway.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.outpost.gateway.config.FleetOptions;
import io.outpost.gateway.fleet.DeploymentDocument.FunctionSpec;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ArtifactFetcherTest {

  @TempDir Path dir;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final FleetMetrics metrics = new FleetMetrics(registry, () -> 0);
  private ArtifactServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  private ArtifactFetcher fetcher(FleetOptions options, Signatures signatures) {
    return new ArtifactFetcher(
        dir.resolve("artifacts"), options, signatures, metrics, HttpClient.newHttpClient());
  }

  private static FleetOptions options(long maxArtifact, long maxDisk) {
    return new FleetOptions(null, null, null, maxArtifact, maxDisk, 10, null, null, null);
  }

  private static FunctionSpec spec(String url, byte[] body, String signature) throws Exception {
    return new FunctionSpec("f", "1", "java", url, sha256(body), body.length, signature, null);
  }

  @Test
  void aDownloadBrokenOffHalfWayResumesWithARangeRequest() throws Exception {
    server = new ArtifactServer();
    byte[] body = bytes(600_000);
    server.put("f.jar", body);
    server.breakFirstResponse("f.jar");

    Path got =
        fetcher(options(1 << 20, 4 << 20), Signatures.load(List.of()))
            .fetch(spec(server.url("f.jar"), body, null), Set.of());

    assertThat(Files.readAllBytes(got)).isEqualTo(body);
    assertThat(server.ranges).hasSizeGreaterThanOrEqualTo(2);
    assertThat(server.ranges.get(0)).isNull();
    assertThat(server.ranges.get(server.ranges.size() - 1))
        .startsWith("bytes=")
        .isNotEqualTo("bytes=0-");
  }

  @Test
  void aTamperedArtifactIsRefusedByItsDigestAndCounted() throws Exception {
    server = new ArtifactServer();
    byte[] body = bytes(1000);
    server.put("f.jar", body);
    FunctionSpec expected =
        new FunctionSpec("f", "1", "java", server.url("f.jar"), sha256(bytes(999)), -1, null, null);

    assertThatThrownBy(
            () ->
                fetcher(options(1 << 20, 4 << 20), Signatures.load(List.of()))
                    .fetch(expected, Set.of()))
        .isInstanceOf(StepFailure.class)
        .hasMessageContaining("f: sha256 mismatch");
    assertThat(registry.counter("outpost.fleet.artifacts.refused", "reason", "sha256").count())
        .isEqualTo(1);
    assertThat(dir.resolve("artifacts")).isEmptyDirectory();
  }

  @Test
  void anArtifactOverTheSizeBoundIsRefusedWhileDownloading() throws Exception {
    server = new ArtifactServer();
    byte[] body = bytes(5000);
    server.put("f.jar", body);
    FunctionSpec undeclared =
        new FunctionSpec("f", "1", "java", server.url("f.jar"), sha256(body), -1, null, null);

    assertThatThrownBy(
            () ->
                fetcher(options(4096, 1 << 20), Signatures.load(List.of()))
                    .fetch(undeclared, Set.of()))
        .hasMessageContaining("exceeds fleet.maxArtifactBytes (4096)");
    assertThat(registry.counter("outpost.fleet.artifacts.refused", "reason", "too-large").count())
        .isEqualTo(1);
  }

  @Test
  void withTrustAnchorsUnsignedAndForeignSignedArtifactsAreRefusedAndSignedOnesPass()
      throws Exception {
    SignaturesTest.keyPair(dir, "vendor", "Ed25519");
    SignaturesTest.keyPair(dir, "other", "Ed25519");
    byte[] body = bytes(2000);
    Path source = Files.write(dir.resolve("f.jar"), body);
    Signatures anchors = Signatures.load(List.of(dir.resolve("vendor.pub.pem")));
    String url = source.toUri().toString();
    String good =
        Base64.getEncoder()
            .encodeToString(Signatures.sign(source, Files.readString(dir.resolve("vendor.pem"))));
    String foreign =
        Base64.getEncoder()
            .encodeToString(Signatures.sign(source, Files.readString(dir.resolve("other.pem"))));
    ArtifactFetcher fetcher = fetcher(options(1 << 20, 4 << 20), anchors);

    assertThatThrownBy(() -> fetcher.fetch(spec(url, body, null), Set.of()))
        .hasMessageContaining("unsigned");
    assertThatThrownBy(() -> fetcher.fetch(spec(url, body, foreign), Set.of()))
        .hasMessageContaining("signature not verified");
    assertThat(Files.readAllBytes(fetcher.fetch(spec(url, body, good), Set.of()))).isEqualTo(body);
  }

  @Test
  void olderArtifactsAreEvictedToStayWithinTheDiskBound() throws Exception {
    byte[] first = bytes(3000);
    byte[] second = bytes(3001);
    Path a = Files.write(dir.resolve("a.jar"), first);
    Path b = Files.write(dir.resolve("b.jar"), second);
    ArtifactFetcher fetcher = fetcher(options(4000, 5000), Signatures.load(List.of()));

    fetcher.fetch(spec(a.toUri().toString(), first, null), Set.of());
    fetcher.fetch(spec(b.toUri().toString(), second, null), Set.of(sha256(second)));

    assertThat(fetcher.diskBytes()).isEqualTo(3001);
    assertThatThrownBy(
            () ->
                fetcher.fetch(
                    spec(a.toUri().toString(), first, null), Set.of(sha256(first), sha256(second))))
        .hasMessageContaining("fleet.maxDiskBytes");
  }
}
