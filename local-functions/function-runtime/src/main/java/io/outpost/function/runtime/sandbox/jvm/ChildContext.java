package io.outpost.function.runtime.sandbox.jvm;

import io.outpost.function.Context;
import io.outpost.function.FunctionLogger;
import io.outpost.function.Publication;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The {@link Context} of one invocation in a child JVM; publications go back with the result line. */
final class ChildContext implements Context {

    private final String name;
    private final String version;
    private final Map<String, String> config;
    private final FunctionLogger logger;
    private final long deadlineNanos;
    private final List<Publication> published = new ArrayList<>();

    ChildContext(String name, String version, Map<String, String> config, FunctionLogger logger, Duration timeout) {
        this.name = name;
        this.version = version;
        this.config = Map.copyOf(config);
        this.logger = logger;
        this.deadlineNanos = System.nanoTime() + timeout.toNanos();
    }

    @Override
    public String functionName() {
        return name;
    }

    @Override
    public String functionVersion() {
        return version;
    }

    @Override
    public Map<String, String> config() {
        return config;
    }

    @Override
    public FunctionLogger logger() {
        return logger;
    }

    @Override
    public Duration remainingTime() {
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }

    @Override
    public synchronized void publish(Publication publication) {
        published.add(publication);
    }

    synchronized List<Publication> published() {
        return List.copyOf(published);
    }
}
