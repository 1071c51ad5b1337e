package io.outpost.gateway.function;

import io.outpost.broker.BrokerMessage;
import io.outpost.function.UserProperty;
import io.outpost.function.runtime.FunctionInfo;
import io.outpost.function.runtime.FunctionRuntime;
import io.outpost.function.runtime.FunctionState;
import io.outpost.function.runtime.InboundMessage;
import io.outpost.topic.TopicFilter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Invokes the deployed functions whose trigger filters match an accepted local message. The trigger
 * table is rebuilt (copy-on-write) whenever a function is deployed, removed or rolled back, so the
 * hot path never locks.
 *
 * <p>A function's own outputs never trigger that same function again, which would loop forever.
 */
public final class FunctionTriggers implements Consumer<BrokerMessage> {

  /**
   * Client id under which a function's outputs are published, so they can be told apart from
   * devices'.
   */
  public static final String PUBLISHER_PREFIX = "$function/";

  private record Trigger(TopicFilter filter, String function) {}

  private final FunctionRuntime runtime;
  private volatile List<Trigger> triggers = List.of();

  public FunctionTriggers(FunctionRuntime runtime) {
    this.runtime = runtime;
    runtime.addListener(changed -> refresh());
    refresh();
  }

  /** Rebuilds the trigger table from the runtime's current functions. */
  public void refresh() {
    List<Trigger> table = new ArrayList<>();
    for (FunctionInfo f : runtime.list()) {
      if (f.state() == FunctionState.STOPPED) {
        continue;
      }
      for (String filter : f.triggers()) {
        table.add(new Trigger(TopicFilter.of(filter), f.name()));
      }
    }
    triggers = List.copyOf(table);
  }

  @Override
  public void accept(BrokerMessage m) {
    List<Trigger> table = triggers;
    if (table.isEmpty()) {
      return;
    }
    InboundMessage inbound = null;
    String origin = m.publisherClientId();
    for (Trigger t : table) {
      if (!t.filter().matches(m.topic()) || (PUBLISHER_PREFIX + t.function()).equals(origin)) {
        continue;
      }
      if (inbound == null) {
        inbound = inbound(m);
      }
      // Outcomes (overflow, timeout, error) are counted and published by the runtime itself.
      runtime.invoke(t.function(), inbound);
    }
  }

  private static InboundMessage inbound(BrokerMessage m) {
    List<UserProperty> props = new ArrayList<>(m.props().userProperties().size());
    for (Map.Entry<String, String> e : m.props().userProperties()) {
      props.add(new UserProperty(e.getKey(), e.getValue()));
    }
    return new InboundMessage(
        m.topic(),
        m.payload().getBytes(),
        m.qos(),
        props,
        m.publisherClientId(),
        Instant.ofEpochMilli(m.receivedAtMillis()));
  }
}
