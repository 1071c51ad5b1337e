package io.outpost.function.runtime;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;

/** What every deployed version shares: settings, the injected clock and the runtime's named scheduler thread. */
record RuntimeServices(FunctionRuntimeOptions options, Clock clock, ScheduledExecutorService scheduler,
        MeterRegistry registry) {
}
