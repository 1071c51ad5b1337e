package io.outpost.spool;

/**
 * Message ids double as the drain order: {@code id = (15 - priority) << 48 | sequence}. The table's
 * rowid order is then highest priority first and FIFO within a priority, so the spool needs no
 * secondary index (one B-tree written per append instead of two). Ids stay below 2^52, safe as JSON
 * numbers.
 */
final class SpoolKeys {
  static final int MIN_PRIORITY = 0;
  static final int MAX_PRIORITY = 15;
  static final int SEQUENCE_BITS = 48;
  static final long SEQUENCE_MASK = (1L << SEQUENCE_BITS) - 1;

  /**
   * A fresh database starts its sequence at {@code epochSeconds << 16}: after a corrupt file was
   * moved aside, new ids stay clear of the old ones unless the old file averaged over 65,536
   * messages per second over its whole life.
   */
  private static final int FRESH_SHIFT = 16;

  private SpoolKeys() {}

  static long id(int priority, long sequence) {
    return ((long) (MAX_PRIORITY - priority) << SEQUENCE_BITS) | (sequence & SEQUENCE_MASK);
  }

  static int priority(long id) {
    return MAX_PRIORITY - (int) (id >>> SEQUENCE_BITS);
  }

  static long sequence(long id) {
    return id & SEQUENCE_MASK;
  }

  /** First id of a priority's range. */
  static long first(int priority) {
    return id(priority, 0);
  }

  /** First id after a priority's range. */
  static long end(int priority) {
    return first(priority) + (1L << SEQUENCE_BITS);
  }

  static long freshSequence(long epochMillis) {
    return (epochMillis / 1000) << FRESH_SHIFT;
  }
}
