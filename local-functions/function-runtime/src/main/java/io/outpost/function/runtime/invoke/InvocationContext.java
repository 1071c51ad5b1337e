package io.outpost.function.runtime.invoke;

import io.outpost.function.Context;
import io.outpost.function.FunctionLogger;
import io.outpost.function.Publication;
import io.outpost.function.runtime.OutboundMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The runtime's {@link Context} for one invocation; publishes go straight to the host while the
 * call is live.
 */
public final class InvocationContext implements Context {

  private final FunctionInstance instance;
  private final Invocation invocation;

  /**
   * Created on the first publish: most invocations publish nothing. Its contents are guarded by
   * this.
   */
  private volatile List<OutboundMessage> published;

  private volatile FunctionLogger handlerLogger;

  private final boolean startedNow;

  InvocationContext(FunctionInstance instance, Invocation invocation) {
    this(instance, invocation, false);
  }

  /**
   * @param startedNow started on the submitting thread ({@link Invoker#startNow}): no worker waits
   *     for it, so reporting its end also frees its slot
   */
  InvocationContext(FunctionInstance instance, Invocation invocation, boolean startedNow) {
    this.instance = instance;
    this.invocation = invocation;
    this.startedNow = startedNow;
  }

  @Override
  public String functionName() {
    return instance.spec().name();
  }

  @Override
  public String functionVersion() {
    return instance.spec().version();
  }

  @Override
  public Map<String, String> config() {
    return instance.spec().environment();
  }

  @Override
  public FunctionLogger logger() {
    FunctionLogger l = handlerLogger;
    if (l == null) {
      l = instance.handlerLogger(invocation);
      handlerLogger = l;
    }
    return l;
  }

  @Override
  public Duration remainingTime() {
    long left = invocation.deadlineNanos() - System.nanoTime();
    return left > 0 ? Duration.ofNanos(left) : Duration.ZERO;
  }

  @Override
  public void publish(Publication publication) {
    if (invocation.isDone()) {
      instance
          .logger()
          .warn("discarding publish to {} after the invocation ended", publication.topic());
      return;
    }
    publishEncoded(instance.encode(publication));
  }

  /**
   * Publishes a message a child process sent while its invocation runs (a {@code publishNow} line),
   * with the same rules as {@link #publish}.
   */
  public void publishEncoded(OutboundMessage message) {
    if (invocation.isDone()) {
      instance
          .logger()
          .warn("discarding publish to {} after the invocation ended", message.topic());
      return;
    }
    synchronized (this) {
      if (published == null) {
        published = new ArrayList<>();
      }
      if (published.size() >= instance.maxOutputs()) {
        throw new IllegalStateException(
            "more than " + instance.maxOutputs() + " messages in one invocation");
      }
      published.add(message);
    }
    instance.publishOutput(message);
  }

  /**
   * Completes the invocation with what its handler returned, from the thread that read the result
   * (a process child's reply reader), so its outputs go out without waiting for the worker thread
   * to wake up; the worker's own return then finds it reported. Nothing happens if the invocation
   * already ended (timed out, stopped).
   *
   * @throws IllegalStateException when the handler produced more messages than allowed; the invoker
   *     must then fail the invocation ({@link #failed} for one it started now, else from its worker
   *     thread)
   */
  public void returned(List<OutboundMessage> returned) {
    instance.succeeded(invocation, this, returned);
    if (startedNow) {
      instance.startedDone(invocation);
    }
  }

  /**
   * Fails an invocation the invoker started on the submitting thread ({@link Invoker#startNow}):
   * what ended it (the child's end, an error result), reported as its error outcome unless it was
   * reported already (timed out, stopped).
   */
  public void failed(Throwable cause) {
    try {
      instance.failed(invocation, this, cause);
    } finally {
      instance.startedDone(invocation);
    }
  }

  /** The id of this invocation, as its log lines and result carry it. */
  public String invocationId() {
    return invocation.id;
  }

  /** What the handler published so far, as a snapshot. */
  List<OutboundMessage> published() {
    List<OutboundMessage> p = published;
    if (p == null) {
      return List.of();
    }
    synchronized (this) {
      return List.copyOf(p);
    }
  }
}
