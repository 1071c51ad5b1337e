package io.outpost.function.runtime.process;

import java.io.IOException;

/**
 * Why a program could not be started, in the words of a shell ("permission denied: is it
 * executable?") instead of the JDK's ({@code Cannot run program ... error=13}), and without the
 * daemon's directory names.
 */
public final class StartFailures {

  private StartFailures() {}

  /** One line saying why {@code program} did not start. */
  public static String describe(String program, IOException e) {
    String m = String.valueOf(e.getMessage());
    if (m.contains("error=13")) {
      return program
          + " cannot be started: permission denied (is it executable? chmod +x it before"
          + " packaging; the execute bit travels with the package)";
    }
    if (m.contains("error=2")) {
      return program
          + " cannot be started: no such file in the package or on PATH"
          + (program.contains("/") ? "" : " (a file of the package is written ./" + program + ")");
    }
    if (m.contains("error=8")) {
      return program
          + " cannot be started: not a program this system can run (a script needs a #! line)";
    }
    int error = m.indexOf("error=");
    return program + " cannot be started" + (error >= 0 ? ": " + m.substring(error) : "");
  }
}
