package io.outpost.function.runtime;

import java.time.Duration;

/** A descriptor with runtime defaults filled in: what one deployed version actually runs with. */
record FunctionSpec(FunctionDescriptor descriptor, Duration timeout, int maxConcurrency, int maxQueued,
        OverflowPolicy overflow) {

    String name() {
        return descriptor.name();
    }

    String version() {
        return descriptor.version();
    }
}
