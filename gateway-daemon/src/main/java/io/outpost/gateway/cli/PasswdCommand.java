package io.outpost.gateway.cli;

import io.outpost.broker.security.PasswordFile;
import io.outpost.gateway.ExitCodes;
import io.outpost.gateway.config.ConfigException;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code outpost passwd add|remove USER}: manages the device password file ({@code
 * security.passwordFile}). The file is rewritten atomically with mode 0600; a running daemon picks
 * the change up within {@code security.fileCheckSeconds}.
 */
@Command(
    name = "passwd",
    mixinStandardHelpOptions = true,
    description =
        "Add, change or remove device users in the password file (PBKDF2-HMAC-SHA256 hashes).",
    subcommands = {PasswdCommand.Add.class, PasswdCommand.Remove.class})
final class PasswdCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "add or remove is required");
  }

  /** Options shared by both subcommands: which file. */
  static final class FileOptions {
    @Mixin ConfigOption config;

    @Option(
        names = {"-f", "--file"},
        paramLabel = "FILE",
        description = "Password file. Default: security.passwordFile of the configuration.")
    Path file;

    /** The file to edit, or {@code null} after printing why there is none. */
    Path resolve(PrintWriter err) {
      if (file != null) {
        return file;
      }
      try {
        String configured = config.load().security().passwordFile();
        if (configured == null) {
          err.println(
              "outpost: " + config.describe() + " sets no security.passwordFile; pass --file FILE");
          return null;
        }
        return Path.of(configured);
      } catch (ConfigException e) {
        err.println("outpost: invalid configuration: " + e.getMessage());
        return null;
      }
    }
  }

  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description =
          "Add USER, or change their password. Prompts twice on a terminal; --password-stdin reads one "
              + "line from standard input instead (for scripts).")
  static final class Add implements Callable<Integer> {

    @Mixin FileOptions files;

    @Parameters(paramLabel = "USER", description = "The MQTT user name.")
    String user;

    @Option(
        names = "--password-stdin",
        description = "Read the password from the first line of standard input.")
    boolean passwordStdin;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      PrintWriter err = spec.commandLine().getErr();
      Path file = files.resolve(err);
      if (file == null) {
        return ExitCodes.CONFIG;
      }
      byte[] password = passwordStdin ? readStdin(err) : prompt(err);
      if (password == null) {
        return ExitCodes.USAGE;
      }
      try {
        PasswordFile current = PasswordFile.loadOrEmpty(file);
        boolean existed = current.contains(user);
        current.with(user, password).save(file);
        spec.commandLine()
            .getOut()
            .println((existed ? "changed the password of " : "added ") + user + " in " + file);
        return ExitCodes.OK;
      } catch (IllegalArgumentException e) {
        err.println("outpost: " + e.getMessage());
        return ExitCodes.USAGE;
      } finally {
        Arrays.fill(password, (byte) 0);
      }
    }

    private static byte[] readStdin(PrintWriter err) throws IOException {
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line = in.readLine();
      if (line == null || line.isEmpty()) {
        err.println("outpost: no password on standard input");
        return null;
      }
      return line.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] prompt(PrintWriter err) {
      Console console = System.console();
      if (console == null) {
        err.println("outpost: no terminal to prompt on; use --password-stdin");
        return null;
      }
      char[] first = console.readPassword("Password: ");
      char[] second = console.readPassword("Repeat password: ");
      try {
        if (first == null || first.length == 0 || !Arrays.equals(first, second)) {
          err.println("outpost: the passwords are empty or do not match");
          return null;
        }
        ByteBuffer bytes = StandardCharsets.UTF_8.encode(CharBuffer.wrap(first));
        byte[] out = new byte[bytes.remaining()];
        bytes.get(out);
        return out;
      } finally {
        if (first != null) {
          Arrays.fill(first, '\0');
        }
        if (second != null) {
          Arrays.fill(second, '\0');
        }
      }
    }
  }

  @Command(
      name = "remove",
      mixinStandardHelpOptions = true,
      description = "Remove USER from the password file.")
  static final class Remove implements Callable<Integer> {

    @Mixin FileOptions files;

    @Parameters(paramLabel = "USER", description = "The MQTT user name.")
    String user;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      PrintWriter err = spec.commandLine().getErr();
      Path file = files.resolve(err);
      if (file == null) {
        return ExitCodes.CONFIG;
      }
      PasswordFile current;
      try {
        current = PasswordFile.loadOrEmpty(file);
      } catch (IllegalArgumentException e) {
        err.println("outpost: " + e.getMessage());
        return ExitCodes.CONFIG;
      }
      if (!current.contains(user)) {
        err.println("outpost: no user " + user + " in " + file);
        return ExitCodes.NOT_FOUND;
      }
      current.without(user).save(file);
      spec.commandLine().getOut().println("removed " + user + " from " + file);
      return ExitCodes.OK;
    }
  }
}
