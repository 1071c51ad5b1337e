package io.outpost.function.runtime.deploy;

import io.micrometer.core.instrument.MeterRegistry;
import io.outpost.function.runtime.FunctionDeploymentException;
import io.outpost.function.runtime.FunctionDeploymentException.Reason;
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
import io.outpost.function.runtime.process.StartFailures;
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
   * Re-activates every persisted function's active version; failures are logged and listed as
   * STOPPED.
   */
  public void loadAll() throws IOException {
    for (String name : store.names()) {
      FunctionStore.StoredFunction state = store.state(name);
      FunctionStore.StoredVersion newest = state.activeVersion();
      if (newest == null) {
        continue;
      }
      try {
        activate(FunctionPackage.open(store.versionDir(name, newest)), state.versions(), false);
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
        e.getMessage() != null ? e.getMessage() : FunctionInstance.describe(e),
        null,
        null,
        null);
  }

  /**
   * Stores a package and switches to it once it loaded (and, for a process function, kept running
   * through {@code functions.deployProbeMillis}); otherwise it is forgotten and the previous
   * version keeps running.
   */
  public FunctionSlot deploy(Path source) {
    FunctionDescriptor descriptor = FunctionPackage.readDescriptor(source);
    checkNoErrorLoop(descriptor);
    try {
      descriptor.resolve(services.options());
    } catch (IllegalArgumentException e) {
      // a limit over the daemon's cap, at its line of the user's file
      throw new FunctionDeploymentException(
          FunctionPackage.placeProblem(source, e.getMessage()), e);
    }
    String name = descriptor.name();
    FunctionStore.StoredVersion added;
    try {
      added = store.add(source, descriptor);
    } catch (IOException e) {
      throw new FunctionDeploymentException(
          name + ": cannot store the package: " + e.getMessage(), e);
    }
    return switchTo(name, added, true);
  }

  /**
   * Switches to the version just older than the active one; newer versions stay kept, so {@link
   * #activate(String, String)} can roll forward again.
   */
  public FunctionSlot rollback(String name) {
    FunctionStore.StoredFunction state = state(name);
    List<FunctionStore.StoredVersion> versions = state.versions();
    int active = versions.indexOf(state.activeVersion());
    if (active <= 0) {
      throw new FunctionDeploymentException(
          Reason.NOTHING_TO_DO,
          name
              + ": no older version to roll back to (kept: "
              + labels(versions)
              + "; active: "
              + state.activeVersion().version()
              + ")");
    }
    return switchTo(name, versions.get(active - 1), false);
  }

  /** Switches to the kept version labelled {@code version}, older or newer than the active one. */
  public FunctionSlot activate(String name, String version) {
    FunctionStore.StoredFunction state = state(name);
    for (FunctionStore.StoredVersion v : state.versions()) {
      if (v.version().equals(version)) {
        return switchTo(name, v, false);
      }
    }
    throw new FunctionDeploymentException(
        Reason.NOT_FOUND,
        name + " has no version " + version + " (kept: " + labels(state.versions()) + ")");
  }

  /** The stored state of a deployed function. */
  private FunctionStore.StoredFunction state(String name) {
    if (slots.get(name) == null && failedAtStart.get(name) == null) {
      throw new FunctionDeploymentException(Reason.NOT_FOUND, "no function named '" + name + "'");
    }
    try {
      FunctionStore.StoredFunction state = store.state(name);
      if (state.activeVersion() == null) {
        throw new FunctionDeploymentException(Reason.NOT_FOUND, "no function named '" + name + "'");
      }
      return state;
    } catch (IOException e) {
      throw new FunctionDeploymentException(
          name + ": cannot read stored versions: " + e.getMessage(), e);
    }
  }

  private static String labels(List<FunctionStore.StoredVersion> versions) {
    return String.join(", ", versions.stream().map(FunctionStore.StoredVersion::version).toList());
  }

  /**
   * Loads {@code target} and makes it the active version on disk and in memory; when it cannot
   * start, a {@code fresh} (just stored) version is forgotten and nothing else changes.
   */
  private FunctionSlot switchTo(String name, FunctionStore.StoredVersion target, boolean fresh) {
    try {
      List<FunctionStore.StoredVersion> versions = store.versions(name);
      FunctionSlot slot;
      try {
        slot = activate(FunctionPackage.open(store.versionDir(name, target)), versions, true);
      } catch (RuntimeException e) {
        if (fresh) {
          store.discard(name, target);
        }
        throw e;
      }
      store.activate(name, target, services.options().retainedVersions());
      failedAtStart.remove(name);
      Kept kept = kept(store.versions(name), target);
      slot.keep(kept.older(), kept.all());
      return slot;
    } catch (IOException e) {
      throw new FunctionDeploymentException(
          name + ": cannot update stored versions: " + e.getMessage(), e);
    }
  }

  /**
   * The kept versions' labels as a function shows them.
   *
   * @param older versions older than the active one, newest first (the rollback targets)
   * @param all every kept version, oldest first
   */
  private record Kept(List<String> older, List<String> all) {}

  private static Kept kept(
      List<FunctionStore.StoredVersion> versions, FunctionStore.StoredVersion active) {
    List<String> older = new ArrayList<>();
    List<String> all = new ArrayList<>();
    boolean before = true;
    for (FunctionStore.StoredVersion v : versions) {
      if (v.equals(active)) {
        before = false;
      } else if (before) {
        older.add(v.version());
      }
      all.add(v.version());
    }
    Collections.reverse(older);
    return new Kept(older, all);
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
              null,
              failed.keptVersions(),
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

  private FunctionSlot activate(
      FunctionPackage pkg, List<FunctionStore.StoredVersion> versions, boolean probe) {
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
      if (probe) {
        next.probe(services.options().deployProbeMillis());
      }
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
          name + " " + pkg.descriptor().version() + ": cannot start: " + startFailure(pkg, e), e);
    }
    FunctionStore.StoredVersion active = null;
    for (FunctionStore.StoredVersion v : versions) {
      if (pkg.location().startsWith(store.versionDir(name, v))) {
        active = v;
      }
    }
    Kept kept = kept(versions, active);
    FunctionInstance old = slot.current();
    slot.activate(next, kept.older());
    slot.keep(kept.older(), kept.all());
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

  /** Why a version did not start, in the author's terms (no Java exception class names). */
  private static String startFailure(FunctionPackage pkg, Throwable e) {
    if (e instanceof IOException failed && pkg.descriptor().command() != null) {
      return String.valueOf(failed.getMessage()).contains("error=")
          ? StartFailures.describe(pkg.descriptor().command().get(0), failed)
          : String.valueOf(failed.getMessage());
    }
    return e.getMessage() != null ? e.getMessage() : "it failed as it started";
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
