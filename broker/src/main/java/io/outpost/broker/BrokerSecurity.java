package io.outpost.broker;

import io.outpost.broker.security.AuthOutcome;
import io.outpost.broker.security.ClientIdentity;
import io.outpost.broker.security.ClientPermissions;
import io.outpost.broker.security.ConnectCredentials;
import io.outpost.broker.security.SecurityService;
import io.outpost.broker.security.TlsOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The broker's security seam: asked at CONNECT (authentication, connect and will permission), at
 * every PUBLISH and SUBSCRIBE (authorization against the permissions granted at CONNECT), and for
 * the TLS settings of listeners with a {@code tls:} section. {@link #ALLOW_ALL} accepts everyone
 * and is what a broker built without one uses.
 */
public interface BrokerSecurity {

  /** Decides a CONNECT; the stage may complete on any thread. */
  CompletionStage<AuthOutcome> authenticate(ConnectCredentials credentials);

  /**
   * Whether a client with {@code permissions} may publish to {@code topic}; a refusal is counted.
   */
  boolean mayPublish(ClientPermissions permissions, String topic);

  /**
   * Whether a client with {@code permissions} may subscribe with {@code filter} (no {@code $share/}
   * prefix).
   */
  boolean maySubscribe(ClientPermissions permissions, String filter);

  /**
   * Server TLS settings for a listener, kept current when its files change. Blocking: call off the
   * event loop.
   */
  ServerSSLOptions tls(TlsOptions tls) throws Exception;

  /** Everyone may connect and do anything; TLS material is loaded once and never reloaded. */
  BrokerSecurity ALLOW_ALL =
      new BrokerSecurity() {
        @Override
        public CompletionStage<AuthOutcome> authenticate(ConnectCredentials c) {
          return CompletableFuture.completedFuture(
              new AuthOutcome(
                  AuthOutcome.Result.ACCEPTED,
                  ClientIdentity.anonymous(c.clientId()),
                  ClientPermissions.ALL));
        }

        @Override
        public boolean mayPublish(ClientPermissions permissions, String topic) {
          return true;
        }

        @Override
        public boolean maySubscribe(ClientPermissions permissions, String filter) {
          return true;
        }

        @Override
        public ServerSSLOptions tls(TlsOptions tls) throws Exception {
          return io.outpost.broker.security.TlsMaterial.load(tls).sslOptions();
        }
      };

  /** The gateway's {@link SecurityService} as the broker sees it. */
  static BrokerSecurity of(SecurityService service) {
    return new BrokerSecurity() {
      @Override
      public CompletionStage<AuthOutcome> authenticate(ConnectCredentials c) {
        return service.authenticate(c);
      }

      @Override
      public boolean mayPublish(ClientPermissions permissions, String topic) {
        return service.authorizePublish(permissions, topic);
      }

      @Override
      public boolean maySubscribe(ClientPermissions permissions, String filter) {
        return service.authorizeSubscribe(permissions, filter);
      }

      @Override
      public ServerSSLOptions tls(TlsOptions tls) throws Exception {
        return service.tls(tls).sslOptions();
      }
    };
  }
}
