package io.outpost.gateway.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(30)
class SignaturesTest {

  @TempDir Path dir;

  /** Writes a key pair as PEM files {@code name.pem} (private, PKCS#8) and {@code name.pub.pem}. */
  static KeyPair keyPair(Path dir, String name, String algorithm) throws Exception {
    KeyPair pair;
    if (algorithm.equals("EC")) {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      pair = g.generateKeyPair();
    } else {
      pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    }
    Files.writeString(
        dir.resolve(name + ".pem"), pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
    Files.writeString(
        dir.resolve(name + ".pub.pem"), pem("PUBLIC KEY", pair.getPublic().getEncoded()));
    return pair;
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
            .encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  @ParameterizedTest
  @ValueSource(strings = {"Ed25519", "EC"})
  void aPackageSignedWithTheAnchorsKeyVerifiesAndATamperedOneDoesNot(String algorithm)
      throws Exception {
    keyPair(dir, "vendor", algorithm);
    keyPair(dir, "other", algorithm);
    Path pkg =
        Files.write(
            dir.resolve("f.jar"),
            "package bytes".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Signatures anchors = Signatures.load(List.of(dir.resolve("vendor.pub.pem")));

    byte[] good = Signatures.sign(pkg, Files.readString(dir.resolve("vendor.pem")));
    byte[] foreign = Signatures.sign(pkg, Files.readString(dir.resolve("other.pem")));

    assertThat(anchors.required()).isTrue();
    assertThat(anchors.verify(pkg, good)).isTrue();
    assertThat(anchors.verify(pkg, foreign)).isFalse();
    Files.write(pkg, "package bytes, tampered".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(anchors.verify(pkg, good)).isFalse();
  }

  @Test
  void aFileThatIsNotAPublicKeyIsNamed() throws Exception {
    Path bad = Files.writeString(dir.resolve("anchor.pem"), "not a key");
    assertThatThrownBy(() -> Signatures.load(List.of(bad)))
        .hasMessage(bad + ": not an Ed25519 or ECDSA P-256 public key in PEM");
    assertThat(Signatures.load(List.of()).required()).isFalse();
  }
}
