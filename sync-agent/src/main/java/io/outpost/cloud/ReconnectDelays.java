package io.outpost.cloud;

import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.core.functions.Either;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.function.DoubleSupplier;

/**
 * Delay before the next connection attempt. While nothing answers at the cloud's address (refused,
 * no route, unknown host) the link probes every {@link BackoffOptions#probeMillis()} with jitter,
 * so it is back within about that long after the cloud returns; any other failure (a timeout, a
 * refusal by the cloud) backs off exponentially with jitter. Randomness is injected so tests can
 * drive it.
 */
final class ReconnectDelays implements IntervalBiFunction<Object> {
  private final IntervalFunction backoff;
  private final long probeMillis;
  private final double jitter;
  private final DoubleSupplier random;

  ReconnectDelays(BackoffOptions options, DoubleSupplier random) {
    this.backoff =
        IntervalFunction.ofExponentialRandomBackoff(
            options.initial(), options.multiplier(), options.jitter(), options.max());
    this.probeMillis = options.probeMillis();
    this.jitter = options.jitter();
    this.random = random;
  }

  @Override
  public Long apply(Integer attempt, Either<Throwable, Object> outcome) {
    if (probeMillis > 0 && outcome.isLeft() && isUnreachable(outcome.getLeft())) {
      // uniform in probe * [1 - jitter, 1 + jitter]
      return Math.max(
          1, Math.round(probeMillis * (1 - jitter + 2 * jitter * random.getAsDouble())));
    }
    return backoff.apply(attempt);
  }

  /** Whether nothing answered at the address: refused, no route, unknown host. */
  static boolean isUnreachable(Throwable e) {
    for (Throwable t = Reconnector.unwrap(e); t != null; t = t.getCause()) {
      if (t instanceof ConnectException
          || t instanceof NoRouteToHostException
          || t instanceof UnknownHostException) {
        return true;
      }
    }
    return false;
  }
}
