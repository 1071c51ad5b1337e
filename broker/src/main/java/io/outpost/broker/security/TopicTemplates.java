package io.outpost.broker.security;

import io.outpost.topic.Topics;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Topic filters of policy rules with {@code ${clientId}}, {@code ${username}} and {@code ${certCN}}
 * variables.
 */
final class TopicTemplates {

  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([^}]*)}");

  private TopicTemplates() {}

  /**
   * Checks the template: known variables only, and a valid MQTT filter with each variable as a
   * plain level.
   */
  static void validate(String template) {
    if (template == null || template.isEmpty()) {
      throw new IllegalArgumentException("topics: must not contain empty filters");
    }
    Matcher m = VARIABLE.matcher(template);
    StringBuilder plain = new StringBuilder();
    while (m.find()) {
      String name = m.group(1);
      if (!name.equals("clientId") && !name.equals("username") && !name.equals("certCN")) {
        throw new IllegalArgumentException(
            "topics: unknown variable ${"
                + name
                + "} in '"
                + template
                + "'; known: ${clientId}, ${username}, ${certCN}");
      }
      m.appendReplacement(plain, "v");
    }
    m.appendTail(plain);
    String why = Topics.filterProblem(plain.toString());
    if (why != null) {
      throw new IllegalArgumentException("topics: '" + template + "' " + why);
    }
  }

  /**
   * The filter for {@code id}, or empty when a variable has no safe value: absent, empty, or not a
   * single plain level (a client id of {@code #} must not turn {@code devices/${clientId}/#} into
   * {@code devices/#/#}).
   */
  static Optional<String> substitute(String template, ClientIdentity id) {
    Matcher m = VARIABLE.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value =
          switch (m.group(1)) {
            case "clientId" -> id.clientId();
            case "username" -> id.username();
            case "certCN" -> id.certCommonName();
            default -> null;
          };
      if (!safeLevel(value)) {
        return Optional.empty();
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return Optional.of(out.toString());
  }

  static boolean safeLevel(String value) {
    if (value == null || value.isEmpty()) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '/' || c == '+' || c == '#' || c == '\0') {
        return false;
      }
    }
    return true;
  }
}
