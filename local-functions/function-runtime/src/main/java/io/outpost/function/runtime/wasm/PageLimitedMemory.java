package io.outpost.function.runtime.wasm;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.DataSegment;

/**
 * A module's linear memory with a page limit that remembers being hit: WebAssembly's {@code
 * memory.grow} only returns -1 at the limit and most modules then trap or exit, so the runtime
 * needs this to tell a memory-limit hit from any other failure. Everything else is delegated
 * unchanged.
 */
final class PageLimitedMemory implements Memory {

  private final Memory delegate;
  private volatile boolean limitHit;

  PageLimitedMemory(Memory delegate) {
    this.delegate = delegate;
  }

  /** Whether a {@code memory.grow} was refused because it would pass the page limit. */
  boolean limitHit() {
    return limitHit;
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
  public void initialize(Instance a0, DataSegment[] a1) {
    delegate.initialize(a0, a1);
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
  public void zero() {
    delegate.zero();
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
