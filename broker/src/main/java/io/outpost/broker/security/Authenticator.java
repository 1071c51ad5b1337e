package io.outpost.broker.security;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides CONNECTs: verifies passwords on a small bounded pool of named threads (PBKDF2 is slow on
 * purpose and must not run on an event loop), then applies the anonymous-access decision and the
 * policy's connect and will checks.
 */
final class Authenticator {

  private static final Logger LOG = LoggerFactory.getLogger(Authenticator.class);
  static final String THREAD_PREFIX = "outpost-auth-";

  private final SecurityOptions options;
  private final Policy policy;
  private final Supplier<PasswordFile> passwords;
  private final SecurityMetrics metrics;
  private final ThreadPoolExecutor pool;

  Authenticator(
      SecurityOptions options, Supplier<PasswordFile> passwords, SecurityMetrics metrics) {
    this.options = options;
    this.policy = Policy.of(options);
    this.passwords = passwords;
    this.metrics = metrics;
    AtomicInteger n = new AtomicInteger();
    this.pool =
        new ThreadPoolExecutor(
            options.authThreads(),
            options.authThreads(),
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(options.authQueueCapacity()),
            r -> {
              Thread t = new Thread(r, THREAD_PREFIX + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    metrics.queueGauge(() -> pool.getQueue().size());
  }

  Policy policy() {
    return policy;
  }

  /** Completes on the pool's thread when a password was checked, else at once on the caller's. */
  CompletionStage<AuthOutcome> authenticate(ConnectCredentials c) {
    ClientIdentity id = CertificateNames.identity(c.clientId(), c.peerCertificates());
    PasswordFile file = passwords.get();
    if (c.username() == null || file == null) {
      // without a password file a user name proves nothing and is not part of the identity
      return CompletableFuture.completedFuture(decide(id, c));
    }
    if (c.password() == null) {
      return CompletableFuture.completedFuture(refuse(AuthOutcome.Result.BAD_CREDENTIALS, id));
    }
    try {
      return CompletableFuture.supplyAsync(
          () ->
              file.verify(c.username(), c.password())
                  ? decide(id.withUsername(c.username()), c)
                  : refuse(AuthOutcome.Result.BAD_CREDENTIALS, id),
          pool);
    } catch (RejectedExecutionException e) {
      LOG.debug(
          "password check queue full ({}), refusing {}",
          options.authQueueCapacity(),
          c.clientId(),
          e);
      return CompletableFuture.completedFuture(refuse(AuthOutcome.Result.BUSY, id));
    }
  }

  private AuthOutcome decide(ClientIdentity id, ConnectCredentials c) {
    if (id.anonymous() && !options.allowAnonymous()) {
      return refuse(AuthOutcome.Result.ANONYMOUS_REFUSED, id);
    }
    ClientPermissions permissions = policy.forClient(id);
    if (!permissions.mayConnect()) {
      metrics.denied(PolicyAction.CONNECT);
      return AuthOutcome.refused(AuthOutcome.Result.NOT_AUTHORIZED, id);
    }
    if (c.willTopic() != null && !permissions.mayPublish(c.willTopic())) {
      metrics.denied(PolicyAction.PUBLISH);
      return AuthOutcome.refused(AuthOutcome.Result.NOT_AUTHORIZED, id);
    }
    return AuthOutcome.accepted(id, permissions);
  }

  private AuthOutcome refuse(AuthOutcome.Result result, ClientIdentity id) {
    metrics.authFailure(result);
    return AuthOutcome.refused(result, id);
  }

  /**
   * Lets queued checks finish (their clients are waiting for a CONNACK), then stops the threads.
   */
  void close() {
    pool.shutdown();
    try {
      if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warn("password checks still running after 10 s; interrupting them");
        pool.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
