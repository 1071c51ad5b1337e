package io.outpost.broker.security;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;

/**
 * A key manager whose certificate and key can be replaced while servers use it: every TLS handshake
 * asks the current delegate, so a renewed certificate applies to new connections at once and
 * established ones are untouched.
 */
final class SwappableKeyManager extends X509ExtendedKeyManager {

  private volatile X509KeyManager delegate;

  SwappableKeyManager(X509KeyManager delegate) {
    this.delegate = delegate;
  }

  void swap(X509KeyManager next) {
    this.delegate = next;
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    X509KeyManager d = delegate;
    return d instanceof X509ExtendedKeyManager x
        ? x.chooseEngineServerAlias(keyType, issuers, engine)
        : d.chooseServerAlias(keyType, issuers, null);
  }

  @Override
  public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
    X509KeyManager d = delegate;
    return d instanceof X509ExtendedKeyManager x
        ? x.chooseEngineClientAlias(keyType, issuers, engine)
        : d.chooseClientAlias(keyType, issuers, null);
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return delegate.getClientAliases(keyType, issuers);
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return delegate.chooseClientAlias(keyType, issuers, socket);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return delegate.getServerAliases(keyType, issuers);
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return delegate.chooseServerAlias(keyType, issuers, socket);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return delegate.getCertificateChain(alias);
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return delegate.getPrivateKey(alias);
  }
}
