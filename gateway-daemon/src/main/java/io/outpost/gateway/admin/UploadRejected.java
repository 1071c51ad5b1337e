package io.outpost.gateway.admin;

import java.io.IOException;

/**
 * An upload beyond one of the admin API's configured bounds: answered with HTTP 413 and {@link
 * #code()}.
 */
final class UploadRejected extends IOException {

  private static final long serialVersionUID = 1L;

  /** Stable error codes, also the {@code reason} tag of {@code outpost.admin.uploads.rejected}. */
  static final String PACKAGE_TOO_LARGE = "package-too-large";

  static final String EXPANDS_TOO_LARGE = "package-expands-too-large";
  static final String TOO_MANY_FILES = "package-has-too-many-files";
  static final String INVOCATION_TOO_LARGE = "invocation-too-large";

  private final String code;

  UploadRejected(String code, String message) {
    super(message);
    this.code = code;
  }

  String code() {
    return code;
  }
}
