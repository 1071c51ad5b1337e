package io.outpost.broker.security;

/**
 * The security-relevant facts of one broker listener, for {@link StartupChecks}.
 *
 * @param host the bind address
 * @param port the configured port
 * @param tls its TLS settings, or {@code null} for plain TCP
 */
public record ListenerView(String host, int port, TlsOptions tls) {}
