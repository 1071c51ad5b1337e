package io.outpost.gateway;

import java.util.List;

/**
 * What a configuration reload did: whether the new file was accepted, which sections took effect live and which need
 * a restart to take effect.
 */
public record ReloadResult(boolean accepted, String error, List<String> applied, List<String> restartRequired) {

  static ReloadResult rejected(String error) {
    return new ReloadResult(false, error, List.of(), List.of());
  }

  /** One line for logs and the CLI. */
  public String summary() {
    if (!accepted) {
      return "rejected: " + error;
    }
    String done = applied.isEmpty() ? "nothing changed" : "applied " + String.join(", ", applied);
    return restartRequired.isEmpty() ? done : done + "; restart required for " + String.join(", ", restartRequired);
  }
}
