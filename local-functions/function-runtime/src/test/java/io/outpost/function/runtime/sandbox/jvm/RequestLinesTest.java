package io.outpost.function.runtime.sandbox.jvm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A child JVM's stdin cut into request lines, whatever the reads deliver at a time. */
@Timeout(10)
class RequestLinesTest {

  /** Delivers at most {@code chunk} bytes per read, as a pipe may. */
  private static InputStream chunked(String text, int chunk) {
    ByteArrayInputStream all = new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    return new InputStream() {
      @Override
      public int read() {
        return all.read();
      }

      @Override
      public int read(byte[] b, int off, int len) {
        return all.read(b, off, Math.min(len, chunk));
      }
    };
  }

  private static List<String> all(RequestLines lines) throws IOException {
    List<String> out = new ArrayList<>();
    byte[] line;
    while ((line = lines.next()) != null) {
      out.add(new String(line, StandardCharsets.UTF_8));
    }
    return out;
  }

  @Test
  void linesSplitAcrossReadsAndSeveralInOneReadComeOutWhole() throws Exception {
    String text = "{\"id\":1}\n{\"id\":2}\n\n{\"id\":3,\"topic\":\"a/b\"}\n";
    for (int chunk : new int[] {1, 3, 7, 1024}) {
      assertThat(all(new RequestLines(chunked(text, chunk))))
          .as("reads of %d bytes", chunk)
          .containsExactly("{\"id\":1}", "{\"id\":2}", "", "{\"id\":3,\"topic\":\"a/b\"}");
    }
  }

  @Test
  void aLastLineWithoutNewlineIsDeliveredAndTheEndStaysTheEnd() throws Exception {
    RequestLines lines = new RequestLines(chunked("a\nb", 2));

    assertThat(all(lines)).containsExactly("a", "b");
    assertThat(lines.next()).isNull();
  }

  @Test
  void aLineLongerThanTheBufferGrowsItAndKeepsWhatFollows() throws Exception {
    String longLine = "x".repeat(50_000);
    String text = "short\n" + longLine + "\nafter\n";

    assertThat(all(new RequestLines(chunked(text, 4_000))))
        .containsExactly("short", longLine, "after");
  }
}
