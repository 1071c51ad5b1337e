package io.outpost.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.outpost.gateway.fleet.Signatures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code outpost fleet validate} and {@code outpost fleet sign}, in process. */
@Timeout(60)
class FleetCliTest {

  @TempDir Path dir;

  private static CliRun run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = OutpostCommand.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    int exit = cmd.execute(args);
    return new CliRun(exit, out.toString(), err.toString());
  }

  private Path document(String extra) throws Exception {
    return Files.writeString(
        dir.resolve("deployment.json"),
        """
        {"schemaVersion": 1, "functions": [{"name": "f", "version": "1",
          "artifact": {"url": "file:///tmp/f.jar", "sha256": "%s"%s}}]}
        """
            .formatted("b".repeat(64), extra));
  }

  @Test
  void validateAcceptsAGoodDocumentAndNamesTheFieldOfABadOne() throws Exception {
    CliRun ok = run("fleet", "validate", document("").toString());
    assertThat(ok.exit()).isZero();
    assertThat(ok.out()).contains(": OK — schema 1, 1 function(s)");

    CliRun bad = run("fleet", "validate", document(", \"mirror\": \"x\"").toString());
    assertThat(bad.exit()).isEqualTo(65);
    assertThat(bad.err())
        .contains("functions[0].artifact.mirror: unknown field")
        .doesNotContain("Exception")
        .doesNotContain("jackson");
  }

  @Test
  void signWritesASignatureTheMatchingTrustAnchorVerifies() throws Exception {
    KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    Path key =
        Files.writeString(
            dir.resolve("key.pem"), pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
    Path anchor =
        Files.writeString(
            dir.resolve("key.pub.pem"), pem("PUBLIC KEY", pair.getPublic().getEncoded()));
    Path pkg =
        Files.write(
            dir.resolve("f.jar"), "a package".getBytes(java.nio.charset.StandardCharsets.UTF_8));

    CliRun signed = run("fleet", "sign", "--key", key.toString(), pkg.toString());

    assertThat(signed.exit()).as(signed.err()).isZero();
    assertThat(signed.out()).contains("sha256    ").contains("written to " + pkg + ".sig");
    byte[] signature =
        Base64.getDecoder().decode(Files.readString(dir.resolve("f.jar.sig")).trim());
    assertThat(Signatures.load(List.of(anchor)).verify(pkg, signature)).isTrue();

    CliRun badKey = run("fleet", "sign", "--key", anchor.toString(), pkg.toString());
    assertThat(badKey.exit()).isEqualTo(65);
    assertThat(badKey.err()).contains("not an Ed25519 or ECDSA P-256 private key");
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder().encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
