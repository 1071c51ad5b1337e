package io.outpost.cloud;

/** Names of the MQTT 5 PUBACK reason codes, for dead-letter reasons and logs. */
final class ReasonCodes {
  private ReasonCodes() {}

  static String describe(int code) {
    return switch (code) {
      case 0x00 -> "success";
      case 0x10 -> "no matching subscribers";
      case 0x80 -> "unspecified error";
      case 0x83 -> "implementation specific error";
      case 0x87 -> "not authorized";
      case 0x90 -> "topic name invalid";
      case 0x91 -> "packet identifier in use";
      case 0x95 -> "packet too large";
      case 0x97 -> "quota exceeded";
      case 0x99 -> "payload format invalid";
      default -> "reason " + code;
    };
  }
}
