package io.outpost.function.runtime.deploy;

import io.outpost.function.runtime.FunctionReconfiguration;
import io.outpost.function.runtime.FunctionRuntimeOptions;
import io.outpost.function.runtime.descriptor.FunctionSpec;
import io.outpost.function.runtime.invoke.FunctionInstance;
import io.outpost.function.runtime.invoke.FunctionSlot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies new runtime settings to running functions. Settings read at the moment they are needed
 * (output limit, abandoned-thread limit, drain timeout, retained versions) change for everyone at
 * once. A function whose effective settings change (timeout, concurrency, queue, overflow,
 * environment, or the BROKEN/restart settings a version captures at start) is restarted
 * drain-then-switch, like a redeploy of the same version: a second instance under the new settings
 * takes new invocations into its queue while the old one finishes its queued and in-flight ones
 * under the old settings, so the function's bounds hold throughout. Runs under the runtime's admin
 * lock.
 */
public final class Reconfigurer {

  private static final Logger LOG = LoggerFactory.getLogger(Reconfigurer.class);

  private final Deployer deployer;

  public Reconfigurer(Deployer deployer) {
    this.deployer = deployer;
  }

  /**
   * @throws IllegalArgumentException naming the key when {@code next} does not fit a deployed
   *     function; nothing changes then
   */
  public FunctionReconfiguration apply(FunctionRuntimeOptions next) {
    FunctionRuntimeOptions previous = deployer.services.options();
    Map<FunctionSlot, FunctionSpec> changed = new LinkedHashMap<>();
    for (FunctionSlot slot : deployer.slots.values()) {
      FunctionInstance current = slot.current();
      if (current == null) {
        continue;
      }
      FunctionSpec spec =
          current.spec().descriptor().resolve(next); // throws before anything changed
      if (!spec.equals(current.spec())
          || !previous.sameStartSettings(next, current.spec().descriptor().runtime())) {
        changed.put(slot, spec);
      }
    }
    deployer.services.options(next);

    List<String> restarted = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    List<FunctionInstance> retiring = new ArrayList<>();
    List<FunctionInstance> started = new ArrayList<>();
    for (Map.Entry<FunctionSlot, FunctionSpec> e : changed.entrySet()) {
      FunctionSlot slot = e.getKey();
      FunctionInstance old = slot.current();
      FunctionInstance fresh =
          new FunctionInstance(old.pkg(), e.getValue(), slot, deployer.services, Invokers::create);
      try {
        fresh.load();
      } catch (Exception | LinkageError ex) {
        if (ex instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        fresh.close();
        String reason = slot.name + ": " + FunctionInstance.describe(ex);
        LOG.error(
            "function {} keeps its previous settings: it cannot start under the new ones",
            slot.name,
            ex);
        failed.add(reason);
        continue;
      }
      slot.replace(fresh);
      retiring.add(old);
      started.add(fresh);
      restarted.add(slot.name);
    }
    deployer.retireAll(retiring);
    started.forEach(FunctionInstance::startWorkers);
    if (!restarted.isEmpty()) {
      LOG.info("functions restarted under new settings: {}", restarted);
    }
    return new FunctionReconfiguration(restarted, failed);
  }
}
