/**
 * JDK-only pieces the broker and the cloud link share: PEM keys and certificates, throttled log
 * lines.
 */
module io.outpost.common {
  exports io.outpost.log;
  exports io.outpost.tls;
}
