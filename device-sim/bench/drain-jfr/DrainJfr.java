import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a drain's wall time goes, from a flight recording of the daemon taken with thread park,
 * monitor wait and socket events at threshold 0 (see spool-drain-profile.sh).
 *
 * <p>The drain window runs from the first to the last PUBLISH the cloud link's sender thread wrote
 * (writes of more than 8 bytes on the "MQTT Snd" thread). Per thread of the drain path it prints
 * how the window divides into waiting (socket reads, monitor waits, parks) and the rest (running
 * or waiting for a core), and the CPU samples. Then the round trip of a publish, matched in order
 * (the cloud acknowledges QoS 1 in order): written -> its PUBACK read by the receiver (outside:
 * kernel, cloud broker, receiver wake-up), PUBACK read -> callback thread woken, callback woken
 * -> the publish that refilled the slot written (our code, Paho's queue, the sender wake-up), and
 * the number of publishes in flight over time. That split needs Paho's own unbuffered reads (three
 * per 4-byte PUBACK, as in Outpost before the cloud socket buffered them): with buffered reads the
 * recording does not say when each PUBACK arrived.
 *
 * <p>Usage: java DrainJfr.java recording.jfr [window]
 */
public class DrainJfr {
  record Ev(String type, String thread, long start, long end, long bytes, String top) {}

