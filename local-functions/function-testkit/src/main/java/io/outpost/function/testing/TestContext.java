package io.outpost.function.testing;

import io.outpost.function.Context;
import io.outpost.function.FunctionLogger;
import io.outpost.function.Publication;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The tester's {@link Context}: collects publishes instead of sending them. */
final class TestContext implements Context {

  private final String name;
  private final String version;
  private final Map<String, String> config;
  private final FunctionLogger logger;
  private final long deadlineNanos;
  private final List<PublishedMessage> published = new ArrayList<>();

  TestContext(
      String name,
      String version,
      Map<String, String> config,
      FunctionLogger logger,
      Duration timeout) {
    this.name = name;
    this.version = version;
    this.config = config;
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
    long left = deadlineNanos - System.nanoTime();
    return left > 0 ? Duration.ofNanos(left) : Duration.ZERO;
  }

  @Override
  public void publish(Publication publication) {
    published.add(TestJson.encode(publication));
  }

  List<PublishedMessage> published() {
    return published;
  }
}
