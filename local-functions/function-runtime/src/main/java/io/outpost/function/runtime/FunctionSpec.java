package io.outpost.function.runtime;

import java.time.Duration;
import java.util.Map;

/**
 * A descriptor with operator overrides and runtime defaults applied: what one running version actually runs with.
 * Two specs are equal when a running version would behave the same under either.
 */
record FunctionSpec(FunctionDescriptor descriptor, Duration timeout, int maxConcurrency, int maxQueued,
        OverflowPolicy overflow, Map<String, String> environment) {

    FunctionSpec {
        environment = Map.copyOf(environment);
    }

    String name() {
        return descriptor.name();
    }

    String version() {
        return descriptor.version();
    }
}
