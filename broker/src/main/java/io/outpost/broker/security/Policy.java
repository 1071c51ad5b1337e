package io.outpost.broker.security;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The compiled authorization policy. {@link #forClient} resolves groups and topic variables once
 * per connection, so each PUBLISH or SUBSCRIBE check is only topic matching against that client's
 * own filter lists.
 */
public final class Policy {

  private final List<PolicyRule> rules;
  private final Map<String, List<String>> groups;

  private Policy(List<PolicyRule> rules, Map<String, List<String>> groups) {
    this.rules = rules;
    this.groups = groups;
  }

  /** The policy of {@code options}; without rules every client may do everything. */
  public static Policy of(SecurityOptions options) {
    return new Policy(options.rules(), options.groups());
  }

  /** Whether rules are configured, i.e. whether anything not allowed is denied. */
  public boolean enforcing() {
    return !rules.isEmpty();
  }

  /** What {@code id} may do, for the lifetime of its connection. */
  public ClientPermissions forClient(ClientIdentity id) {
    if (rules.isEmpty()) {
      return ClientPermissions.ALL;
    }
    Map<PolicyAction, List<String>> allow = new EnumMap<>(PolicyAction.class);
    Map<PolicyAction, List<String>> deny = new EnumMap<>(PolicyAction.class);
    for (PolicyAction a : PolicyAction.values()) {
      allow.put(a, new ArrayList<>());
      deny.put(a, new ArrayList<>());
    }
    for (PolicyRule rule : rules) {
      if (!appliesTo(rule, id)) {
        continue;
      }
      boolean denying = rule.effect() == PolicyEffect.DENY;
      for (PolicyAction action : rule.actions()) {
        List<String> target = (denying ? deny : allow).get(action);
        if (action == PolicyAction.CONNECT) {
          target.add("#");
          continue;
        }
        for (String template : rule.topics()) {
          Optional<String> filter = TopicTemplates.substitute(template, id);
          if (filter.isPresent()) {
            target.add(filter.get());
          } else if (denying) {
            target.add("#"); // no safe value for a variable: a deny rule fails closed
          }
        }
      }
    }
    return new ClientPermissions(allow, deny);
  }

  private boolean appliesTo(PolicyRule rule, ClientIdentity id) {
    for (String who : rule.who()) {
      if (Principals.matches(who, id, groups)) {
        return true;
      }
    }
    return false;
  }
}
