package io.outpost.cloud;

import io.outpost.spool.DeadLetter;
import io.outpost.spool.Spool;
import io.outpost.spool.SpoolEntry;
import io.outpost.spool.SpoolStats;
import io.outpost.spool.SpooledMessage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real spool whose deletes the test can hold: records every {@code acknowledge} call (its ids and
 * whether it asked for a prompt commit) and, while {@link #gate} is not complete, hands a delete to
 * the spool only once it is (until then the messages stay in the spool file, as after a crash
 * before the delete's commit). Everything else goes straight to the spool.
 */
final class GatedSpool implements Spool {
  private final Spool spool;
  final List<List<Long>> deletes = new CopyOnWriteArrayList<>();
  final List<Boolean> prompts = new CopyOnWriteArrayList<>();
  volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);

  GatedSpool(Spool spool) {
    this.spool = spool;
  }

  @Override
  public CompletableFuture<Void> acknowledge(Collection<Long> ids) {
    return acknowledge(ids, false);
  }

  @Override
  public CompletableFuture<Void> acknowledge(Collection<Long> ids, boolean prompt) {
    List<Long> copy = new ArrayList<>(ids);
    deletes.add(copy);
    prompts.add(prompt);
    return gate.thenCompose(open -> spool.acknowledge(copy, prompt));
  }

  @Override
  public CompletableFuture<Long> append(SpoolEntry entry) {
    return spool.append(entry);
  }

  @Override
  public CompletableFuture<List<SpooledMessage>> lease(int max) {
    return spool.lease(max);
  }

  @Override
  public void release(Collection<Long> ids) {
    spool.release(ids);
  }

  @Override
  public CompletableFuture<Void> deadLetter(Collection<Long> ids, String reason) {
    return spool.deadLetter(ids, reason);
  }

  @Override
  public CompletableFuture<List<DeadLetter>> deadLetters(int limit) {
    return spool.deadLetters(limit);
  }

  @Override
  public CompletableFuture<List<DeadLetter>> deadLettersAfter(DeadLetter after, int limit) {
    return spool.deadLettersAfter(after, limit);
  }

  @Override
  public CompletableFuture<Boolean> retryDeadLetter(long id) {
    return spool.retryDeadLetter(id);
  }

  @Override
  public CompletableFuture<Integer> deleteDeadLetters(Collection<Long> ids) {
    return spool.deleteDeadLetters(ids);
  }

  @Override
  public CompletableFuture<Integer> purgeDeadLetters() {
    return spool.purgeDeadLetters();
  }

  @Override
  public void onAvailable(Runnable listener) {
    spool.onAvailable(listener);
  }

  @Override
  public void removeOnAvailable(Runnable listener) {
    spool.removeOnAvailable(listener);
  }

  @Override
  public SpoolStats stats() {
    return spool.stats();
  }

  @Override
  public void close() {
    // the test closes the spool it wraps
  }
}
