package io.outpost.function.testing;

import io.outpost.function.Handler;
import io.outpost.function.Publication;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Runs a handler in a plain JUnit test, without a daemon, with the runtime's own message and JSON
 * behaviour.
 *
 * <pre>{@code
 * FunctionTester tester = FunctionTester.of(new ThresholdAlert()).withConfig(Map.of("threshold", "30"));
 * TestResult result = tester.invoke("sensors/s1/temperature", "{\"celsius\": 31.5}");
 * PublishedMessage alert = result.singleOutput();
 * assertThat(alert.topic()).isEqualTo("alerts/s1");
 * alert.assertJsonEquals("{\"sensor\": \"s1\", \"celsius\": 31.5}");
 * }</pre>
 *
 * <p>{@link #of(Handler)} reuses one instance (like {@code lifecycle: pinned}); {@link
 * #of(Supplier)} creates one per invocation (like {@code on-demand}). The handler runs on the
 * calling thread; exceptions propagate unchanged, and the timeout only drives {@code
 * Context.remainingTime()} (it is not enforced). Not thread-safe.
 */
public final class FunctionTester {

  /** Name reported by {@code Context.functionName()} unless {@link #named} says otherwise. */
  public static final String DEFAULT_NAME = "function-under-test";

  /** Version reported by {@code Context.functionVersion()} unless {@link #named} says otherwise. */
  public static final String DEFAULT_VERSION = "0.0.0-test";

  /**
   * Timeout seen through {@code Context.remainingTime()} unless {@link #withTimeout} says
   * otherwise.
   */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);

  private final Supplier<? extends Handler> handlers;
  private final TestLogger logger = new TestLogger();
  private String name = DEFAULT_NAME;
  private String version = DEFAULT_VERSION;
  private Map<String, String> config = Map.of();
  private Duration timeout = DEFAULT_TIMEOUT;
  private Clock clock = Clock.systemUTC();

  private FunctionTester(Supplier<? extends Handler> handlers) {
    this.handlers = handlers;
  }

  /** Tests one handler instance across invocations (pinned semantics: its fields keep state). */
  public static FunctionTester of(Handler handler) {
    Objects.requireNonNull(handler, "handler");
    return new FunctionTester(() -> handler);
  }

  /** Tests a fresh handler per invocation (on-demand semantics). */
  public static FunctionTester of(Supplier<? extends Handler> factory) {
    return new FunctionTester(Objects.requireNonNull(factory, "factory"));
  }

  /** Sets the function name and version the handler sees. */
  public FunctionTester named(String functionName, String functionVersion) {
    this.name = functionName;
    this.version = functionVersion;
    return this;
  }

  /** Sets {@code Context.config()} (the descriptor's {@code environment}). */
  public FunctionTester withConfig(Map<String, String> newConfig) {
    this.config = Map.copyOf(newConfig);
    return this;
  }

  /** Sets the timeout behind {@code Context.remainingTime()}. */
  public FunctionTester withTimeout(Duration newTimeout) {
    this.timeout = newTimeout;
    return this;
  }

  /**
   * Sets the clock that stamps {@code Message.receivedAt()} for the {@code invoke(topic, payload)}
   * forms.
   */
  public FunctionTester withClock(Clock newClock) {
    this.clock = newClock;
    return this;
  }

  /** Invokes with a UTF-8 payload, received now (per the clock), QoS 0, no properties. */
  public TestResult invoke(String topic, String payload) throws Exception {
    return invoke(TestMessage.of(topic, payload));
  }

  /** Invokes with a binary payload, received now (per the clock), QoS 0, no properties. */
  public TestResult invoke(String topic, byte[] payload) throws Exception {
    return invoke(TestMessage.of(topic, payload));
  }

  /**
   * Invokes with a fully specified message (QoS, user properties, publisher, receive time); without
   * a receive time, the clock says when.
   */
  public TestResult invoke(TestMessage message) throws Exception {
    TestContext context = new TestContext(name, version, config, logger, timeout);
    List<Publication> returned =
        handlers
            .get()
            .handle(new TestMessageView(message, message.receivedAtOr(clock.instant())), context);
    List<PublishedMessage> encoded = new ArrayList<>();
    if (returned != null) {
      for (Publication p : returned) {
        encoded.add(TestJson.encode(p));
      }
    }
    return new TestResult(context.published(), encoded);
  }

  /** Everything the handler logged so far, formatted, e.g. {@code "WARN sensor s1 is hot"}. */
  public List<String> logs() {
    return logger.lines();
  }
}
