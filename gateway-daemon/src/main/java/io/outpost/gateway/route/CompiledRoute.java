package io.outpost.gateway.route;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.outpost.gateway.config.RouteConfig;
import io.outpost.topic.TopicFilter;

/**
 * A route ready for the hot path: filter parsed once, template prepared once, its counter ({@code
 * outpost.route.messages{route, direction}}) looked up once.
 */
record CompiledRoute(
    RouteConfig config, TopicFilter filter, TopicTemplate template, Counter routed) {

  static CompiledRoute of(RouteConfig config, MeterRegistry registry) {
    Counter routed =
        Counter.builder("outpost.route.messages")
            .description(
                "Messages forwarded by a route (to-cloud: committed to the spool; to-local: delivered locally)")
            .tag("route", config.name())
            .tag("direction", "to-" + config.to().yaml())
            .register(registry);
    return new CompiledRoute(
        config, TopicFilter.of(config.filter()), new TopicTemplate(config.template()), routed);
  }

  boolean matches(String topic) {
    return filter.matches(topic);
  }

  String name() {
    return config.name();
  }
}
