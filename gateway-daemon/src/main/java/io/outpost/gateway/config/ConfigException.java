package io.outpost.gateway.config;

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

  public ConfigException(String source, String keyPath, int line, String reason) {
    super(format(source, keyPath, line, reason));
    this.source = source;
    this.keyPath = keyPath;
    this.line = line;
    this.reason = reason;
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
