package io.outpost.spool;

/**
 * A stored message leased to the drain.
 *
 * @param id stable id, delivered to the cloud (user property {@code outpost-id}) so consumers can
 *     drop duplicates
 * @param entry the message as appended
 * @param storedBytes the size the spool accounts for this message
 */
public record SpooledMessage(long id, SpoolEntry entry, int storedBytes) {}
