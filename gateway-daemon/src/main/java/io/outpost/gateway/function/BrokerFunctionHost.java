package io.outpost.gateway.function;

import io.outpost.broker.BrokerMessage;
import io.outpost.broker.MessageProperties;
import io.outpost.function.runtime.FunctionHost;
import io.outpost.function.runtime.OutboundMessage;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Publishes function outputs like any local publish: through the routes (so cloud-bound outputs are
 * spooled) and to local subscribers and other functions.
 */
public final class BrokerFunctionHost implements FunctionHost {

  private final Function<BrokerMessage, Future<Void>> publishLocal;
  private final Clock clock;

  public BrokerFunctionHost(Function<BrokerMessage, Future<Void>> publishLocal, Clock clock) {
    this.publishLocal = publishLocal;
    this.clock = clock;
  }

  @Override
  public CompletionStage<Void> publish(OutboundMessage out) {
    List<Map.Entry<String, String>> props =
        out.userProperties().stream().map(p -> Map.entry(p.name(), p.value())).toList();
    BrokerMessage m =
        new BrokerMessage(
            out.topic(),
            Buffer.buffer(out.payload()),
            out.qos(),
            out.retain(),
            new MessageProperties(props, null, null, null, null, null),
            FunctionTriggers.PUBLISHER_PREFIX + out.function(),
            clock.millis());
    return publishLocal.apply(m).toCompletionStage();
  }
}
