package io.outpost.spool;

import io.soabase.recordbuilder.core.RecordBuilder;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Options of the durable spool: the {@code storage:} section of the gateway YAML.
 *
 * <p>Every component is boxed so an absent key is {@code null} and gets the default named in its
 * constant; invalid values are rejected with {@code IllegalArgumentException("<key>: <why>")}.
 *
 * <p>Copies with one key changed are the {@code with<Key>} methods RecordBuilder generates into
 * {@code SpoolOptionsBuilder.With}; every copy runs the constructor again, so it gets the same
 * defaults and checks.
 *
 * @param dir directory holding {@code spool.db} (created if missing). Default {@value
 *     #DEFAULT_DIR}.
 * @param maxBytes capacity of the spool, counted as the stored size of messages (payload, topic,
 *     route, properties). When an append would exceed it, {@code overflowPolicy} applies. Default
 *     {@value #DEFAULT_MAX_BYTES} (1 GiB).
 * @param overflowPolicy {@code drop-oldest} (default) or {@code reject-new}, see {@link
 *     OverflowPolicy}.
 * @param synchronous SQLite durability level: {@code full} (default), {@code extra} or {@code
 *     normal}, see {@link Synchronous}.
 * @param spoolQos0 {@code true} (default): an entry with QoS 0 is as durable as QoS 1 (its append
 *     completes after the fsync). {@code false}: QoS 0 entries are still stored and drained but
 *     their append completes as soon as it is queued (at-most-once; lost on a crash).
 * @param commitBatchMax most appends/acks folded into one transaction and fsync (group commit).
 *     Default {@value #DEFAULT_COMMIT_BATCH_MAX}.
 * @param queueMax most appends waiting for the writer thread; past it appends fail fast with {@link
 *     SpoolUnavailableException} (counted as {@code outpost.spool.rejected{reason=queue-full}}).
 *     Default {@value #DEFAULT_QUEUE_MAX}.
 * @param maxFileBytes hard limit of the database file ({@code PRAGMA max_page_count}); reaching it
 *     behaves like a full disk. {@code 0} = no limit (default).
 * @param deadLetterMax most rows kept in the dead-letter table; past it the oldest dead letters are
 *     deleted and counted as {@code dropped{reason=dead-letter-overflow}}. Default {@value
 *     #DEFAULT_DEAD_LETTER_MAX}.
 * @param ttlSweepSeconds how often expired messages are purged (they are also skipped and purged
 *     when drained). Default {@value #DEFAULT_TTL_SWEEP_SECONDS}.
 * @param integrityCheckAtStart run {@code PRAGMA quick_check} when opening; a database that fails
 *     it (or cannot be opened) is renamed aside with a timestamp and a fresh one is created.
 *     Default {@code true}.
 * @param commitLingerMillis the earlier form of the budget, still accepted: {@code L} means {@code
 *     maxCommitsPerSecond: 1000/L} ({@code 0} means {@code 0}). Giving both keys is an error. At
 *     most {@value #MAX_COMMIT_LINGER_MILLIS}. Folded into {@code maxCommitsPerSecond} here, so
 *     always {@code null} after construction (and a copy cannot set it: it has {@code
 *     maxCommitsPerSecond}).
 * @param maxCommitsPerSecond the flash-wear budget of group commit: while writes keep arriving, the
 *     writer starts at most this many commits a second and gathers the writes that arrive in
 *     between into the next one. A write that finds the writer idle and the budget unspent (no
 *     commit started in the last {@code 1/N} s) commits at once, so a lone device waits for one
 *     fsync; a gathering commit also starts early when the stream pauses (the writers are all
 *     waiting for it, so waiting longer saves no writes) or once it holds 64 KiB of payload. Every
 *     commit appends whole pages to the WAL and fsyncs whatever it holds, so fewer, larger commits
 *     write several times fewer bytes to flash per message at moderate rates; the price is up to
 *     {@code 1/N} s more PUBACK latency, never durability (a device is acknowledged after the fsync
 *     that holds its message). {@code 0} = no budget, latency first: commit as soon as the writer
 *     is free (writes that arrive during a commit still share the next one). Default {@value
 *     #DEFAULT_MAX_COMMITS_PER_SECOND}; at most {@value #MAX_MAX_COMMITS_PER_SECOND}.
 * @param pageSize SQLite page size in bytes of a spool file this creates (a power of two from
 *     {@value #MIN_PAGE_SIZE} to {@value #MAX_PAGE_SIZE}); an existing file keeps the page size it
 *     was created with. Each commit writes every page it touches to the WAL (the partly filled last
 *     page of the table and its parents again each time), so smaller pages write fewer bytes per
 *     commit. Default {@value #DEFAULT_PAGE_SIZE}.
 */
@RecordBuilder
@RecordBuilder.Options(
    addClassRetainedGenerated = true,
    addStaticBuilder = false,
    enableGetters = false)
public record SpoolOptions(
    String dir,
    Long maxBytes,
    OverflowPolicy overflowPolicy,
    Synchronous synchronous,
    Boolean spoolQos0,
    Integer commitBatchMax,
    Integer queueMax,
    Long maxFileBytes,
    Integer deadLetterMax,
    Integer ttlSweepSeconds,
    Boolean integrityCheckAtStart,
    Integer commitLingerMillis,
    Integer maxCommitsPerSecond,
    Integer pageSize)
    implements SpoolOptionsBuilder.With {

  public static final String DEFAULT_DIR = "./outpost-data";
  public static final long DEFAULT_MAX_BYTES = 1L << 30;
  public static final OverflowPolicy DEFAULT_OVERFLOW_POLICY = OverflowPolicy.DROP_OLDEST;
  public static final Synchronous DEFAULT_SYNCHRONOUS = Synchronous.FULL;
  public static final boolean DEFAULT_SPOOL_QOS0 = true;
  public static final int DEFAULT_COMMIT_BATCH_MAX = 2048;
  public static final int DEFAULT_QUEUE_MAX = 65_536;
  public static final long DEFAULT_MAX_FILE_BYTES = 0;
  public static final int DEFAULT_DEAD_LETTER_MAX = 10_000;
  public static final int DEFAULT_TTL_SWEEP_SECONDS = 60;
  public static final boolean DEFAULT_INTEGRITY_CHECK_AT_START = true;

  /**
   * Default wear budget: a commit every 40 ms at most while writes stream in, so a steady stream's
   * PUBACK waits about 20 ms on average (half an interval) plus the fsync.
   */
  public static final int DEFAULT_MAX_COMMITS_PER_SECOND = 25;

  /**
   * Upper bound of {@link #maxCommitsPerSecond()}; no disk commits faster, so a higher cap would
   * mean nothing.
   */
  public static final int MAX_MAX_COMMITS_PER_SECOND = 100_000;

  /**
   * Upper bound of the legacy {@link #commitLingerMillis()}: beyond it devices would wait too long
   * for their PUBACK.
   */
  public static final int MAX_COMMIT_LINGER_MILLIS = 1000;

  /** Default page size of new spool files: see {@code docs/benchmarks.md}, spool section. */
  public static final int DEFAULT_PAGE_SIZE = 1024;

  public static final int MIN_PAGE_SIZE = 512;
  public static final int MAX_PAGE_SIZE = 65_536;

  /** File name of the database inside {@link #dir()}. */
  public static final String DATABASE_FILE = "spool.db";

  public SpoolOptions {
    dir = dir == null ? DEFAULT_DIR : dir;
    if (dir.isBlank()) {
      throw new IllegalArgumentException("dir: must not be blank");
    }
    maxBytes = positive("maxBytes", maxBytes, DEFAULT_MAX_BYTES);
    overflowPolicy = overflowPolicy == null ? DEFAULT_OVERFLOW_POLICY : overflowPolicy;
    synchronous = synchronous == null ? DEFAULT_SYNCHRONOUS : synchronous;
    spoolQos0 = spoolQos0 == null ? DEFAULT_SPOOL_QOS0 : spoolQos0;
    commitBatchMax =
        (int) positive("commitBatchMax", toLong(commitBatchMax), DEFAULT_COMMIT_BATCH_MAX);
    queueMax = (int) positive("queueMax", toLong(queueMax), DEFAULT_QUEUE_MAX);
    maxFileBytes = maxFileBytes == null ? DEFAULT_MAX_FILE_BYTES : maxFileBytes;
    if (maxFileBytes < 0) {
      throw new IllegalArgumentException(
          "maxFileBytes: must be >= 0 (0 = unlimited), got " + maxFileBytes);
    }
    deadLetterMax = (int) positive("deadLetterMax", toLong(deadLetterMax), DEFAULT_DEAD_LETTER_MAX);
    ttlSweepSeconds =
        (int) positive("ttlSweepSeconds", toLong(ttlSweepSeconds), DEFAULT_TTL_SWEEP_SECONDS);
    integrityCheckAtStart =
        integrityCheckAtStart == null ? DEFAULT_INTEGRITY_CHECK_AT_START : integrityCheckAtStart;
    if (commitLingerMillis != null) {
      if (commitLingerMillis < 0 || commitLingerMillis > MAX_COMMIT_LINGER_MILLIS) {
        throw new IllegalArgumentException(
            "commitLingerMillis: must be between 0 and "
                + MAX_COMMIT_LINGER_MILLIS
                + ", got "
                + commitLingerMillis);
      }
      if (maxCommitsPerSecond != null) {
        throw new IllegalArgumentException(
            "commitLingerMillis: replaced by maxCommitsPerSecond; give only"
                + " maxCommitsPerSecond");
      }
      maxCommitsPerSecond =
          commitLingerMillis == 0 ? 0 : Math.max(1, Math.round(1000f / commitLingerMillis));
      commitLingerMillis = null;
    }
    maxCommitsPerSecond =
        maxCommitsPerSecond == null ? DEFAULT_MAX_COMMITS_PER_SECOND : maxCommitsPerSecond;
    if (maxCommitsPerSecond < 0 || maxCommitsPerSecond > MAX_MAX_COMMITS_PER_SECOND) {
      throw new IllegalArgumentException(
          "maxCommitsPerSecond: must be between 0 (no budget) and "
              + MAX_MAX_COMMITS_PER_SECOND
              + ", got "
              + maxCommitsPerSecond);
    }
    pageSize = pageSize == null ? DEFAULT_PAGE_SIZE : pageSize;
    if (pageSize < MIN_PAGE_SIZE || pageSize > MAX_PAGE_SIZE || Integer.bitCount(pageSize) != 1) {
      throw new IllegalArgumentException(
          "pageSize: must be a power of two from "
              + MIN_PAGE_SIZE
              + " to "
              + MAX_PAGE_SIZE
              + ", got "
              + pageSize);
    }
  }

  /** All defaults, spool in {@value #DEFAULT_DIR}. */
  public static SpoolOptions defaults() {
    return new SpoolOptions(
        null, null, null, null, null, null, null, null, null, null, null, null, null, null);
  }

  /** Defaults with the spool in {@code dir}. */
  public static SpoolOptions in(Path dir) {
    return defaults().withDir(dir.toString());
  }

  /**
   * Shortest time between the starts of two commits while writes stream in; zero without a budget.
   */
  public Duration commitInterval() {
    return maxCommitsPerSecond == 0
        ? Duration.ZERO
        : Duration.ofNanos(1_000_000_000L / maxCommitsPerSecond);
  }

  /** Path of the database file. */
  public Path databaseFile() {
    return Path.of(dir).resolve(DATABASE_FILE);
  }

  /** {@link #ttlSweepSeconds()} as a duration. */
  public Duration ttlSweepInterval() {
    return Duration.ofSeconds(ttlSweepSeconds);
  }

  private static Long toLong(Integer value) {
    return value == null ? null : value.longValue();
  }

  private static long positive(String key, Long value, long fallback) {
    if (value == null) {
      return fallback;
    }
    if (value <= 0) {
      throw new IllegalArgumentException(key + ": must be > 0, got " + value);
    }
    return value;
  }
}
