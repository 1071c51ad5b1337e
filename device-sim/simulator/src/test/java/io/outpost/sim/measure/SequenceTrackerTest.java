package io.outpost.sim.measure;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SequenceTrackerTest {

  private final SequenceTracker tracker = SequenceTracker.withDefaults();

  @Test
  void countsNothingWrongForAPerfectStream() {
    for (long s = 1; s <= 100; s++) {
      assertThat(tracker.record("a", s)).isEqualTo(Arrival.IN_ORDER);
    }
    assertThat(tracker.counts(100, 1)).isEqualTo(new SequenceCounts(1, 100, 0, 0, 0, 0, 100));
  }

  @Test
  void classifiesGapsDuplicatesAndReorders() {
    long[] arrivals = {1, 2, 4, 4, 3, 6, 9, 7, 2};
    Arrival[] expected = {
      Arrival.IN_ORDER,
      Arrival.IN_ORDER,
      Arrival.IN_ORDER,
      Arrival.DUPLICATE,
      Arrival.OUT_OF_ORDER,
      Arrival.IN_ORDER,
      Arrival.IN_ORDER,
      Arrival.OUT_OF_ORDER,
      Arrival.DUPLICATE
    };
    for (int i = 0; i < arrivals.length; i++) {
      assertThat(tracker.record("a", arrivals[i])).as("arrival %d", i).isEqualTo(expected[i]);
    }

    SequenceCounts c = tracker.counts();
    assertThat(c.received()).isEqualTo(9);
    assertThat(c.lost()).as("5 and 8 never came").isEqualTo(2);
    assertThat(c.duplicates()).isEqualTo(2);
    assertThat(c.outOfOrder()).isEqualTo(2);
  }

  @Test
  void lateArrivalFillsItsGapAndIsNotLost() {
    tracker.record("a", 1);
    tracker.record("a", 5);
    assertThat(tracker.counts().lost()).isEqualTo(3);

    tracker.record("a", 3);

    assertThat(tracker.counts().lost()).isEqualTo(2);
    assertThat(tracker.counts().outOfOrder()).isEqualTo(1);
  }

  @Test
  void missingTailAndSilentDevicesCountAsLostWhenTheSentCountIsKnown() {
    tracker.record("a", 1);
    tracker.record("a", 2);
    tracker.record("b", 1);

    assertThat(tracker.counts().lost()).isZero();
    assertThat(tracker.counts(5, 3).lost()).as("a: 3 tail, b: 4 tail, c: 5 silent").isEqualTo(12);
  }

  @Test
  void missingHeadCountsAsLost() {
    tracker.record("a", 4);

    assertThat(tracker.counts().lost()).isEqualTo(3);
  }

  @Test
  void keepsDevicesApart() {
    tracker.record("a", 1);
    tracker.record("b", 1);
    tracker.record("b", 2);

    assertThat(tracker.counts()).isEqualTo(new SequenceCounts(2, 3, 0, 0, 0, 0, 3));
  }

  @Test
  void devicesBeyondTheBoundAreCountedUntracked() {
    SequenceTracker small = new SequenceTracker(1, 2, 10);
    small.record("a", 1);
    small.record("b", 1);

    assertThat(small.record("c", 1)).isEqualTo(Arrival.UNTRACKED);
    assertThat(small.counts().untracked()).isEqualTo(1);
    assertThat(small.overflowMessages()).isEqualTo(1);
  }

  @Test
  void oldestGapIsGivenUpAsLostWhenTheGapTableIsFull() {
    SequenceTracker small = new SequenceTracker(1, 10, 2);
    small.record("a", 2); // gap {1}
    small.record("a", 4); // gap {3}
    small.record("a", 6); // gap {5}: table full, {1} forgotten

    assertThat(small.counts().lost()).isEqualTo(3);
    assertThat(small.record("a", 1)).isEqualTo(Arrival.UNTRACKED);
    assertThat(small.record("a", 3)).isEqualTo(Arrival.OUT_OF_ORDER);
    assertThat(small.counts().lost()).as("1 stays lost: its late copy is untracked").isEqualTo(2);
  }

  @Test
  void largeGapCostsOneRange() {
    tracker.record("a", 1);
    tracker.record("a", 1_000_001);

    assertThat(tracker.counts().lost()).isEqualTo(999_999);
    assertThat(tracker.record("a", 500_000)).isEqualTo(Arrival.OUT_OF_ORDER);
    assertThat(tracker.counts().lost()).isEqualTo(999_998);
  }

  @Test
  void honoursAnotherFirstSequenceNumber() {
    SequenceTracker zeroBased = new SequenceTracker(0, 10, 10);
    zeroBased.record("a", 0);
    zeroBased.record("a", 1);

    assertThat(zeroBased.counts(2, 1).lost()).isZero();
  }
}
