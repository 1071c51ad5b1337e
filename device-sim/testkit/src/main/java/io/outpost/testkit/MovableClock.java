package io.outpost.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A UTC clock a test moves forward by hand: either standing at a fixed instant ({@link #at}) or
 * running with the system clock ({@link #ahead}); {@link #advance} and {@link #moveTo} move both.
 * Safe to read from any thread while the test moves it.
 */
public final class MovableClock extends Clock {

  private final Instant start;
  private final AtomicReference<Duration> moved = new AtomicReference<>(Duration.ZERO);

  private MovableClock(Instant start) {
    this.start = start;
  }

  /** A clock standing at {@code start} until moved. */
  public static MovableClock at(Instant start) {
    return new MovableClock(start);
  }

  /** A clock standing at 2026-12-01T00:00:00Z until moved. */
  public static MovableClock fixed() {
    return at(Instant.parse("2026-12-01T00:00:00Z"));
  }

  /** The system clock, plus however far it has been moved. */
  public static MovableClock ahead() {
    return new MovableClock(null);
  }

  /** Moves the clock forward by {@code by}. */
  public void advance(Duration by) {
    moved.accumulateAndGet(by, Duration::plus);
  }

  /** Sets the clock to {@code to}, earlier or later than now. */
  public void moveTo(Instant to) {
    moved.set(Duration.between(base(), to));
  }

  @Override
  public Instant instant() {
    return base().plus(moved.get());
  }

  private Instant base() {
    return start == null ? Instant.now() : start;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
