package io.outpost.broker.security;

import io.soabase.recordbuilder.core.RecordBuilder;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Device authentication and authorization: the {@code security:} section of the daemon's YAML file.
 * TLS itself is per listener ({@code broker.listeners[i].tls}, see {@link TlsOptions}).
 *
 * <p>Anonymous access is always an explicit decision: it is allowed by default only while nothing
 * else is configured (no password file, no rules), which is the laptop case with the broker on
 * 127.0.0.1. As soon as a password file or a rule is configured, clients without a verified
 * password or client certificate are refused unless {@code allowAnonymous: true} says otherwise.
 *
 * <p>Copies with one key changed are the {@code with<Key>} methods RecordBuilder generates into
 * {@code SecurityOptionsBuilder.With} ({@link #withPasswordFile} and {@link #withPolicy} also
 * return {@code allowAnonymous} to its default); every copy runs the constructor again, so it gets
 * the same defaults and checks.
 *
 * @param passwordFile file of {@code user:$pbkdf2-sha256$...} lines managed with {@code outpost
 *     passwd}; default none (user names are then not verified and never used as identity). Re-read
 *     when it changes
 * @param allowAnonymous whether clients that verified neither a password nor a certificate may
 *     connect; default {@code true} only when {@code passwordFile} is absent and {@code rules} is
 *     empty, else {@code false}
 * @param groups named sets of identities for rules ({@code group:NAME}); members are {@code user:},
 *     {@code cert:}, {@code client:} expressions, {@code anonymous} or {@code authenticated};
 *     default none
 * @param rules the authorization policy (see {@link PolicyRule}); default none, meaning every
 *     connected client may publish and subscribe to anything. With at least one rule, everything
 *     not allowed is denied
 * @param authThreads threads verifying passwords (PBKDF2 is deliberately slow); default {@value
 *     #DEFAULT_AUTH_THREADS}
 * @param authQueueCapacity CONNECTs waiting for a password check; default {@value
 *     #DEFAULT_AUTH_QUEUE_CAPACITY}. When full, further CONNECTs are refused as server busy (MQTT
 *     5: 0x89, 3.1.1: 0x03) and counted in {@code outpost.security.auth.failures{reason=busy}}
 * @param fileCheckSeconds how often certificate, key and password files are checked for changes;
 *     default {@value #DEFAULT_FILE_CHECK_SECONDS}
 */
@RecordBuilder
@RecordBuilder.Options(
    addClassRetainedGenerated = true,
    addStaticBuilder = false,
    enableGetters = false)
public record SecurityOptions(
    String passwordFile,
    Boolean allowAnonymous,
    Map<String, List<String>> groups,
    List<PolicyRule> rules,
    Integer authThreads,
    Integer authQueueCapacity,
    Integer fileCheckSeconds)
    implements SecurityOptionsBuilder.With {

  public static final int DEFAULT_AUTH_THREADS = 2;
  public static final int DEFAULT_AUTH_QUEUE_CAPACITY = 64;
  public static final int DEFAULT_FILE_CHECK_SECONDS = 10;

  /** Applies defaults (see {@code allowAnonymous}) and validates groups and rules. */
  public SecurityOptions {
    if (passwordFile != null && passwordFile.isBlank()) {
      passwordFile = null;
    }
    groups = groups == null ? Map.of() : copyGroups(groups);
    rules = rules == null ? List.of() : List.copyOf(rules);
    if (allowAnonymous == null) {
      allowAnonymous = passwordFile == null && rules.isEmpty();
    }
    authThreads = authThreads == null ? DEFAULT_AUTH_THREADS : authThreads;
    authQueueCapacity = authQueueCapacity == null ? DEFAULT_AUTH_QUEUE_CAPACITY : authQueueCapacity;
    fileCheckSeconds = fileCheckSeconds == null ? DEFAULT_FILE_CHECK_SECONDS : fileCheckSeconds;
    require("authThreads", authThreads, 1, 64);
    require("authQueueCapacity", authQueueCapacity, 1, 100_000);
    require("fileCheckSeconds", fileCheckSeconds, 1, 86_400);
    for (int i = 0; i < rules.size(); i++) {
      for (String who : rules.get(i).who()) {
        if (who.startsWith(Principals.GROUP)
            && !groups.containsKey(who.substring(Principals.GROUP.length()))) {
          throw new IllegalArgumentException(
              "rules["
                  + i
                  + "].who: unknown group '"
                  + who.substring(Principals.GROUP.length())
                  + "'; define it under security.groups");
        }
      }
    }
  }

  /** All defaults: no password file, no rules, anonymous access allowed. */
  public static SecurityOptions defaults() {
    return new SecurityOptions(null, null, null, null, null, null, null);
  }

  /**
   * A copy with another password file (anonymous access then defaults to refused unless set
   * explicitly).
   */
  @Override
  public SecurityOptions withPasswordFile(String file) {
    return with(b -> b.passwordFile(file).allowAnonymous(null));
  }

  /**
   * A copy with another policy (anonymous access then defaults to refused unless set explicitly).
   */
  public SecurityOptions withPolicy(
      Map<String, List<String>> newGroups, List<PolicyRule> newRules) {
    return with(b -> b.groups(newGroups).rules(newRules).allowAnonymous(null));
  }

  /** Whether an authorization policy is configured (deny by default). */
  public boolean hasPolicy() {
    return !rules.isEmpty();
  }

  /** The file check interval as a duration. */
  public Duration fileCheckInterval() {
    return Duration.ofSeconds(fileCheckSeconds);
  }

  private static Map<String, List<String>> copyGroups(Map<String, List<String>> groups) {
    Map<String, List<String>> copy = new LinkedHashMap<>();
    groups.forEach(
        (name, members) -> {
          if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("groups: group names must not be empty");
          }
          if (members == null) {
            throw new IllegalArgumentException("groups." + name + ": needs a list of members");
          }
          for (String member : members) {
            try {
              Principals.validate(member);
            } catch (IllegalArgumentException e) {
              throw new IllegalArgumentException(
                  "groups." + name + ": " + e.getMessage().replaceFirst("^who: ", ""));
            }
            if (member.startsWith(Principals.GROUP) || member.equals(Principals.EVERYONE)) {
              throw new IllegalArgumentException(
                  "groups."
                      + name
                      + ": member '"
                      + member
                      + "' is not allowed (no nested groups, no '*')");
            }
          }
          copy.put(name, List.copyOf(members));
        });
    return java.util.Collections.unmodifiableMap(copy);
  }

  private static void require(String key, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          key + ": must be " + min + "-" + max + " but was " + value);
    }
  }
}
