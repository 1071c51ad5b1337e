package io.outpost.cloud;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A cloud connection driven by the test, for the drain's own logic (the link tests cover Paho
 * against real brokers): records every publish and lets the test answer each with a PUBACK reason
 * code, a failure, or nothing.
 */
final class ScriptedTransport implements CloudTransport {
  /**
   * One publish as the drain sent it, and the thread it was sent from; complete {@link #puback} to
   * answer.
   */
  record Sent(
      String topic,
      byte[] payload,
      List<Map.Entry<String, String>> userProperties,
      CompletableFuture<Integer> puback,
      String thread) {
    String text() {
      return new String(payload, java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  private final int receiveMaximum;
  final List<Sent> sent = new CopyOnWriteArrayList<>();

  ScriptedTransport(int receiveMaximum) {
    this.receiveMaximum = receiveMaximum;
  }

  /** Answers every publish not answered yet with reason {@code 0}. */
  void ackAll() {
    sent.forEach(s -> s.puback().complete(0));
  }

  long unanswered() {
    return sent.stream().filter(s -> !s.puback().isDone()).count();
  }

  @Override
  public CompletableFuture<Void> connect() {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Integer> publish(
      String topic,
      byte[] payload,
      int qos,
      boolean retain,
      List<Map.Entry<String, String>> userProperties,
      String contentType) {
    CompletableFuture<Integer> puback = new CompletableFuture<>();
    sent.add(new Sent(topic, payload, userProperties, puback, Thread.currentThread().getName()));
    return puback;
  }

  @Override
  public CompletableFuture<Void> subscribe(List<String> filters, int qos) {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> unsubscribe(List<String> filters) {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public int receiveMaximum() {
    return receiveMaximum;
  }

  @Override
  public CompletableFuture<Void> disconnect(long quiesceMillis) {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public void close() {}
}
