package io.outpost.gateway.admin;

import io.vertx.ext.web.Router;

/**
 * One group of admin endpoints (clients, spool, functions...), mounted on the admin router after
 * authentication.
 */
public interface AdminApi {

  void mount(Router router);
}
