package io.outpost.gateway.route;

import io.outpost.gateway.broker.topic.TopicFilter;
import io.outpost.gateway.config.RouteConfig;

/** A route ready for the hot path: filter parsed once, template prepared once. */
record CompiledRoute(RouteConfig config, TopicFilter filter, TopicTemplate template) {

  static CompiledRoute of(RouteConfig config) {
    return new CompiledRoute(config, TopicFilter.of(config.filter()), new TopicTemplate(config.template()));
  }

  boolean matches(String topic) {
    return filter.matches(topic);
  }

  String name() {
    return config.name();
  }
}
