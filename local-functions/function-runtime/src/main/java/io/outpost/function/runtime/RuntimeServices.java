package io.outpost.function.runtime;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every deployed version shares: the settings in force (replaced on {@link FunctionRuntime#reconfigure}), the
 * injected clock and the runtime's named scheduler thread. Code that reads {@link #options()} when it needs a value
 * sees a reload at once; values captured when a version starts change only when the version is restarted.
 */
final class RuntimeServices {

    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final MeterRegistry registry;
    private volatile FunctionRuntimeOptions options;

    RuntimeServices(FunctionRuntimeOptions options, Clock clock, ScheduledExecutorService scheduler,
            MeterRegistry registry) {
        this.options = Objects.requireNonNull(options, "options");
        this.clock = clock;
        this.scheduler = scheduler;
        this.registry = registry;
    }

    FunctionRuntimeOptions options() {
        return options;
    }

    void options(FunctionRuntimeOptions next) {
        this.options = Objects.requireNonNull(next, "options");
    }

    Clock clock() {
        return clock;
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    MeterRegistry registry() {
        return registry;
    }
}