  /**
   * Paho names its threads ("MQTT Snd: id", ...) after they started, and the recording keeps the
   * name a thread had when it was first seen: tell them by the run method on their stacks.
   */
  static final Map<String, String> ROLES =
      Map.of(
          "CommsSender.run", "MQTT Snd",
          "CommsReceiver.run", "MQTT Rec",
          "CommsCallback.run", "MQTT Call",
          "MqttAsyncClient$MqttReconnect", "MQTT Reconnect");

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    int window = args.length > 1 ? Integer.parseInt(args[1]) : 19;
    List<Ev> events = new ArrayList<>();
    Map<String, String> roleOf = new HashMap<>();
    for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
      String type = e.getEventType().getName();
      if (!type.equals("jdk.SocketRead")
          && !type.equals("jdk.SocketWrite")
          && !type.equals("jdk.JavaMonitorWait")
          && !type.equals("jdk.JavaMonitorEnter")
          && !type.equals("jdk.ThreadPark")
          && !type.equals("jdk.ExecutionSample")) {
        continue;
      }
      RecordedThread t =
          type.equals("jdk.ExecutionSample") ? e.getThread("sampledThread") : e.getThread();
      String name = t == null ? "?" : t.getJavaName();
      long start = nanos(e.getStartTime());
      long end = nanos(e.getEndTime());
      long bytes = 0;
      if (type.equals("jdk.SocketRead")) {
        bytes = e.getLong("bytesRead");
      } else if (type.equals("jdk.SocketWrite")) {
        bytes = e.getLong("bytesWritten");
      }
      String top = "";
      if (e.getStackTrace() != null) {
        for (RecordedFrame f : e.getStackTrace().getFrames()) {
          String m = f.getMethod().getType().getName() + "." + f.getMethod().getName();
          for (var role : ROLES.entrySet()) {
            if (m.endsWith(role.getKey())) {
              roleOf.put(name, role.getValue());
            }
          }
        }
        StringBuilder b = new StringBuilder();
        for (RecordedFrame f : e.getStackTrace().getFrames()) {
          String m = f.getMethod().getType().getName() + "." + f.getMethod().getName();
          if (m.startsWith("java.") || m.startsWith("jdk.") || m.startsWith("sun.")) {
            continue;
          }
          b.append(m.replaceAll("^.*\\.([^.]+\\.[^.]+)$", "$1"));
          break;
        }
        top = b.toString();
      }
      events.add(new Ev(type, name, start, end, bytes, top));
    }
    events.sort((a, b) -> Long.compare(a.start, b.start));
    events =
        events.stream()
            .map(
                e ->
                    roleOf.containsKey(e.thread)
                        ? new Ev(e.type, roleOf.get(e.thread), e.start, e.end, e.bytes, e.top)
                        : e)
            .toList();
    long[] publishes =
        events.stream()
            .filter(
                e ->
                    e.type.equals("jdk.SocketWrite")
                        && e.thread.startsWith("MQTT Snd")
                        && e.bytes > 8)
            .mapToLong(Ev::start)
            .toArray();
    if (publishes.length < 100) {
      System.out.println("too few publishes: " + publishes.length);
      return;
    }
    // the drain: from the first publish to the last; skip the connect/subscribe/status traffic
    long from = publishes[0];
    long to = publishes[publishes.length - 1];
    double wall = (to - from) / 1e6;
    System.out.printf(
        "drain window %.1f ms, %d publishes written (%.0f/s)%n",
        wall, publishes.length, publishes.length / (wall / 1e3));

    Map<String, Map<String, double[]>> perThread = new TreeMap<>();
    Map<String, Integer> samples = new TreeMap<>();
    Map<String, Map<String, Integer>> topSamples = new HashMap<>();
    for (Ev e : events) {
      if (e.end < from || e.start > to) {
        continue;
      }
      String thread = group(e.thread);
      if (e.type.equals("jdk.ExecutionSample")) {
        samples.merge(thread, 1, Integer::sum);
        topSamples.computeIfAbsent(thread, k -> new HashMap<>()).merge(e.top, 1, Integer::sum);
        continue;
      }
      long s = Math.max(e.start, from);
      long en = Math.min(e.end, to);
      String key = e.type.substring(4) + (e.top.isEmpty() ? "" : " @" + e.top);
      double[] acc =
          perThread.computeIfAbsent(thread, k -> new TreeMap<>()).computeIfAbsent(key, k -> new double[2]);
      acc[0] += (en - s) / 1e6;
      acc[1]++;
    }
    System.out.println();
    System.out.println("| thread | waiting in | ms | % of window | events | per publish (us) |");
    System.out.println("|---|---|---:|---:|---:|---:|");
    for (var t : perThread.entrySet()) {
      if (!interesting(t.getKey())) {
        continue;
      }
      double total = 0;
      for (var w : t.getValue().entrySet()) {
        total += w.getValue()[0];
        if (w.getValue()[0] / wall < 0.005 && w.getValue()[1] < publishes.length / 20) {
          continue;
        }
        System.out.printf(
            "| %s | %s | %.1f | %.1f | %.0f | %.1f |%n",
            t.getKey(),
            w.getKey(),
            w.getValue()[0],
            100 * w.getValue()[0] / wall,
            w.getValue()[1],
            1e3 * w.getValue()[0] / publishes.length);
      }
      System.out.printf(
          "| %s | **not waiting (running or runnable)** | %.1f | %.1f | %d CPU samples | |%n",
          t.getKey(), wall - total, 100 * (wall - total) / wall, samples.getOrDefault(t.getKey(), 0));
    }
    System.out.println();
    System.out.println("CPU samples in the window by thread (10 ms period):");
    samples.entrySet().stream()
        .sorted((a, b) -> b.getValue() - a.getValue())
        .limit(15)
        .forEach(
            s -> {
              var tops =
                  topSamples.get(s.getKey()).entrySet().stream()
                      .sorted((a, b) -> b.getValue() - a.getValue())
                      .limit(3)
                      .map(x -> x.getKey() + "=" + x.getValue())
                      .toList();
              System.out.printf("  %-34s %5d  %s%n", s.getKey(), s.getValue(), tops);
            });

    // PUBACKs: the receiver's read that completes a packet. Paho reads the type byte, the
    // remaining length and the rest; the completing read is the one from readFully (or any read
    // when the stream is buffered: then count packets from bytes, 4 bytes per MQTT 5 PUBACK is not
    // certain, so use reads from readFully/fill only).
    List<Ev> recv =
        events.stream()
            .filter(e -> e.type.equals("jdk.SocketRead") && e.thread.startsWith("MQTT Rec") && e.bytes > 0)
            .filter(e -> e.end >= from - 50_000_000L && e.start <= to + 1_000_000_000L)
            .toList();
    long recvBytes = recv.stream().mapToLong(Ev::bytes).sum();
    System.out.printf(
        "%nreceiver: %d socket reads, %d bytes in the window (%.2f reads per publish)%n",
        recv.size(), recvBytes, (double) recv.size() / publishes.length);
    if (recv.size() < 2 * publishes.length) {
      // one read takes in many packets: their arrival times are not in the recording
      System.out.println(
          "reads are buffered (fewer than two per publish): PUBACK arrival times are not known,"
              + " so the round trip is not split; see the waits above");
      return;
    }
    long[] wakeCallback =
        events.stream()
            .filter(e -> e.type.equals("jdk.JavaMonitorWait") && e.thread.startsWith("MQTT Call"))
            .mapToLong(Ev::end)
            .sorted()
            .toArray();
    long[] wakeSender =
        events.stream()
            .filter(e -> e.type.equals("jdk.JavaMonitorWait") && e.thread.startsWith("MQTT Snd"))
            .mapToLong(Ev::end)
            .sorted()
            .toArray();
    long[] readEnds = recv.stream().mapToLong(Ev::end).sorted().toArray();
    // in flight over time, sampled at each publish: publishes written so far minus PUBACK-bearing
    // reads is not exact when reads are split; use bytes: each PUBACK of this drain is 4 bytes
    // (MQTT 5, reason 0 may be 2-byte short form: then 4 bytes total either way? no: 2+2) -> report
    // both the read-end and the matched-in-order figures with the packet size given below.
    int ackSize = Integer.getInteger("ackBytes", 4);
    List<Long> ackTimes = new ArrayList<>();
    long carried = 0;
    for (Ev r : recv) {
      if (r.end < from) {
        continue; // CONNACK and the like
      }
      carried += r.bytes;
      while (carried >= ackSize) {
        carried -= ackSize;
        ackTimes.add(r.end);
      }
    }
    // acks before the first publish belong to connect/subscribe; align on the first ack after it
    int firstAck = 0;
    while (firstAck < ackTimes.size() && ackTimes.get(firstAck) < from) {
      firstAck++;
    }
    int n = Math.min(publishes.length, ackTimes.size() - firstAck);
    double[] outside = new double[n];
    for (int i = 0; i < n; i++) {
      outside[i] = (ackTimes.get(firstAck + i) - publishes[i]) / 1e3;
    }
    System.out.printf(
        "publish written -> its PUBACK read (us), matched in order, %d: %s%n", n, pct(outside));
    double[] refill = new double[Math.max(0, n - window)];
    double[] toCallback = new double[refill.length];
    double[] callbackToWrite = new double[refill.length];
    for (int i = 0; i + window < n; i++) {
      long ack = ackTimes.get(firstAck + i);
      long next = publishes[i + window];
      refill[i] = (next - ack) / 1e3;
      long cb = firstAtOrAfter(wakeCallback, ack);
      toCallback[i] = cb < 0 ? Double.NaN : (cb - ack) / 1e3;
      callbackToWrite[i] = cb < 0 ? Double.NaN : (next - cb) / 1e3;
    }
    System.out.printf(
        "PUBACK read -> publish %d later written (us; negative = sent before that ack): %s%n",
        window, pct(refill));
    System.out.printf("PUBACK read -> next callback-thread wake-up (us): %s%n", pct(toCallback));
    System.out.printf(
        "callback wake-up -> that publish written (us): %s%n", pct(callbackToWrite));
    // in flight, time-weighted
    double weighted = 0;
    int[] hist = new int[window + 3];
    int ai = firstAck;
    int inflight = 0;
    int pi = 0;
    long last = from;
    double[] share = new double[window + 50];
    while (pi < publishes.length) {
      long nextAck = ai < ackTimes.size() ? ackTimes.get(ai) : Long.MAX_VALUE;
      long t = Math.min(publishes[pi], nextAck);
      if (t > to) {
        break;
      }
      int idx = Math.max(0, Math.min(share.length - 1, inflight));
      share[idx] += (t - last);
      weighted += (double) inflight * (t - last);
      last = t;
      if (publishes[pi] <= nextAck) {
        inflight++;
        pi++;
      } else {
        inflight--;
        ai++;
      }
    }
    System.out.printf("publishes in flight, time-weighted mean: %.2f%n", weighted / (to - from));
    StringBuilder b = new StringBuilder("time share by publishes in flight:");
    for (int i = 0; i < share.length; i++) {
      if (share[i] / (to - from) >= 0.01) {
        b.append(String.format(" %d:%.0f%%", i, 100 * share[i] / (to - from)));
      }
    }
    System.out.println(b);
    System.out.printf(
        "sender wake-ups %d, callback wake-ups %d in the whole recording%n",
        wakeSender.length, wakeCallback.length);
  }

  static boolean interesting(String thread) {
    return thread.startsWith("MQTT")
        || thread.startsWith("outpost-cloud")
        || thread.startsWith("outpost-spool");
  }

  static String group(String thread) {
    return thread.replaceAll(": .*$", "").replaceAll("-\\d+$", "");
  }

  static long firstAtOrAfter(long[] sorted, long t) {
    int i = Arrays.binarySearch(sorted, t);
    if (i < 0) {
      i = -i - 1;
    }
    return i < sorted.length ? sorted[i] : -1;
  }

  static String pct(double[] values) {
    double[] v = Arrays.stream(values).filter(x -> !Double.isNaN(x)).sorted().toArray();
    if (v.length == 0) {
      return "none";
    }
    double mean = Arrays.stream(v).average().orElse(0);
    return String.format(
        "n=%d mean=%.0f p10=%.0f p50=%.0f p90=%.0f p99=%.0f",
        v.length, mean, v[(int) (v.length * 0.1)], v[v.length / 2], v[(int) (v.length * 0.9)],
        v[Math.min(v.length - 1, (int) (v.length * 0.99))]);
  }

  static long nanos(Instant i) {
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }
}
