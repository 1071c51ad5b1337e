package io.outpost.sim.measure;

import java.time.Clock;
import java.time.Instant;

/**
 * The two clocks the simulator needs: a monotonic one for pacing and intervals, and the wall clock
 * (in microseconds) that is embedded in payloads so another process can compute end-to-end latency.
 * Injected so tests can drive time by hand.
 */
public interface SimClock {

  /** Monotonic nanoseconds, as {@link System#nanoTime()}. */
  long nanoTime();

  /** Wall-clock microseconds since the epoch. */
  long epochMicros();

  /** The system clocks. */
  static SimClock system() {
    return system(Clock.systemUTC());
  }

  /** System monotonic time with the given wall clock. */
  static SimClock system(Clock wall) {
    return new SimClock() {
      @Override
      public long nanoTime() {
        return System.nanoTime();
      }

      @Override
      public long epochMicros() {
        Instant now = wall.instant();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
      }
    };
  }
}
