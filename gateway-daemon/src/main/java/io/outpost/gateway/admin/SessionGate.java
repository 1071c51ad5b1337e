package io.outpost.gateway.admin;

import io.vertx.ext.web.RoutingContext;

/**
 * Endpoints served before the bearer token is checked, which may vouch for a request to a
 * token-protected endpoint: the web console, whose pages call the admin API with a session cookie
 * instead of the token.
 */
public interface SessionGate extends AdminApi {

  /**
   * Whether this request carries a valid session (and, for a request that changes something, its
   * CSRF token), so it may use the token-protected admin API.
   */
  boolean admits(RoutingContext ctx);
}
