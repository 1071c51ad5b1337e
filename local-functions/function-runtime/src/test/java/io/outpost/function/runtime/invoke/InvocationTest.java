package io.outpost.function.runtime.invoke;

import static org.assertj.core.api.Assertions.assertThat;

import io.outpost.function.runtime.InboundMessage;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Invocation}'s id and the states the worker, the watchdog and eviction race over. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class InvocationTest {

  @Test
  void idsAreTwelveLowercaseHexDigitsAndDoNotRepeat() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String id = Invocation.newId();
      assertThat(id).matches("[0-9a-f]{12}");
      seen.add(id);
    }

    assertThat(seen).hasSize(10_000);
  }

  @Test
  void onlyAStartedUnfinishedInvocationCountsAsRunning() {
    Invocation inv = new Invocation(InboundMessage.of("in/x", "{}", Instant.EPOCH));
    assertThat(inv.isRunning()).isFalse();

    assertThat(inv.start(100, 50)).isTrue();
    assertThat(inv.isRunning()).isTrue();
    assertThat(inv.deadlineNanos()).isEqualTo(150);
    assertThat(inv.finish()).isTrue();

    assertThat(inv.isRunning()).isFalse();
    assertThat(inv.isDone()).isTrue();
    assertThat(inv.finish()).isFalse();
  }
}
