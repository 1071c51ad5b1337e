package io.outpost.gateway.config;

import java.util.List;

/**
 * A configuration that cannot be used, with where and why: the source (file name), the key path
 * ({@code broker.listeners[0].port}) and the 1-based line, so an operator can fix it without
 * guessing.
 */
public final class ConfigException extends Exception {

  private final String source;
  private final String keyPath;
  private final int line;
  private final String reason;
  private final transient List<ConfigException> all;

  public ConfigException(String source, String keyPath, int line, String reason) {
    super(format(source, keyPath, line, reason));
    this.source = source;
    this.keyPath = keyPath;
    this.line = line;
    this.reason = reason;
    this.all = List.of(this);
  }

  /**
   * Several problems found in one run, so an operator fixes them all at once; this exception's
   * location is the first one's and its message lists every one, one line each.
   */
  public ConfigException(List<ConfigException> problems) {
    super(String.join("\n", problems.stream().map(Throwable::getMessage).toList()));
    ConfigException first = problems.get(0);
    this.source = first.source;
    this.keyPath = first.keyPath;
    this.line = first.line;
    this.reason = first.reason;
    this.all = List.copyOf(problems);
  }

  /** Every problem found (this one alone unless several were). */
  public List<ConfigException> all() {
    return all;
  }

  private static String format(String source, String keyPath, int line, String reason) {
    StringBuilder b = new StringBuilder(source);
    if (line > 0) {
      b.append(':').append(line);
    }
    b.append(": ");
    if (keyPath != null && !keyPath.isEmpty()) {
      b.append(keyPath).append(": ");
    }
    return b.append(reason).toString();
  }

  /** The file (or other source) the configuration came from. */
  public String source() {
    return source;
  }

  /** Dotted key path of the offending value, empty when the problem is not tied to a key. */
  public String keyPath() {
    return keyPath;
  }

  /** 1-based line of the offending key, or 0 when unknown. */
  public int line() {
    return line;
  }

  /** What is wrong, without the location. */
  public String reason() {
    return reason;
  }
}
