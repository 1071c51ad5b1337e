package io.outpost.function.runtime;

/**
 * Memory bounds of {@code wasm} functions, the YAML {@code functions.wasm:} section. A WebAssembly
 * page is 64 KiB.
 *
 * @param defaultMemoryPages the most linear-memory pages one instance may grow to when its
 *     descriptor sets no {@code maxMemoryPages}; default {@value #DEFAULT_MEMORY_PAGES} (16 MiB)
 * @param maxMemoryPages the daemon-wide cap: a package asking for more {@code maxMemoryPages} is
 *     refused at deploy; default {@value #DEFAULT_MAX_MEMORY_PAGES} (64 MiB)
 */
public record WasmOptions(Integer defaultMemoryPages, Integer maxMemoryPages) {

  public static final int DEFAULT_MEMORY_PAGES = 256;
  public static final int DEFAULT_MAX_MEMORY_PAGES = 1_024;

  /** What WebAssembly's 32-bit memories can address at all. */
  public static final int ABSOLUTE_MAX_PAGES = 65_536;

  /** All defaults. */
  public static final WasmOptions DEFAULTS = new WasmOptions(null, null);

  /** Fills defaults and validates; throws {@code IllegalArgumentException("<key>: <why>")}. */
  public WasmOptions {
    maxMemoryPages = maxMemoryPages == null ? DEFAULT_MAX_MEMORY_PAGES : maxMemoryPages;
    defaultMemoryPages =
        defaultMemoryPages == null
            ? Math.min(DEFAULT_MEMORY_PAGES, maxMemoryPages)
            : defaultMemoryPages;
    if (maxMemoryPages < 1 || maxMemoryPages > ABSOLUTE_MAX_PAGES) {
      throw new IllegalArgumentException(
          "maxMemoryPages: must be 1.." + ABSOLUTE_MAX_PAGES + ", was " + maxMemoryPages);
    }
    if (defaultMemoryPages < 1 || defaultMemoryPages > maxMemoryPages) {
      throw new IllegalArgumentException(
          "defaultMemoryPages: must be 1..maxMemoryPages ("
              + maxMemoryPages
              + "), was "
              + defaultMemoryPages);
    }
  }
}
