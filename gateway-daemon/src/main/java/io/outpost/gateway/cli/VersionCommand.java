package io.outpost.gateway.cli;

import io.outpost.gateway.ExitCodes;
import io.outpost.gateway.VersionInfo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/** {@code outpost version}: the build's version and the Java runtime it runs on. */
@Command(name = "version", description = "Print the version.", mixinStandardHelpOptions = true)
final class VersionCommand implements Callable<Integer> {

  @Override
  public Integer call() {
    for (String line : lines()) {
      System.out.println(line);
    }
    return ExitCodes.OK;
  }

  static String[] lines() {
    return new String[] {
      "outpost " + VersionInfo.version(),
      "java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"
    };
  }

  /** Serves {@code outpost --version}. */
  static final class Provider implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return lines();
    }
  }
}
