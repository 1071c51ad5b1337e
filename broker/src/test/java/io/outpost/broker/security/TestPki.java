package io.outpost.broker.security;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway PKI made at test time: a CA, server and client certificates with EC P-256 keys,
 * written as PEM.
 */
public final class TestPki {

  private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

  /** A key pair and its certificate (leaf first chain of one). */
  public record Issued(KeyPair keys, X509Certificate cert) {

    /** Writes {@code name}.crt and {@code name}.key (PKCS#8, mode 0600) into {@code dir}. */
    public Pem write(Path dir, String name) throws IOException {
      Path crt = dir.resolve(name + ".crt");
      Path key = dir.resolve(name + ".key");
      Files.writeString(crt, pem(cert));
      Files.writeString(key, pem(new JcaPKCS8Generator(keys.getPrivate(), null).generate()));
      Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
      return new Pem(crt, key);
    }

    /** A client-side SSL context presenting this certificate and trusting {@code ca}. */
    public SSLContext clientContext(Issued ca) throws Exception {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry(
          "me", keys.getPrivate(), "pw".toCharArray(), new X509Certificate[] {cert, ca.cert});
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, "pw".toCharArray());
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), trusting(ca).getTrustManagers(), new SecureRandom());
      return ctx;
    }
  }

  /** Paths of written PEM files. */
  public record Pem(Path cert, Path key) {}

  private TestPki() {}

  public static Issued ca(String name) throws Exception {
    KeyPair keys = keyPair();
    X500Principal subject = new X500Principal("CN=" + name + ",O=Outpost Test");
    JcaX509v3CertificateBuilder b = builder(subject, subject, keys);
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    return new Issued(keys, sign(b, keys.getPrivate()));
  }

  /** A server certificate for 127.0.0.1 and localhost. */
  public static Issued server(Issued ca, String cn) throws Exception {
    KeyPair keys = keyPair();
    JcaX509v3CertificateBuilder b =
        builder(ca.cert.getSubjectX500Principal(), new X500Principal("CN=" + cn), keys);
    b.addExtension(
        Extension.subjectAlternativeName,
        false,
        new GeneralNames(
            new GeneralName[] {
              new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
              new GeneralName(GeneralName.dNSName, "localhost")
            }));
    return new Issued(keys, sign(b, ca.keys.getPrivate()));
  }

  /** A client certificate with subject CN {@code cn} and, if given, a DNS SAN. */
  public static Issued client(Issued ca, String cn, String dnsSan) throws Exception {
    KeyPair keys = keyPair();
    JcaX509v3CertificateBuilder b =
        builder(
            ca.cert.getSubjectX500Principal(),
            new X500Principal(cn == null ? "O=Outpost Devices" : "CN=" + cn + ",O=Outpost Devices"),
            keys);
    if (dnsSan != null) {
      b.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(new GeneralName(GeneralName.dNSName, dnsSan)));
    }
    return new Issued(keys, sign(b, ca.keys.getPrivate()));
  }

  /** A trust manager factory trusting only {@code ca}. */
  public static TrustManagerFactory trusting(Issued ca) throws Exception {
    KeyStore ts = KeyStore.getInstance("PKCS12");
    ts.load(null, null);
    ts.setCertificateEntry("ca", ca.cert);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ts);
    return tmf;
  }

  /** A client-side SSL context without a client certificate, trusting {@code ca}. */
  public static SSLContext anonymousClientContext(Issued ca) throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, trusting(ca).getTrustManagers(), new SecureRandom());
    return ctx;
  }

  public static String pem(Object o) throws IOException {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
      pw.writeObject(o);
    }
    return w.toString();
  }

  private static KeyPair keyPair() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static JcaX509v3CertificateBuilder builder(
      X500Principal issuer, X500Principal subject, KeyPair keys) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(
        issuer,
        BigInteger.valueOf(SERIAL.incrementAndGet()),
        Date.from(now.minus(Duration.ofMinutes(5))),
        Date.from(now.plus(Duration.ofDays(1))),
        subject,
        keys.getPublic());
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder b, PrivateKey issuerKey)
      throws Exception {
    return new JcaX509CertificateConverter()
        .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
  }
}
