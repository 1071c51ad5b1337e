package io.outpost.function.runtime.testfunctions;

import io.outpost.function.Context;
import io.outpost.function.Handler;
import io.outpost.function.Message;
import io.outpost.function.Publication;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Waits until config "parties" invocations are running at once in this JVM (or its remaining time
 * is up), logging on arrival and departure; publishes "rendezvous/PAYLOAD" saying whether all
 * arrived.
 */
public class Rendezvous implements Handler {

  private static final AtomicReference<CountDownLatch> ARRIVALS = new AtomicReference<>();

  @Override
  public List<Publication> handle(Message message, Context context) throws InterruptedException {
    String payload = message.payloadAsString();
    int parties = Integer.parseInt(context.config().get("parties"));
    CountDownLatch arrivals =
        ARRIVALS.updateAndGet(l -> l == null ? new CountDownLatch(parties) : l);
    context.logger().info("arrived {}", payload);
    arrivals.countDown();
    boolean all = arrivals.await(context.remainingTime().toMillis(), TimeUnit.MILLISECONDS);
    context.logger().info("leaving {}", payload);
    return List.of(Publication.text("rendezvous/" + payload, String.valueOf(all)));
  }
}
