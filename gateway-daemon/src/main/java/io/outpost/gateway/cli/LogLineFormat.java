package io.outpost.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;

/**
 * How a function's log line reads on a terminal: {@code TIME LEVEL SOURCE [INVOCATION] MESSAGE}.
 */
final class LogLineFormat {

  private LogLineFormat() {}

  static String format(JsonNode line) {
    StringBuilder out =
        new StringBuilder()
            .append(line.path("time").asText())
            .append(' ')
            .append(String.format(java.util.Locale.ROOT, "%-5s", line.path("level").asText("INFO")))
            .append(' ')
            .append(line.path("source").asText("runtime"));
    if (line.hasNonNull("invocation")) {
      out.append(" [").append(line.path("invocation").asText()).append(']');
    }
    return out.append(' ').append(line.path("message").asText()).toString();
  }

  /**
   * A writer that takes a JSON-lines stream as it arrives and prints each complete line formatted
   * (or as it came, for {@code --json}), flushing after each so a follow shows lines at once.
   */
  static Writer printing(PrintWriter out, boolean raw) {
    return new Writer() {
      private final StringBuilder pending = new StringBuilder();

      @Override
      public void write(char[] buf, int off, int len) {
        for (int i = off; i < off + len; i++) {
          char c = buf[i];
          if (c == '\n') {
            emit(pending.toString());
            pending.setLength(0);
          } else {
            pending.append(c);
          }
        }
        out.flush();
      }

      private void emit(String text) {
        if (text.isBlank()) {
          return;
        }
        if (raw) {
          out.println(text);
          return;
        }
        try {
          out.println(format(AdminClient.json().readTree(text)));
        } catch (IOException e) {
          out.println(text); // not a log line: show it as it is
        }
      }

      @Override
      public void flush() {
        out.flush();
      }

      @Override
      public void close() {
        if (pending.length() > 0) {
          emit(pending.toString());
          pending.setLength(0);
        }
        out.flush();
      }
    };
  }
}
