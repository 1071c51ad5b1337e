package io.outpost.function.runtime.wasm;

import java.io.InputStream;

/**
 * A warm instance's stdin: the current invocation's request line, replaced for each invocation,
 * then end of file. Used by one thread at a time.
 */
final class RequestInput extends InputStream {

  private byte[] request = new byte[0];
  private int at;

  /** Serves {@code next} from its start. */
  void set(byte[] next) {
    request = next;
    at = 0;
  }

  @Override
  public int read() {
    return at < request.length ? request[at++] & 0xff : -1;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    if (len == 0) {
      return 0;
    }
    if (at >= request.length) {
      return -1;
    }
    int n = Math.min(len, request.length - at);
    System.arraycopy(request, at, b, off, n);
    at += n;
    return n;
  }

  @Override
  public int available() {
    return request.length - at;
  }
}
