package io.outpost.gateway.admin;

import io.outpost.broker.ClientInfo;
import io.outpost.broker.MqttBroker;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/** {@code GET /api/clients} and {@code DELETE /api/clients/:clientId}. */
public final class ClientsApi implements AdminApi {

  private final MqttBroker broker;

  public ClientsApi(MqttBroker broker) {
    this.broker = broker;
  }

  /** The connected clients as {@code GET /api/clients} lists them (also the console's table). */
  public static JsonArray list(MqttBroker broker) {
    JsonArray list = new JsonArray();
    for (ClientInfo c : broker.clients()) {
      list.add(
          new JsonObject()
              .put("clientId", c.clientId())
              .put("protocol", c.protocolVersion() == 5 ? "mqtt5" : "mqtt3.1.1")
              .put("remoteAddress", c.remoteAddress())
              .put("connectedAt", c.connectedAt().toString())
              .put("subscriptions", c.subscriptions())
              .put("inFlight", c.inflight())
              .put("queued", c.queued()));
    }
    return list;
  }

  @Override
  public void mount(Router router) {
    router
        .get("/api/clients")
        .handler(ctx -> Responses.json(ctx, 200, new JsonObject().put("clients", list(broker))));
    router
        .delete("/api/clients/:clientId")
        .handler(
            ctx -> {
              String id = ctx.pathParam("clientId");
              if (broker.disconnect(id)) {
                Responses.json(ctx, 200, new JsonObject().put("disconnected", id));
              } else {
                Responses.error(
                    ctx, 404, "client-not-found", "no connected client with id '" + id + "'");
              }
            });
  }
}
