package io.outpost.function.runtime.wasm;

import com.dylibso.chicory.runtime.ByteBufferMemory;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.DataSegment;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.PassiveDataSegment;
import java.util.Arrays;

/**
 * A module's linear memory with a page limit that remembers being hit: WebAssembly's {@code
 * memory.grow} only returns -1 at the limit and most modules then trap or exit, so the runtime
 * needs this to tell a memory-limit hit from any other failure.
 *
 * <p>A warm instance runs many invocations on one memory: {@link #zero()}, which Chicory calls when
 * it (re)initializes an instance, also clears the limit flag, and {@link #shrinkToInitial()} drops
 * the pages an invocation grew, so each invocation starts on the module's initial memory. One
 * thread at a time uses a memory (the instance is handed between workers through a concurrent
 * queue). Everything else is delegated unchanged.
 */
final class PageLimitedMemory implements Memory {

  private final MemoryLimits limits;
  private Memory delegate;
  private volatile boolean limitHit;

  /** Initial contents after the data segments, from their first to their last non-zero byte. */
  private byte[] image;

  private int imageAt;

  PageLimitedMemory(MemoryLimits limits) {
    this.limits = limits;
    this.delegate = new ByteBufferMemory(limits);
  }

  /** Whether a {@code memory.grow} was refused because it would pass the page limit. */
  boolean limitHit() {
    return limitHit;
  }

  /**
   * Releases the pages grown past the initial size (a fresh, zeroed memory replaces this one's
   * pages), so an idle warm instance holds only its initial pages.
   */
  void shrinkToInitial() {
    if (delegate.pages() != limits.initialPages()) {
      delegate = new ByteBufferMemory(limits);
    }
  }

  /** Back to the module's initial state before its data segments are written: all zero. */
  @Override
  public void zero() {
    limitHit = false;
    if (delegate.pages() != limits.initialPages()) {
      delegate = new ByteBufferMemory(limits); // fresh pages are zero already
    } else {
      delegate.zero();
    }
  }

  @Override
  public void copy(int dest, int src, int size) {
    delegate.copy(dest, src, size);
  }

  @Override
  public int grow(int pages) {
    int previous = delegate.grow(pages);
    if (previous < 0) {
      limitHit = true;
    }
    return previous;
  }

  @Override
  public int pages() {
    return delegate.pages();
  }

  @Override
  public int initialPages() {
    return delegate.initialPages();
  }

  @Override
  public int maximumPages() {
    return delegate.maximumPages();
  }

  @Override
  public boolean shared() {
    return delegate.shared();
  }

  @Override
  public Object lock(int a0) {
    return delegate.lock(a0);
  }

  @Override
  public int waitOn(int a0, int a1, long a2) {
    return delegate.waitOn(a0, a1, a2);
  }

  @Override
  public int waitOn(int a0, long a1, long a2) {
    return delegate.waitOn(a0, a1, a2);
  }

  @Override
  public int notify(int a0, int a1) {
    return delegate.notify(a0, a1);
  }

  @Override
  public void initialize(Instance instance, DataSegment[] segments) {
    initialize(instance, segments, 0);
  }

  /**
   * Writes the module's data segments. The first time this is the delegate's work (each segment's
   * offset evaluated, its bytes written); the result is kept as an image, and later
   * re-initializations of a warm instance write that image in one copy. A module with passive
   * segments always takes the delegate's way, which also remembers them for {@code memory.init}.
   */
  @Override
  public void initialize(Instance instance, DataSegment[] segments, int memoryIndex) {
    if (image != null) {
      delegate.write(imageAt, image, 0, image.length);
      return;
    }
    delegate.initialize(instance, segments, memoryIndex);
    if (segments == null
        || Arrays.stream(segments).anyMatch(PassiveDataSegment.class::isInstance)) {
      return;
    }
    byte[] all = delegate.readBytes(0, delegate.pages() * PAGE_SIZE);
    int from = 0;
    while (from < all.length && all[from] == 0) {
      from++;
    }
    int to = all.length;
    while (to > from && all[to - 1] == 0) {
      to--;
    }
    imageAt = from;
    image = Arrays.copyOfRange(all, from, to);
  }

  @Override
  public void initPassiveSegment(int a0, int a1, int a2, int a3) {
    delegate.initPassiveSegment(a0, a1, a2, a3);
  }

  @Override
  public void write(int a0, byte[] a1, int a2, int a3) {
    delegate.write(a0, a1, a2, a3);
  }

  @Override
  public byte read(int a0) {
    return delegate.read(a0);
  }

  @Override
  public byte[] readBytes(int a0, int a1) {
    return delegate.readBytes(a0, a1);
  }

  @Override
  public void writeI32(int a0, int a1) {
    delegate.writeI32(a0, a1);
  }

  @Override
  public int readInt(int a0) {
    return delegate.readInt(a0);
  }

  @Override
  public void writeLong(int a0, long a1) {
    delegate.writeLong(a0, a1);
  }

  @Override
  public long readLong(int a0) {
    return delegate.readLong(a0);
  }

  @Override
  public void writeShort(int a0, short a1) {
    delegate.writeShort(a0, a1);
  }

  @Override
  public short readShort(int a0) {
    return delegate.readShort(a0);
  }

  @Override
  public long readU16(int a0) {
    return delegate.readU16(a0);
  }

  @Override
  public void writeByte(int a0, byte a1) {
    delegate.writeByte(a0, a1);
  }

  @Override
  public void writeF32(int a0, float a1) {
    delegate.writeF32(a0, a1);
  }

  @Override
  public long readF32(int a0) {
    return delegate.readF32(a0);
  }

  @Override
  public float readFloat(int a0) {
    return delegate.readFloat(a0);
  }

  @Override
  public void writeF64(int a0, double a1) {
    delegate.writeF64(a0, a1);
  }

  @Override
  public double readDouble(int a0) {
    return delegate.readDouble(a0);
  }

  @Override
  public long readF64(int a0) {
    return delegate.readF64(a0);
  }

  @Override
  public void fill(byte a0, int a1, int a2) {
    delegate.fill(a0, a1, a2);
  }

  @Override
  public void drop(int a0) {
    delegate.drop(a0);
  }
}
