package io.outpost.broker.internal.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.outpost.broker.BrokerMessage;
import io.outpost.broker.MessageSource;
import io.outpost.broker.PublishRouter;
import io.outpost.broker.RouteRejectedException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The order in which the pipeline's stages see each kind of entry, and where a failure stops it.
 */
class IngressTest {

  private final List<String> seen = new ArrayList<>();
  private Promise<Void> pendingRoute;
  private Future<Void> routeAnswer = Future.succeededFuture();

  private final PublishRouter router =
      new PublishRouter() {
        @Override
        public Future<Void> route(BrokerMessage message) {
          seen.add("durable routes");
          if (pendingRoute != null) {
            return pendingRoute.future();
          }
          return routeAnswer;
        }

        @Override
        public void delivered(BrokerMessage message) {
          seen.add("function triggers");
        }
      };

  private final Ingress ingress =
      new Ingress(
          router,
          m -> {
            seen.add("retain");
            return Future.succeededFuture();
          },
          m -> {
            seen.add("local delivery");
            return Future.succeededFuture(1);
          });

  private static BrokerMessage message(boolean retain) {
    return BrokerMessage.of("devices/a/telemetry", Buffer.buffer("1"), 1, retain);
  }

  private List<String> accept(BrokerMessage m, MessageSource source) {
    ingress.accept(m, source).onComplete(ar -> seen.add(ar.succeeded() ? "acknowledge" : "refuse"));
    return seen;
  }

  @Test
  void aDevicePublishIsRoutedThenDeliveredThenTriggersThenAcknowledged() {
    assertThat(accept(message(false), MessageSource.DEVICE))
        .containsExactly("durable routes", "local delivery", "function triggers", "acknowledge");
  }

  @Test
  void aFunctionOutputTakesTheSamePathAsADevicePublish() {
    assertThat(accept(message(false), MessageSource.FUNCTION))
        .containsExactly("durable routes", "local delivery", "function triggers", "acknowledge");
  }

  @Test
  void aCloudDownlinkSkipsOnlyTheDurableRoutes() {
    assertThat(accept(message(false), MessageSource.CLOUD))
        .containsExactly("local delivery", "function triggers", "acknowledge");
  }

  @Test
  void aRetainedMessageIsKeptBeforeItIsDelivered() {
    assertThat(accept(message(true), MessageSource.DEVICE))
        .containsExactly(
            "durable routes", "retain", "local delivery", "function triggers", "acknowledge");
  }

  @Test
  void nothingAfterTheRoutesHappensBeforeTheyAreDurable() {
    pendingRoute = Promise.promise();
    accept(message(false), MessageSource.DEVICE);
    assertThat(seen).containsExactly("durable routes");

    pendingRoute.complete();

    assertThat(seen)
        .containsExactly("durable routes", "local delivery", "function triggers", "acknowledge");
  }

  @Test
  void aRefusedRouteStopsTheMessageBeforeDeliveryAndTriggers() {
    routeAnswer = Future.failedFuture(new RouteRejectedException(0x97, "spool full"));

    assertThat(accept(message(false), MessageSource.DEVICE))
        .containsExactly("durable routes", "refuse");
  }

  @Test
  void aRouterThatThrowsRefusesTheMessageInsteadOfEscaping() {
    PublishRouter throwing =
        m -> {
          throw new IllegalStateException("broken router");
        };
    Future<Integer> result =
        new Ingress(throwing, m -> Future.succeededFuture(), m -> Future.succeededFuture(0))
            .accept(message(false), MessageSource.DEVICE);

    assertThat(result.failed()).isTrue();
    assertThat(result.cause()).hasMessage("broken router");
  }

  @Test
  void aFailingTriggerHookDoesNotUndoADeliveredMessage() {
    PublishRouter hookFails =
        new PublishRouter() {
          @Override
          public Future<Void> route(BrokerMessage message) {
            return Future.succeededFuture();
          }

          @Override
          public void delivered(BrokerMessage message) {
            throw new IllegalStateException("trigger failed");
          }
        };
    Future<Integer> result =
        new Ingress(hookFails, m -> Future.succeededFuture(), m -> Future.succeededFuture(3))
            .accept(message(false), MessageSource.DEVICE);

    assertThat(result.succeeded()).isTrue();
    assertThat(result.result()).isEqualTo(3);
  }
}
