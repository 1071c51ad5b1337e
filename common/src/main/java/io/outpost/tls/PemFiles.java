package io.outpost.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one PEM reader of Outpost, for device listeners and the cloud link alike: X.509 certificates,
 * and unencrypted private keys in PKCS#8 ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) or
 * SEC1 ({@code EC PRIVATE KEY}) form. Failures are {@link PemException}s whose message names the
 * file and says what is wrong in plain words, so {@code validate} can print them as they are.
 */
public final class PemFiles {

  /** A PEM file that cannot be used; the message names the file. */
  public static final class PemException extends GeneralSecurityException {
    private static final long serialVersionUID = 1L;

    PemException(String message) {
      super(message);
    }
  }

  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

  /** rsaEncryption with NULL parameters, as PKCS#8 names an RSA key. */
  private static final byte[] RSA_ALGORITHM =
      der(
          0x30,
          concat(
              new byte[] {
                0x06,
                0x09,
                0x2a,
                (byte) 0x86,
                0x48,
                (byte) 0x86,
                (byte) 0xf7,
                0x0d,
                0x01,
                0x01,
                0x01
              },
              new byte[] {0x05, 0x00}));

  /** id-ecPublicKey. */
  private static final byte[] EC_PUBLIC_KEY_OID = {
    0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01
  };

  private static final byte[] VERSION_0 = {0x02, 0x01, 0x00};

  private PemFiles() {}

