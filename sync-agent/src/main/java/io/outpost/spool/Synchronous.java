package io.outpost.spool;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * SQLite {@code PRAGMA synchronous} level for the spool, which is in WAL mode.
 *
 * <p>With {@link #FULL} (the default) every commit fsyncs the WAL before the append futures of that
 * commit complete, so an acknowledged message survives a process crash <em>and</em> a power cut.
 * {@link #NORMAL} only fsyncs at checkpoints: acknowledged messages survive a process crash (the
 * WAL is in the OS page cache) but the last commits can be lost on power loss — use it only where
 * the host has a battery-backed write cache. Throughput comes from group commit (many appends per
 * fsync), not from weakening this setting.
 */
public enum Synchronous {
  /** fsync the WAL at every commit (default). */
  FULL("full"),
  /** Like FULL, and also fsync the directory after the WAL is reset (SQLite EXTRA). */
  EXTRA("extra"),
  /** fsync only at checkpoints: crash-safe, not power-loss-safe. */
  NORMAL("normal");

  private final String key;

  Synchronous(String key) {
    this.key = key;
  }

  /** The YAML spelling, e.g. {@code full}. */
  @JsonValue
  public String key() {
    return key;
  }

  /** Parses the YAML spelling (case-insensitive). */
  @JsonCreator
  public static Synchronous fromKey(String value) {
    String normalized = value.trim().toLowerCase(Locale.ROOT);
    for (Synchronous level : values()) {
      if (level.key.equals(normalized)) {
        return level;
      }
    }
    throw new IllegalArgumentException(
        "synchronous: expected full, extra or normal, got '" + value + "'");
  }

  /** The value for {@code PRAGMA synchronous}. */
  String pragma() {
    return name();
  }
}
