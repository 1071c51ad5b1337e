package io.outpost.spool;

/**
 * A message the cloud refused, kept for inspection and manual retry.
 *
 * @param id the message's stable id (unchanged by a retry)
 * @param entry the message as appended
 * @param reason why it was refused, e.g. {@code puback 0x87 not authorized} or {@code too-large}
 * @param failedAtMillis when it was moved to the dead-letter table
 */
public record DeadLetter(long id, SpoolEntry entry, String reason, long failedAtMillis) {}
