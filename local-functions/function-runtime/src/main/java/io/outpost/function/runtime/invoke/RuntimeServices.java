package io.outpost.function.runtime.invoke;

import io.micrometer.core.instrument.MeterRegistry;
import io.outpost.function.runtime.FunctionRuntime;
import io.outpost.function.runtime.FunctionRuntimeOptions;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every deployed version shares: the settings in force (replaced on {@link FunctionRuntime#reconfigure}), the
 * injected clock and the runtime's named scheduler thread. Code that reads {@link #options()} when it needs a value
 * sees a reload at once; values captured when a version starts change only when the version is restarted.
 */
public final class RuntimeServices {

    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final MeterRegistry registry;
    private volatile FunctionRuntimeOptions options;

    public RuntimeServices(FunctionRuntimeOptions options, Clock clock, ScheduledExecutorService scheduler,
            MeterRegistry registry) {
        this.options = Objects.requireNonNull(options, "options");
        this.clock = clock;
        this.scheduler = scheduler;
        this.registry = registry;
    }

    public FunctionRuntimeOptions options() {
        return options;
    }

    public void options(FunctionRuntimeOptions next) {
        this.options = Objects.requireNonNull(next, "options");
    }

    public Clock clock() {
        return clock;
    }

    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    public MeterRegistry registry() {
        return registry;
    }
}