  /** Every certificate in {@code file}, in order; at least one. */
  public static List<X509Certificate> certificates(Path file) throws IOException, PemException {
    String text = read(file);
    List<X509Certificate> out = new ArrayList<>();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      Matcher m = BLOCK.matcher(text);
      while (m.find()) {
        if (m.group(1).equals("CERTIFICATE")) {
          out.add(
              (X509Certificate)
                  factory.generateCertificate(new ByteArrayInputStream(decode(file, m))));
        }
      }
    } catch (CertificateException e) {
      throw new PemException(file + ": a CERTIFICATE block is not a valid X.509 certificate");
    }
    if (out.isEmpty()) {
      throw new PemException(file + ": no PEM 'CERTIFICATE' block found");
    }
    return out;
  }

  /** The first private key in {@code file}: PKCS#8, PKCS#1 (RSA) or SEC1 (EC), unencrypted. */
  public static PrivateKey privateKey(Path file) throws IOException, PemException {
    String text = read(file);
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      switch (m.group(1)) {
        case "PRIVATE KEY":
          return pkcs8(file, decode(file, m));
        case "RSA PRIVATE KEY":
          return generate(
              file, "RSA", der(0x30, concat(VERSION_0, RSA_ALGORITHM, der(0x04, decode(file, m)))));
        case "EC PRIVATE KEY":
          return generate(file, "EC", sec1ToPkcs8(file, decode(file, m)));
        case "ENCRYPTED PRIVATE KEY":
          throw new PemException(
              file
                  + ": the private key is encrypted; decrypt it first"
                  + " (openssl pkcs8 -in key.pem -out plain.pem)");
        default:
          break; // e.g. EC PARAMETERS before the key
      }
    }
    throw new PemException(
        file
            + ": no private key found; expected a PEM 'PRIVATE KEY', 'RSA PRIVATE KEY' or"
            + " 'EC PRIVATE KEY' block");
  }

  /**
   * Checks that {@code key} is the private key of {@code certificate} by signing a probe with one
   * and verifying it with the other.
   */
  public static void checkPair(
      PrivateKey key, X509Certificate certificate, Path keyFile, Path certFile)
      throws PemException {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "Ed25519", "EdDSA" -> "Ed25519";
          default -> null;
        };
    if (algorithm == null) {
      return; // an unusual key type: the TLS handshake is the check
    }
    try {
      byte[] probe = "outpost key check".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      if (verifier.verify(signature)) {
        return;
      }
    } catch (GeneralSecurityException e) {
      // a key of another type than the certificate's: not its pair either
    }
    throw new PemException(keyFile + " is not the private key of the certificate in " + certFile);
  }

  private static String read(Path file) throws IOException {
    try {
      return Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file.toString(), null, "file not found");
    } catch (AccessDeniedException e) {
      throw new AccessDeniedException(file.toString(), null, "permission denied");
    }
  }

  private static byte[] decode(Path file, Matcher block) throws PemException {
    try {
      return Base64.getMimeDecoder().decode(block.group(2));
    } catch (IllegalArgumentException e) {
      throw new PemException(file + ": the '" + block.group(1) + "' block is not valid base64");
    }
  }

  private static PrivateKey pkcs8(Path file, byte[] der) throws PemException {
    for (String algorithm : List.of("RSA", "EC", "Ed25519", "RSASSA-PSS")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new PemException(file + ": the PKCS#8 private key is not an RSA, EC or Ed25519 key");
  }

  private static PrivateKey generate(Path file, String algorithm, byte[] pkcs8)
      throws PemException {
    try {
      return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    } catch (GeneralSecurityException e) {
      throw new PemException(
          file + ": the " + algorithm + " private key is damaged or not supported");
    }
  }

  /**
   * Wraps a SEC1 ECPrivateKey ({@code SEQUENCE {version, privateKey, [0] parameters, [1]
   * publicKey}}) in a PKCS#8 PrivateKeyInfo, taking the curve from its {@code [0]} parameters.
   */
  static byte[] sec1ToPkcs8(Path file, byte[] sec1) throws PemException {
    try {
      Der seq = new Der(sec1, 0);
      if (seq.tag != 0x30) {
        throw new PemException(file + ": the EC private key is not a DER sequence");
      }
      int at = seq.valueStart;
      int end = seq.valueStart + seq.length;
      byte[] curve = null;
      while (at < end) {
        Der item = new Der(sec1, at);
        if (item.tag == 0xA0) {
          Der oid = new Der(sec1, item.valueStart);
          curve = java.util.Arrays.copyOfRange(sec1, item.valueStart, oid.valueStart + oid.length);
        }
        at = item.valueStart + item.length;
      }
      if (curve == null) {
        throw new PemException(
            file
                + ": the EC private key does not name its curve; convert it with"
                + " openssl pkcs8 -topk8 -nocrypt");
      }
      return der(
          0x30, concat(VERSION_0, der(0x30, concat(EC_PUBLIC_KEY_OID, curve)), der(0x04, sec1)));
    } catch (ArrayIndexOutOfBoundsException e) {
      throw new PemException(file + ": the EC private key is truncated");
    }
  }

  /** One DER tag-length header. */
  private static final class Der {
    final int tag;
    final int length;
    final int valueStart;

    Der(byte[] b, int at) {
      tag = b[at] & 0xFF;
      int first = b[at + 1] & 0xFF;
      if (first < 0x80) {
        length = first;
        valueStart = at + 2;
      } else {
        int n = first & 0x7F;
        int len = 0;
        for (int i = 0; i < n; i++) {
          len = (len << 8) | (b[at + 2 + i] & 0xFF);
        }
        length = len;
        valueStart = at + 2 + n;
      }
    }
  }

  private static byte[] der(int tag, byte[] value) {
    int length = value.length;
    byte[] header;
    if (length < 0x80) {
      header = new byte[] {(byte) tag, (byte) length};
    } else if (length <= 0xFF) {
      header = new byte[] {(byte) tag, (byte) 0x81, (byte) length};
    } else if (length <= 0xFFFF) {
      header = new byte[] {(byte) tag, (byte) 0x82, (byte) (length >> 8), (byte) length};
    } else {
      header =
          new byte[] {
            (byte) tag, (byte) 0x83, (byte) (length >> 16), (byte) (length >> 8), (byte) length
          };
    }
    return concat(header, value);
  }

  private static byte[] concat(byte[]... parts) {
    int size = 0;
    for (byte[] p : parts) {
      size += p.length;
    }
    byte[] out = new byte[size];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
