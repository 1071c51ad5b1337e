package io.outpost.gateway;

/** The build's version, as recorded in the runnable jar's manifest. */
public final class VersionInfo {

  private VersionInfo() {}

  /** The version, or {@code dev} when running from classes rather than the packaged jar. */
  public static String version() {
    String v = VersionInfo.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
