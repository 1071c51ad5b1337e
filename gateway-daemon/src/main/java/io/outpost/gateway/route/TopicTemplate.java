package io.outpost.gateway.route;

/**
 * A route's topic rewrite: {@code {topic}} is the original topic, {@code {clientId}} the
 * publisher's client id (empty when unknown). Placeholders were validated with the configuration.
 */
final class TopicTemplate {

  private final String template;
  private final boolean identity;
  private final boolean usesClientId;

  TopicTemplate(String template) {
    this.template = template;
    this.identity = "{topic}".equals(template);
    this.usesClientId = template.contains("{clientId}");
  }

  String render(String topic, String clientId) {
    if (identity) {
      return topic;
    }
    String out = template.replace("{topic}", topic);
    return usesClientId ? out.replace("{clientId}", clientId == null ? "" : clientId) : out;
  }
}
