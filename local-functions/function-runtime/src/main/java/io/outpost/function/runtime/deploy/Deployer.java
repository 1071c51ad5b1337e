package io.outpost.function.runtime.deploy;

import io.micrometer.core.instrument.MeterRegistry;
import io.outpost.function.runtime.FunctionDeploymentException;
import io.outpost.function.runtime.FunctionHost;
import io.outpost.function.runtime.FunctionInfo;
import io.outpost.function.runtime.FunctionState;
import io.outpost.function.runtime.Lifecycle;
import io.outpost.function.runtime.RuntimeKind;
import io.outpost.function.runtime.descriptor.FunctionDescriptor;
import io.outpost.function.runtime.descriptor.FunctionPackage;
import io.outpost.function.runtime.descriptor.FunctionSpec;
import io.outpost.function.runtime.invoke.ErrorRecords;
import io.outpost.function.runtime.invoke.FunctionInstance;
import io.outpost.function.runtime.invoke.FunctionSlot;
import io.outpost.function.runtime.invoke.RuntimeServices;
import io.outpost.topic.TopicFilter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deploy, rollback, remove and reload: keeps {@link FunctionStore} and the live {@link
 * FunctionSlot}s in step. Version switches are drain-then-switch: the new version is loaded first
 * (a bad package changes nothing), takes new invocations into its queue, and starts running them
 * once the old version has finished its own. All methods run under the runtime's admin lock.
 */
public final class Deployer {

  private static final Logger LOG = LoggerFactory.getLogger(Deployer.class);

  private final FunctionStore store;
  private final FunctionHost host;
  private final ErrorRecords errors;
  private final MeterRegistry registry;
  private final Consumer<FunctionSlot> changed;
  public final Map<String, FunctionSlot> slots = new ConcurrentHashMap<>();
  public final RuntimeServices services;
  public final Map<String, FunctionInfo> failedAtStart = new ConcurrentHashMap<>();

  public Deployer(
      Path dir, RuntimeServices services, FunctionHost host, Consumer<FunctionSlot> changed) {
    this.store = new FunctionStore(dir);
    this.services = services;
    this.host = host;
    this.errors = new ErrorRecords(services.clock());
    this.registry = services.registry();
    this.changed = changed;
  }

  /**
   * Re-activates every persisted function's newest version; failures are logged and listed as
   * STOPPED.
   */
  public void loadAll() throws IOException {
    for (String name : store.names()) {
      List<FunctionStore.StoredVersion> versions = store.versions(name);
      if (versions.isEmpty()) {
        continue;
      }
      FunctionStore.StoredVersion newest = versions.get(versions.size() - 1);
      try {
        activate(FunctionPackage.open(store.versionDir(name, newest)), versions);
      } catch (RuntimeException e) {
        LOG.error("function {} version {} could not be loaded at start", name, newest.version(), e);
        failedAtStart.put(
            name, unloadable(name, store.versionDir(name, newest), newest.version(), e));
      }
    }
  }

  /**
   * What {@code list()} shows for a stored version that failed to load: STOPPED, with the reason.
   */
  private static FunctionInfo unloadable(
      String name, Path versionDir, String version, RuntimeException e) {
    RuntimeKind runtime = RuntimeKind.JAVA;
    Lifecycle lifecycle = Lifecycle.ON_DEMAND;
    List<String> triggers = List.of();
    try {
      FunctionDescriptor d = FunctionPackage.open(versionDir).descriptor();
      runtime = d.runtime();
      lifecycle = d.lifecycle();
      triggers = d.triggers();
    } catch (RuntimeException unreadable) {
      e.addSuppressed(unreadable);
    }
    return new FunctionInfo(
        name,
        version,
        runtime,
        lifecycle,
        triggers,
        FunctionState.STOPPED,
        List.of(),
        0,
        0,
        0,
        FunctionInstance.describe(e),
        null);
  }

  public FunctionSlot deploy(Path source) {
    FunctionDescriptor descriptor = FunctionPackage.readDescriptor(source);
    checkNoErrorLoop(descriptor);
    String name = descriptor.name();
    try {
      boolean existed = !store.versions(name).isEmpty();
      store.add(source, descriptor, services.options().retainedVersions());
      List<FunctionStore.StoredVersion> versions = store.versions(name);
      FunctionStore.StoredVersion added = versions.get(versions.size() - 1);
      try {
        FunctionSlot slot = activate(FunctionPackage.open(store.versionDir(name, added)), versions);
        failedAtStart.remove(name);
        return slot;
      } catch (RuntimeException e) {
        if (existed) {
          store.dropNewest(name);
        } else {
          store.remove(name);
        }
        throw e;
      }
    } catch (IOException e) {
      throw new FunctionDeploymentException(
          name + ": cannot store the package: " + e.getMessage(), e);
    }
  }

