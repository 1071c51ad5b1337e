package io.outpost.gateway.config;

import java.util.List;

/**
 * What a configuration reload did: whether the new file was accepted, what took effect live, which
 * keys need a restart to take effect, and what could not be applied (the running value stays in
 * force for those).
 *
 * @param accepted false when the new file was refused as a whole; nothing changed then
 * @param error why it was refused, or null
 * @param applied what changed live, e.g. {@code routes}, {@code functions (restarted: hello)}
 * @param restartRequired keys that differ but take effect only after a restart, e.g. {@code
 *     broker.listeners}
 * @param failed changes that were tried and failed, with the reason; the previous settings run on
 *     for those
 */
public record ReloadResult(
    boolean accepted,
    String error,
    List<String> applied,
    List<String> restartRequired,
    List<String> failed) {

  public ReloadResult {
    applied = List.copyOf(applied);
    restartRequired = List.copyOf(restartRequired);
    failed = List.copyOf(failed);
  }

  public static ReloadResult rejected(String error) {
    return new ReloadResult(false, error, List.of(), List.of(), List.of());
  }

  /** One line for logs and the CLI. */
  public String summary() {
    if (!accepted) {
      return "rejected: " + error;
    }
    String line = applied.isEmpty() ? "nothing changed" : "applied " + String.join(", ", applied);
    if (!restartRequired.isEmpty()) {
      line += "; restart required for " + String.join(", ", restartRequired);
    }
    if (!failed.isEmpty()) {
      line += "; not applied: " + String.join("; ", failed);
    }
    return line;
  }
}
