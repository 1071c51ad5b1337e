package io.outpost.broker.internal.protocol;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/**
 * Netty handler that holds back flushes while a connection writes a batch of packets and flushes
 * once at the end.
 *
 * <p>vertx-mqtt writes every packet with {@code writeAndFlush}. For packets written from a task
 * rather than while reading (the PUBLISHes the broker routes to a subscriber from other
 * connections), that is one {@code write(2)} system call per packet and one wake-up of the client
 * per packet. {@link Connection} writes such packets in batches between {@link #hold()} and {@link
 * #release()}; the packets are written in the same order, only their flushes are merged (and still
 * made every {@value #MAX_HELD_FLUSHES} packets, so a long batch does not pile up unflushed).
 * Everything else passes straight through. Used on the connection's event loop only.
 */
final class FlushBatch extends ChannelOutboundHandlerAdapter {

  /** Flush at least this often within one batch. */
  static final int MAX_HELD_FLUSHES = 64;

  private ChannelHandlerContext ctx;
  private boolean holding;
  private int held;

  @Override
  public void handlerAdded(ChannelHandlerContext context) {
    this.ctx = context;
  }

  /** Starts a batch: flushes from now on are held. */
  void hold() {
    holding = true;
  }

  /** Ends the batch and makes the one flush it needs. */
  void release() {
    holding = false;
    flushHeld();
  }

  @Override
  public void flush(ChannelHandlerContext context) {
    if (holding && ++held < MAX_HELD_FLUSHES) {
      return;
    }
    held = 0;
    context.flush();
  }

  @Override
  public void close(ChannelHandlerContext context, ChannelPromise promise) {
    flushHeld(); // Netty fails unflushed writes on close; what was written before the close must go
    // out first
    context.close(promise);
  }

  private void flushHeld() {
    if (held > 0 && ctx != null) {
      held = 0;
      ctx.flush();
    }
  }
}
