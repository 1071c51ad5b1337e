package io.outpost.gateway.admin.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.outpost.testkit.MovableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ConsoleSessionsTest {

  private final MovableClock clock = MovableClock.fixed();

  @Test
  void aSessionUnusedForTheIdleTimeEndsAndUseKeepsItAlive() {
    ConsoleSessions sessions = new ConsoleSessions(4, Duration.ofMinutes(30), clock);
    ConsoleSessions.Session used = sessions.create();
    ConsoleSessions.Session idle = sessions.create();

    clock.advance(Duration.ofMinutes(20));
    assertThat(sessions.find(used.id())).isNotNull();
    clock.advance(Duration.ofMinutes(20));

    assertThat(sessions.find(used.id())).isNotNull();
    assertThat(sessions.find(idle.id())).isNull();
    assertThat(sessions.live(idle.id())).isFalse();
  }

  @Test
  void pastTheBoundTheLeastRecentlyUsedSessionEnds() {
    ConsoleSessions sessions = new ConsoleSessions(2, Duration.ofMinutes(30), clock);
    ConsoleSessions.Session a = sessions.create();
    ConsoleSessions.Session b = sessions.create();
    sessions.find(a.id());

    ConsoleSessions.Session c = sessions.create();

    assertThat(sessions.size()).isEqualTo(2);
    assertThat(sessions.evicted()).isEqualTo(1);
    assertThat(sessions.find(b.id())).isNull();
    assertThat(sessions.find(a.id())).isNotNull();
    assertThat(sessions.find(c.id())).isNotNull();
  }

  @Test
  void idsAndCsrfTokensAreDistinctRandomValuesAndCsrfMustMatchExactly() {
    ConsoleSessions sessions = new ConsoleSessions(4, Duration.ofMinutes(30), clock);
    ConsoleSessions.Session s = sessions.create();

    assertThat(s.id()).hasSize(64).isNotEqualTo(s.csrf()).isNotEqualTo(sessions.create().id());
    assertThat(ConsoleSessions.csrfMatches(s, s.csrf())).isTrue();
    assertThat(ConsoleSessions.csrfMatches(s, s.id())).isFalse();
    assertThat(ConsoleSessions.csrfMatches(s, null)).isFalse();
    assertThat(ConsoleSessions.csrfMatches(s, "")).isFalse();
  }
}
