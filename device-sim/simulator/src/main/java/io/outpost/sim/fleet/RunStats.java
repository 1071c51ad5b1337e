package io.outpost.sim.fleet;

import io.outpost.sim.measure.LatencyRecorder;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Counters shared by all devices of a fleet; written from pacer and Paho callback threads. */
final class RunStats {

  final LongAdder sent = new LongAdder();
  final LongAdder acked = new LongAdder();
  final LongAdder failed = new LongAdder();
  final LongAdder rejected = new LongAdder();
  final LongAdder windowFull = new LongAdder();
  final AtomicInteger connected = new AtomicInteger();
  final AtomicInteger connectFailures = new AtomicInteger();
  final LatencyRecorder ackLatency = new LatencyRecorder();

  long errors() {
    return failed.sum() + rejected.sum() + connectFailures.get();
  }
}
