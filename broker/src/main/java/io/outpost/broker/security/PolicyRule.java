package io.outpost.broker.security;

import com.fasterxml.jackson.annotation.JsonFormat;
import java.util.List;

/**
 * One entry of {@code security.rules}. A request is allowed when at least one {@code allow} rule
 * matches it and no {@code deny} rule does; the order of rules does not matter. Once any rule is
 * configured, whatever no rule allows is denied, connecting included.
 *
 * <p>Topic filters may contain {@code ${clientId}}, {@code ${username}} and {@code ${certCN}},
 * replaced by the connecting client's values. A value that is absent or not a single plain topic
 * level (empty, or containing {@code /}, {@code +}, {@code #}) never widens access: an allow rule
 * using it does not match, a deny rule using it matches everything.
 *
 * @param effect {@code allow} or {@code deny}; required
 * @param actions one or more of {@code connect}, {@code publish}, {@code subscribe}; required.
 *     {@code connect} cannot share a rule with topic actions
 * @param who whom the rule applies to, one or more of: {@code *} (everyone, anonymous included),
 *     {@code anonymous}, {@code authenticated} (a verified password or certificate), {@code
 *     user:NAME} (password-verified user name), {@code cert:NAME} (client certificate CN or SAN),
 *     {@code client:ID} (MQTT client id, as claimed by the client), {@code group:NAME} (a group of
 *     {@code security.groups}); required
 * @param topics topic filters, required for publish/subscribe rules. Publish: the topic must match
 *     one of them. Subscribe (allow): the requested filter must lie entirely within one of them, so
 *     {@code #} is only granted by a rule listing {@code #}. Subscribe (deny): the rule matches any
 *     requested filter that overlaps one of them
 */
public record PolicyRule(
    PolicyEffect effect,
    @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<PolicyAction> actions,
    @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> who,
    @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> topics) {

  /**
   * Validates; topic templates are checked as MQTT filters with every variable taken as a plain
   * level.
   */
  public PolicyRule {
    if (effect == null) {
      throw new IllegalArgumentException("effect: is required (allow or deny)");
    }
    if (actions == null
        || actions.isEmpty()
        || actions.stream().anyMatch(java.util.Objects::isNull)) {
      throw new IllegalArgumentException(
          "actions: is required (connect, publish and/or subscribe)");
    }
    actions = List.copyOf(actions);
    if (who == null || who.isEmpty()) {
      throw new IllegalArgumentException(
          "who: is required (e.g. '*', user:NAME, cert:NAME, group:NAME)");
    }
    who.forEach(Principals::validate);
    who = List.copyOf(who);
    if (topics != null) {
      topics.forEach(TopicTemplates::validate);
    }
    topics = topics == null ? List.of() : List.copyOf(topics);
    boolean connect = actions.contains(PolicyAction.CONNECT);
    if (connect && actions.size() > 1) {
      throw new IllegalArgumentException(
          "actions: connect cannot be combined with publish/subscribe in one rule");
    }
    if (connect && !topics.isEmpty()) {
      throw new IllegalArgumentException("topics: a connect rule has no topics");
    }
    if (!connect && topics.isEmpty()) {
      throw new IllegalArgumentException("topics: is required for publish/subscribe rules");
    }
  }

  /** An allow rule. */
  public static PolicyRule allow(
      List<PolicyAction> actions, List<String> who, List<String> topics) {
    return new PolicyRule(PolicyEffect.ALLOW, actions, who, topics);
  }

  /** A deny rule. */
  public static PolicyRule deny(List<PolicyAction> actions, List<String> who, List<String> topics) {
    return new PolicyRule(PolicyEffect.DENY, actions, who, topics);
  }
}
