package io.outpost.gateway.fleet;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Package signatures with the JDK's providers: Ed25519 ({@code Ed25519}) or ECDSA P-256 ({@code
 * SHA256withECDSA}), keys in PEM ({@code PUBLIC KEY} / {@code PRIVATE KEY}, PKCS#8). A signature is
 * over the package's bytes and travels base64-encoded in the deployment document.
 */
public final class Signatures {

  private final List<PublicKey> anchors;

  private Signatures(List<PublicKey> anchors) {
    this.anchors = List.copyOf(anchors);
  }

  /** Loads the trust anchors; throws naming the file that is not a usable public key. */
  public static Signatures load(List<Path> files) throws IOException {
    List<PublicKey> keys = new ArrayList<>();
    for (Path file : files) {
      try {
        keys.add(publicKey(Files.readString(file, StandardCharsets.US_ASCII)));
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        throw new IOException(file + ": not an Ed25519 or ECDSA P-256 public key in PEM");
      }
    }
    return new Signatures(keys);
  }

  /** Whether signatures are required (anchors are configured). */
  public boolean required() {
    return !anchors.isEmpty();
  }

  /** Whether one of the anchors verifies {@code signature} over the file's bytes. */
  public boolean verify(Path file, byte[] signature) throws IOException {
    for (PublicKey key : anchors) {
      try {
        Signature verifier = Signature.getInstance(algorithm(key.getAlgorithm()));
        verifier.initVerify(key);
        feed(verifier, file);
        if (verifier.verify(signature)) {
          return true;
        }
      } catch (GeneralSecurityException e) {
        // a malformed signature for this key type: not verified by this anchor, try the next
      }
    }
    return false;
  }

  /** Signs the file's bytes with a PEM private key; returns the signature. */
  public static byte[] sign(Path file, String privateKeyPem)
      throws IOException, GeneralSecurityException {
    PrivateKey key = privateKey(privateKeyPem);
    Signature signer = Signature.getInstance(algorithm(key.getAlgorithm()));
    signer.initSign(key);
    feed(signer, file);
    return signer.sign();
  }

  static PublicKey publicKey(String pem) throws GeneralSecurityException {
    byte[] der = der(pem, "PUBLIC KEY");
    GeneralSecurityException last = null;
    for (String algorithm : List.of("Ed25519", "EC")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw last;
  }

  static PrivateKey privateKey(String pem) throws GeneralSecurityException {
    byte[] der = der(pem, "PRIVATE KEY");
    GeneralSecurityException last = null;
    for (String algorithm : List.of("Ed25519", "EC")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw last;
  }

  private static String algorithm(String keyAlgorithm) throws GeneralSecurityException {
    return switch (keyAlgorithm) {
      case "Ed25519", "EdDSA" -> "Ed25519";
      case "EC" -> "SHA256withECDSA";
      default -> throw new GeneralSecurityException("unsupported key type " + keyAlgorithm);
    };
  }

  private static byte[] der(String pem, String type) throws GeneralSecurityException {
    String begin = "-----BEGIN " + type + "-----";
    int from = pem.indexOf(begin);
    int to = pem.indexOf("-----END " + type + "-----");
    if (from < 0 || to < from) {
      throw new GeneralSecurityException("no " + type + " block");
    }
    try {
      return Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
    } catch (IllegalArgumentException e) {
      throw new GeneralSecurityException("bad base64 in the " + type + " block", e);
    }
  }

  private static void feed(Signature signature, Path file)
      throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[64 * 1024];
      for (int n; (n = in.read(buffer)) > 0; ) {
        signature.update(buffer, 0, n);
      }
    }
  }
}
