/**
 * Writes that survive a power cut: temp file, fsync, atomic rename, directory fsync. Depends on the
 * JDK only.
 */
module io.outpost.durable {
  exports io.outpost.durable;
}
