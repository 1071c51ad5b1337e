package io.outpost.broker.security;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's device security in one place: authenticates CONNECTs (password file, client
 * certificates, anonymous decision), hands out each client's {@link ClientPermissions}, counts
 * refusals, loads listener TLS material and keeps certificates and the password file current while
 * the daemon runs.
 *
 * <p>Lifecycle: {@link #start()} before the broker listens (it reads the password file and fails on
 * a bad one), {@link #stop()} after the broker stopped. Both idempotent.
 */
public final class SecurityService {

  private static final Logger LOG = LoggerFactory.getLogger(SecurityService.class);

  private final SecurityOptions options;
  private final SecurityMetrics metrics;
  private final FileWatcher watcher;
  private final Authenticator authenticator;
  private final Map<TlsOptions, TlsMaterial> tlsMaterials = new HashMap<>();
  private volatile PasswordFile passwords;
  private boolean started;
  private boolean stopped;

  public SecurityService(SecurityOptions options, MeterRegistry registry) {
    this.options = options;
    this.metrics = new SecurityMetrics(registry);
    this.watcher = new FileWatcher(options.fileCheckInterval());
    this.authenticator = new Authenticator(options, () -> passwords, metrics);
  }

  /**
   * Reads the password file (blocking; call off the event loop) and starts watching files for
   * changes.
   */
  public synchronized void start() {
    if (started) {
      return;
    }
    started = true;
    if (options.passwordFile() != null) {
      Path file = Path.of(options.passwordFile());
      try {
        passwords = PasswordFile.load(file);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot read the password file " + file + ": " + e.getMessage(), e);
      }
      LOG.info("{} device user(s) loaded from {}", passwords.users().size(), file);
      watcher.watch(List.of(file), () -> reloadPasswords(file));
    }
    watcher.start();
  }

  /**
   * The TLS material of a listener, loaded on first use (blocking; call off the event loop) and
   * from then on kept current: when its files change it is re-read and swapped in for new
   * handshakes. Calls with equal options share one material, so every server instance of a listener
   * serves the same certificate.
   */
  public synchronized TlsMaterial tls(TlsOptions tls) throws IOException, GeneralSecurityException {
    TlsMaterial material = tlsMaterials.get(tls);
    if (material == null) {
      TlsMaterial loaded = TlsMaterial.load(tls);
      tlsMaterials.put(tls, loaded);
      watcher.watch(loaded.files(), () -> loaded.reload(metrics));
      material = loaded;
    }
    return material;
  }

  /**
   * Decides a CONNECT. Completes on a password-check thread or at once on the caller's thread;
   * callers on an event loop must hop back to their context (e.g. {@code
   * Future.fromCompletionStage(stage, context)}).
   */
  public CompletionStage<AuthOutcome> authenticate(ConnectCredentials credentials) {
    return authenticator.authenticate(credentials);
  }

  /** Whether the client may publish to {@code topic}; a refusal is counted. */
  public boolean authorizePublish(ClientPermissions permissions, String topic) {
    return counted(permissions.mayPublish(topic), PolicyAction.PUBLISH);
  }

  /**
   * Whether the client may subscribe with {@code filter} (without a {@code $share/GROUP/} prefix);
   * counted.
   */
  public boolean authorizeSubscribe(ClientPermissions permissions, String filter) {
    return counted(permissions.maySubscribe(filter), PolicyAction.SUBSCRIBE);
  }

  public SecurityOptions options() {
    return options;
  }

  /** Runs every pending file check now (tests, and {@code outpost reload} if wired). */
  public void checkFilesNow() {
    watcher.poll();
  }

  /** Stops the file watcher and the password-check threads. */
  public synchronized void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    watcher.close();
    authenticator.close();
  }

  private boolean counted(boolean allowed, PolicyAction action) {
    if (!allowed) {
      metrics.denied(action);
    }
    return allowed;
  }

  private boolean reloadPasswords(Path file) {
    try {
      PasswordFile next = PasswordFile.load(file);
      passwords = next;
      metrics.reload("passwords", true);
      LOG.info("password file {} reloaded: {} user(s)", file, next.users().size());
      return true;
    } catch (IOException | IllegalArgumentException e) {
      metrics.reload("passwords", false);
      LOG.error(
          "password file {} changed but cannot be read, keeping the previous users: {}",
          file,
          e.getMessage());
      return false;
    }
  }
}
