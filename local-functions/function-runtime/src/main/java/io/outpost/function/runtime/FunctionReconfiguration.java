package io.outpost.function.runtime;

import java.util.List;

/**
 * What {@link FunctionRuntime#reconfigure} did.
 *
 * @param restarted functions whose effective settings changed and that now run under the new ones
 *     (their queued and in-flight invocations finished under the old settings first)
 * @param failed functions that could not be started under the new settings, with the reason; each
 *     keeps running under its previous settings
 */
public record FunctionReconfiguration(List<String> restarted, List<String> failed) {

  public FunctionReconfiguration {
    restarted = List.copyOf(restarted);
    failed = List.copyOf(failed);
  }
}
