package io.outpost.function.runtime.sandbox.jvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Requests written to a child's stdin in batches, by the callers themselves. */
@Timeout(10)
class LineWriterTest {

  private static byte[] line(String s) {
    return (s + "\n").getBytes(StandardCharsets.UTF_8);
  }

  /** Records what was flushed; its first write blocks until released. */
  private static final class GatedStream extends OutputStream {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    final List<String> flushes = new ArrayList<>();
    volatile boolean closed;
    boolean first = true;

    @Override
    public void close() {
      closed = true;
    }

    @Override
    public synchronized void write(int b) {
      pending.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (first) {
        first = false;
        entered.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException(e);
        }
      }
      synchronized (this) {
        pending.write(b, off, len);
      }
    }

    @Override
    public synchronized void flush() {
      flushes.add(pending.toString(StandardCharsets.UTF_8));
      pending.reset();
    }
  }

  @Test
  void linesQueuedDuringAWriteGoOutTogetherInOneFlushWithoutTheirCallersWaiting() throws Exception {
    GatedStream out = new GatedStream();
    LineWriter writer = new LineWriter(out);
    Thread firstCaller = writeOn("first-caller", writer, "1");
    assertThat(out.entered.await(5, TimeUnit.SECONDS)).isTrue();

    writer.write(line("2")); // returns at once: the first caller writes it
    writer.write(line("3"));
    writer.write(line("4"));
    out.release.countDown();
    firstCaller.join(5_000);

    assertThat(out.flushes).containsExactly("1\n", "2\n3\n4\n");
    assertThat(writer.lines()).isEqualTo(4);
    assertThat(writer.batches()).isEqualTo(2);
  }

  @Test
  void writeNowTakesALineOnlyWhenItFitsAndLeavesItToAWriteInProgress() throws Exception {
    GatedStream out = new GatedStream();
    LineWriter writer = new LineWriter(out);
    List<Runnable> handedOn = new ArrayList<>();
    Thread worker = writeOn("worker", writer, "1");
    assertThat(out.entered.await(5, TimeUnit.SECONDS)).isTrue();

    assertThat(writer.writeNow(line("x"), handedOn::add, () -> false)).isFalse();
    assertThat(writer.writeNow(line("2"), handedOn::add, () -> true))
        .as("queued for the writer in progress, not waited for")
        .isTrue();
    out.release.countDown();
    worker.join(5_000);

    assertThat(out.flushes).containsExactly("1\n", "2\n");
    assertThat(handedOn).isEmpty();
    assertThat(writer.writeNow(line("3"), handedOn::add, () -> true)).isTrue();
    assertThat(out.flushes).containsExactly("1\n", "2\n", "3\n");
    assertThat(writer.lines()).isEqualTo(3);
  }

  @Test
  void aWriteNowCallerWritesWhatOthersQueueUntilAWriteLineComesThenHandsTheRestOn()
      throws Exception {
    GatedStream out = new GatedStream();
    LineWriter writer = new LineWriter(out);
    List<Runnable> handedOn = new ArrayList<>();
    boolean[] taken = new boolean[1];
    Thread now =
        new Thread(
            () -> {
              try {
                taken[0] = writer.writeNow(line("1"), handedOn::add, () -> true);
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            },
            "now-caller");
    now.start();
    assertThat(out.entered.await(5, TimeUnit.SECONDS)).isTrue();

    assertThat(writer.writeNow(line("2"), handedOn::add, () -> true)).isTrue();
    writer.write(line("3")); // may wait on the pipe: not for the now-caller to write
    assertThat(writer.writeNow(line("4"), handedOn::add, () -> true)).isTrue();
    out.release.countDown();
    now.join(5_000);

    assertThat(taken[0]).isTrue();
    assertThat(out.flushes).containsExactly("1\n");
    assertThat(handedOn).hasSize(1);
    handedOn.get(0).run();
    assertThat(out.flushes).containsExactly("1\n", "2\n3\n4\n");
  }

  private static Thread writeOn(String name, LineWriter writer, String text) {
    Thread t =
        new Thread(
            () -> {
              try {
                writer.write(line(text));
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            },
            name);
    t.start();
    return t;
  }

  @Test
  void closeDuringAStuckWriteReturnsAtOnceAndTheWriterClosesTheStreamWhenItsWriteEnds()
      throws Exception {
    GatedStream out = new GatedStream();
    LineWriter writer = new LineWriter(out);
    Thread stuck = writeOn("stuck-writer", writer, "1");
    assertThat(out.entered.await(5, TimeUnit.SECONDS)).isTrue();

    assertThat(writer.close()).as("left to the write in progress").isFalse();

    assertThat(out.closed).isFalse();
    assertThatThrownBy(() -> writer.write(line("2"))).hasMessage("stdin closed");
    out.release.countDown(); // the reader reads again (or dies): the write ends
    stuck.join(5_000);
    assertThat(out.closed).isTrue();
    assertThat(out.flushes).containsExactly("1\n");
  }

  @Test
  void afterAFailedWriteEveryLaterWriteFails() {
    LineWriter writer =
        new LineWriter(
            new OutputStream() {
              @Override
              public void write(int b) throws IOException {
                throw new IOException("Broken pipe");
              }
            });

    assertThatThrownBy(() -> writer.write(line("1"))).hasMessage("Broken pipe");
    assertThatThrownBy(() -> writer.write(line("2"))).hasMessage("Broken pipe");
  }

  @Test
  void aClosedWriterRefusesLines() throws IOException {
    LineWriter writer = new LineWriter(new ByteArrayOutputStream());
    writer.close();

    assertThatThrownBy(() -> writer.write(line("1"))).hasMessage("stdin closed");
  }
}
