package io.outpost.function.runtime;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A hand-assembled WebAssembly (WASI preview 1) module whose {@code _start} writes "hello from
 * wasm" to stderr and an empty result ({@code {}}) to stdout.
 */
final class WasmStderrModule {

  private WasmStderrModule() {}

  static byte[] bytes() {
    ByteArrayOutputStream w = new ByteArrayOutputStream();
    w.writeBytes(new byte[] {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00});
    // types: 0 = (i32 i32 i32 i32) -> i32 (fd_write), 1 = () -> ()
    section(w, 1, hex("02 60 04 7f 7f 7f 7f 01 7f 60 00 00"));
    ByteArrayOutputStream imports = new ByteArrayOutputStream();
    imports.write(1);
    name(imports, "wasi_snapshot_preview1");
    name(imports, "fd_write");
    imports.writeBytes(hex("00 00"));
    section(w, 2, imports.toByteArray());
    section(w, 3, hex("01 01")); // one function of type 1
    section(w, 5, hex("01 00 01")); // one memory, one page
    ByteArrayOutputStream exports = new ByteArrayOutputStream();
    exports.write(2);
    name(exports, "memory");
    exports.writeBytes(hex("02 00"));
    name(exports, "_start");
    exports.writeBytes(hex("00 01"));
    section(w, 7, exports.toByteArray());
    // fd_write(2, iovec at 0, 1, nwritten at 16); fd_write(1, iovec at 8, 1, 16)
    byte[] body = hex("00 41 02 41 00 41 01 41 10 10 00 1a 41 01 41 08 41 01 41 10 10 00 1a 0b");
    ByteArrayOutputStream code = new ByteArrayOutputStream();
    code.write(1);
    code.write(body.length);
    code.writeBytes(body);
    section(w, 10, code.toByteArray());
    byte[] memory = new byte[67];
    System.arraycopy(hex("20 00 00 00 10 00 00 00 40 00 00 00 03 00 00 00"), 0, memory, 0, 16);
    System.arraycopy(ascii("hello from wasm\n"), 0, memory, 32, 16);
    System.arraycopy(ascii("{}\n"), 0, memory, 64, 3);
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    data.writeBytes(hex("01 00 41 00 0b"));
    data.write(memory.length);
    data.writeBytes(memory);
    section(w, 11, data.toByteArray());
    return w.toByteArray();
  }

  private static void section(ByteArrayOutputStream w, int id, byte[] content) {
    w.write(id);
    w.write(content.length); // every section here is shorter than 128 bytes (one LEB128 byte)
    w.writeBytes(content);
  }

  private static void name(ByteArrayOutputStream w, String name) {
    byte[] b = ascii(name);
    w.write(b.length);
    w.writeBytes(b);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] hex(String s) {
    String[] parts = s.trim().split(" ");
    byte[] out = new byte[parts.length];
    for (int i = 0; i < parts.length; i++) {
      out[i] = (byte) Integer.parseInt(parts[i], 16);
    }
    return out;
  }
}
