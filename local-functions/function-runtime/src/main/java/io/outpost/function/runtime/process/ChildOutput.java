package io.outpost.function.runtime.process;

import io.outpost.function.runtime.LogSource;
import io.outpost.function.runtime.invoke.FunctionInstance;
import java.util.Locale;
import java.util.Set;

/**
 * Where a child's output goes: its stderr and stray stdout lines as they are, its protocol {@code
 * log} lines as the handler's own, under the invocation they name, at their level.
 */
final class ChildOutput implements ChildProcess.Output {

  private static final Set<String> LEVELS = Set.of("DEBUG", "INFO", "WARN", "ERROR");

  private final FunctionInstance instance;

  ChildOutput(FunctionInstance instance) {
    this.instance = instance;
  }

  @Override
  public void line(LogSource source, String text, String invocationId) {
    instance.output(source, source == LogSource.STDERR ? "INFO" : "WARN", invocationId, text);
  }

  @Override
  public void log(String level, String invocationId, String message) {
    String known = level.toUpperCase(Locale.ROOT);
    instance.output(
        LogSource.HANDLER, LEVELS.contains(known) ? known : "INFO", invocationId, message);
  }
}
