package io.outpost.function.runtime.descriptor;

import io.outpost.function.runtime.OverflowPolicy;
import java.time.Duration;
import java.util.Map;

/**
 * A descriptor with operator overrides and runtime defaults applied: what one running version actually runs with.
 * Two specs are equal when a running version would behave the same under either.
 */
public record FunctionSpec(FunctionDescriptor descriptor, Duration timeout, int maxConcurrency, int maxQueued,
        OverflowPolicy overflow, Map<String, String> environment) {

    public FunctionSpec {
        environment = Map.copyOf(environment);
    }

    public String name() {
        return descriptor.name();
    }

    public String version() {
        return descriptor.version();
    }
}
