package io.outpost.packaging;

import java.util.ArrayList;
import java.util.List;

/**
 * The shell blocks of a Markdown guide that a test runs: a fenced block right after {@code <!--
 * guide:run -->} (or {@code <!-- guide:run-later -->}, for commands that are not there yet, or
 * {@code <!-- guide:run-online -->}, for steps that need a package registry, or {@code <!--
 * guide:run-node -->}, for steps that need Node.js and npm but no registry), with the lines it must
 * print in a fenced block right after a following {@code <!-- guide:output -->}.
 */
final class GuideBlocks {

  /**
   * One block.
   *
   * @param line the 1-based line of its opening fence, for failure messages
   * @param script the commands
   * @param expected lines its output must contain (each as a substring of the output), in order
   * @param mode when the test runs it
   */
  record Block(int line, String script, List<String> expected, Mode mode) {}

  /** When a block runs. */
  enum Mode {
    /** {@code guide:run}: always. */
    RUN,
    /** {@code guide:run-later}: documented, not run (the command is not there yet). */
    LATER,
    /**
     * {@code guide:run-online}: needs a package registry (npm), so it runs only where a test may
     * leave the machine; the blocks after it that use what it built are skipped with it.
     */
    ONLINE,
    /**
     * {@code guide:run-node}: needs Node.js and npm (the Wasm path) but no registry, so it runs
     * wherever they are installed, with npm cut off from every registry.
     */
    NODE
  }

  private GuideBlocks() {}

  static List<Block> parse(String markdown) {
    String[] lines = markdown.split("\n", -1);
    List<Block> blocks = new ArrayList<>();
    int i = 0;
    while (i < lines.length) {
      String marker = lines[i].strip();
      Mode mode =
          switch (marker) {
            case "<!-- guide:run -->" -> Mode.RUN;
            case "<!-- guide:run-later -->" -> Mode.LATER;
            case "<!-- guide:run-online -->" -> Mode.ONLINE;
            case "<!-- guide:run-node -->" -> Mode.NODE;
            default -> null;
          };
      if (mode == null) {
        i++;
        continue;
      }
      int open = nextFence(lines, i + 1);
      int close = closingFence(lines, open);
      String script = String.join("\n", List.of(lines).subList(open + 1, close)) + "\n";
      List<String> expected = new ArrayList<>();
      i = close + 1;
      int next = skipBlank(lines, i);
      if (next < lines.length && lines[next].strip().equals("<!-- guide:output -->")) {
        int outOpen = nextFence(lines, next + 1);
        int outClose = closingFence(lines, outOpen);
        for (String e : List.of(lines).subList(outOpen + 1, outClose)) {
          if (!e.isBlank()) {
            expected.add(e.strip());
          }
        }
        i = outClose + 1;
      }
      blocks.add(new Block(open + 1, script, expected, mode));
    }
    return blocks;
  }

  private static int skipBlank(String[] lines, int from) {
    int i = from;
    while (i < lines.length && lines[i].isBlank()) {
      i++;
    }
    return i;
  }

  private static int nextFence(String[] lines, int from) {
    int i = skipBlank(lines, from);
    if (i >= lines.length || !lines[i].startsWith("```")) {
      throw new IllegalArgumentException(
          "line " + (from) + ": a guide marker must be followed by a fenced block");
    }
    return i;
  }

  private static int closingFence(String[] lines, int open) {
    for (int i = open + 1; i < lines.length; i++) {
      if (lines[i].startsWith("```")) {
        return i;
      }
    }
    throw new IllegalArgumentException("line " + (open + 1) + ": unclosed fenced block");
  }
}