  public FunctionSlot rollback(String name) {
    FunctionSlot slot = slots.get(name);
    if (slot == null) {
      throw new FunctionDeploymentException("no function named '" + name + "'");
    }
    try {
      List<FunctionStore.StoredVersion> versions = store.versions(name);
      if (versions.size() < 2) {
        throw new FunctionDeploymentException(name + ": no previous version to roll back to");
      }
      List<FunctionStore.StoredVersion> remaining = versions.subList(0, versions.size() - 1);
      FunctionStore.StoredVersion target = remaining.get(remaining.size() - 1);
      activate(FunctionPackage.open(store.versionDir(name, target)), remaining);
      store.dropNewest(name);
      return slot;
    } catch (IOException e) {
      throw new FunctionDeploymentException(
          name + ": cannot read stored versions: " + e.getMessage(), e);
    }
  }

  /**
   * Drains and stops the active version and deletes all stored versions.
   *
   * @return the last info with state REMOVED, or null if there was no such function
   */
  public FunctionInfo remove(String name) {
    FunctionSlot slot = slots.remove(name);
    FunctionInfo failed = failedAtStart.remove(name);
    if (slot == null && failed == null) {
      return null;
    }
    FunctionInfo removed;
    if (slot != null) {
      retire(slot.current());
      removed = slot.info(FunctionState.REMOVED);
      slot.unregister();
    } else {
      removed =
          new FunctionInfo(
              name,
              failed.version(),
              failed.runtime(),
              failed.lifecycle(),
              failed.triggers(),
              FunctionState.REMOVED,
              List.of(),
              0,
              0,
              0,
              failed.lastError(),
              null);
    }
    try {
      store.remove(name);
    } catch (IOException e) {
      throw new FunctionDeploymentException(
          name + ": stopped, but deleting its files failed: " + e.getMessage(), e);
    }
    return removed;
  }

  /**
   * Drains every active version in parallel (one shared deadline), then stops them all (runtime
   * stop).
   */
  public void stopAll() {
    retireAll(
        slots.values().stream()
            .map(FunctionSlot::current)
            .filter(java.util.Objects::nonNull)
            .toList());
  }

  /**
   * Drains {@code instances} in parallel within one {@code drainTimeoutMillis}, then closes them
   * all.
   */
  void retireAll(List<FunctionInstance> instances) {
    CompletableFuture<?>[] drains =
        instances.stream().map(FunctionInstance::drain).toArray(CompletableFuture[]::new);
    long timeout = services.options().drainTimeoutMillis();
    try {
      CompletableFuture.allOf(drains).get(timeout, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      LOG.warn("functions did not drain in {} ms; cancelling what is left", timeout);
    } catch (ExecutionException e) {
      LOG.warn("draining functions failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    instances.forEach(FunctionInstance::close);
  }

  private FunctionSlot activate(FunctionPackage pkg, List<FunctionStore.StoredVersion> versions) {
    String name = pkg.descriptor().name();
    FunctionSpec spec;
    try {
      spec = pkg.descriptor().resolve(services.options());
    } catch (IllegalArgumentException e) {
      throw new FunctionDeploymentException(e.getMessage(), e);
    }
    FunctionSlot slot =
        slots.computeIfAbsent(
            name,
            n -> new FunctionSlot(n, host, errors, registry, () -> changed.accept(slots.get(n))));
    FunctionInstance next = new FunctionInstance(pkg, spec, slot, services, Invokers::create);
    try {
      next.load();
    } catch (Exception | LinkageError e) {
      next.close();
      if (slot.current() == null) {
        slots.remove(name);
        slot.unregister();
      }
      if (e instanceof FunctionDeploymentException fde) {
        throw fde;
      }
      throw new FunctionDeploymentException(
          name
              + " "
              + pkg.descriptor().version()
              + ": cannot start: "
              + FunctionInstance.describe(e),
          e);
    }
    List<String> previous = new ArrayList<>();
    for (FunctionStore.StoredVersion v : versions.subList(0, versions.size() - 1)) {
      previous.add(v.version());
    }
    Collections.reverse(previous);
    FunctionInstance old = slot.current();
    slot.activate(next, previous);
    retire(old);
    next.startWorkers();
    LOG.info(
        "function {} version {} active ({} runtime, {})",
        name,
        pkg.descriptor().version(),
        pkg.descriptor().runtime().yaml(),
        pkg.descriptor().lifecycle().yaml());
    return slot;
  }

  private void retire(FunctionInstance old) {
    if (old == null) {
      return;
    }
    try {
      old.drain().get(services.options().drainTimeoutMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      LOG.warn(
          "function {} version {} did not drain in {} ms; cancelling what is left",
          old.spec().name(),
          old.spec().version(),
          services.options().drainTimeoutMillis());
    } catch (ExecutionException e) {
      LOG.warn("function {} drain failed", old.spec().name(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    old.close();
  }

  private static void checkNoErrorLoop(FunctionDescriptor d) {
    String errorTopic = ErrorRecords.topic(d.name());
    for (String trigger : d.triggers()) {
      if (TopicFilter.of(trigger).matches(errorTopic)) {
        throw new FunctionDeploymentException(
            "triggers: '"
                + trigger
                + "' matches the function's own error "
                + "topic "
                + errorTopic
                + " and would invoke it with its own failures");
      }
    }
  }
}
