package io.outpost.function.runtime.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Lines out of a child's output stream, however the pipe splits them. */
@Timeout(10)
class LineReaderTest {

  /** Hands out its bytes {@code chunk} at a time, as a pipe does. */
  private static InputStream chunked(String text, int chunk) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    return new ByteArrayInputStream(bytes) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, chunk));
      }
    };
  }

  private static List<String> lines(InputStream in, int max, boolean truncate) throws IOException {
    List<String> lines = new ArrayList<>();
    new LineReader(in, max, truncate)
        .pump((b, off, len) -> lines.add(new String(b, off, len, StandardCharsets.UTF_8)));
    return lines;
  }

  @Test
  void linesSplitAcrossReadsComeOutWholeAndALastLineWithoutNewlineCounts() throws IOException {
    String text = "{\"id\":1}\n\nsecond line é\n" + "x".repeat(20_000) + "\nlast";

    assertThat(lines(chunked(text, 7), 1 << 20, false))
        .containsExactly("{\"id\":1}", "", "second line é", "x".repeat(20_000), "last");
    assertThat(lines(chunked(text, 100_000), 1 << 20, false))
        .containsExactly("{\"id\":1}", "", "second line é", "x".repeat(20_000), "last");
  }

  @Test
  void aLineLongerThanTheLimitFailsTheProtocolStream() {
    String text = "ok\n" + "y".repeat(2_000) + "\n";

    assertThatThrownBy(() -> lines(chunked(text, 64), 1_024, false))
        .isInstanceOf(IOException.class)
        .hasMessage("protocol: stdout line longer than 1024 bytes");
  }

  @Test
  void aLineOfExactlyTheLimitPasses() throws IOException {
    assertThat(lines(chunked("z".repeat(1_024) + "\nnext\n", 100), 1_024, false))
        .containsExactly("z".repeat(1_024), "next");
  }

  @Test
  void aLongLogLineIsCutAtTheLimitAndTheNextLineIsIntact() throws IOException {
    String text = "a".repeat(5_000) + "\nafter\n";

    assertThat(lines(chunked(text, 300), 1_024, true)).containsExactly("a".repeat(1_024), "after");
  }

  @Test
  void aSinkThatTracksProgressIsToldWhenEverythingWasRead() throws IOException {
    List<Boolean> waits = new ArrayList<>();
    new LineReader(chunked("one\ntwo\n", 4), 1_024, true)
        .pump(
            new LineReader.Sink() {
              @Override
              public void line(byte[] bytes, int offset, int length) {}

              @Override
              public void waiting(boolean caughtUp) {
                waits.add(caughtUp);
              }

              @Override
              public boolean tracksCaughtUp() {
                return true;
              }
            });

    assertThat(waits).first().isEqualTo(false);
    assertThat(waits).last().isEqualTo(true);
  }
}
