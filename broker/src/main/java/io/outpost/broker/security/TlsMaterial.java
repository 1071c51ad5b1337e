package io.outpost.broker.security;

import io.vertx.core.net.ServerSSLOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live TLS material of one listener: server TLS settings whose key and trust managers can be
 * swapped in place, so a renewed certificate, key or CA file applies to the next handshake on every
 * server instance sharing these settings without a restart. Material that does not load, or a key
 * that does not fit its certificate, is not installed: the listener keeps serving the previous one
 * and the reload is retried on the next file check.
 */
public final class TlsMaterial {

  private static final Logger LOG = LoggerFactory.getLogger(TlsMaterial.class);

  private final TlsOptions tls;
  private final SwappableKeyManager keys;
  private final SwappableTrustManager trust;
  private final ServerSSLOptions sslOptions;

  private TlsMaterial(TlsOptions tls, SwappableKeyManager keys, SwappableTrustManager trust) {
    this.tls = tls;
    this.keys = keys;
    this.trust = trust;
    this.sslOptions = TlsSupport.sslOptions(tls, keys, trust);
  }

  /** Reads and checks the files of {@code tls} (blocking). */
  public static TlsMaterial load(TlsOptions tls) throws IOException, GeneralSecurityException {
    X509ExtendedTrustManager ca = TlsSupport.readTrust(tls);
    return new TlsMaterial(
        tls,
        new SwappableKeyManager(TlsSupport.readKeys(tls)),
        ca == null ? null : new SwappableTrustManager(ca));
  }

  /**
   * Vert.x server TLS settings; apply with {@link TlsSupport#apply}. Share one instance between
   * server instances.
   */
  public ServerSSLOptions sslOptions() {
    return sslOptions.copy();
  }

  public TlsOptions options() {
    return tls;
  }

  List<Path> files() {
    List<Path> files = new ArrayList<>(List.of(Path.of(tls.certFile()), Path.of(tls.keyFile())));
    if (tls.caFile() != null) {
      files.add(Path.of(tls.caFile()));
    }
    return files;
  }

  /** Re-reads the files and swaps them in when they are usable; true when installed. */
  boolean reload(SecurityMetrics metrics) {
    try {
      X509ExtendedTrustManager ca = TlsSupport.readTrust(tls);
      var nextKeys = TlsSupport.readKeys(tls);
      if (trust != null && ca != null) {
        trust.swap(ca);
      }
      keys.swap(nextKeys);
    } catch (IOException | GeneralSecurityException e) {
      metrics.reload("certificate", false);
      LOG.warn(
          "TLS files {} changed but cannot be used yet ({}); still serving the previous certificate",
          files(),
          e.getMessage());
      return false;
    }
    metrics.reload("certificate", true);
    LOG.info("TLS certificate {} reloaded", tls.certFile());
    return true;
  }
}
