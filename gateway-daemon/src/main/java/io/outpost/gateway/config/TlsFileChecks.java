package io.outpost.gateway.config;

import io.outpost.broker.ListenerOptions;
import io.outpost.broker.security.TlsMaterial;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads every TLS file a configuration names — listener certificates, keys and client CAs, the
 * cloud link's certificate, key and CA — the way the daemon will at start, so {@code validate}
 * finds what would stop {@code run}, and {@code run} refuses such a configuration with exit 78
 * before starting anything. Each problem names its key, its line and the file, in plain words.
 * Blocking: call it before the event loops start.
 */
public final class TlsFileChecks {

  private TlsFileChecks() {}

  /**
   * Every TLS file problem of {@code config}, in file order; empty when all load.
   *
   * @param file the YAML file {@code config} came from, for line numbers; {@code null} for the
   *     built-in one
   */
  public static List<ConfigException> problems(OutpostConfig config, Path file) {
    List<ConfigException> problems = new ArrayList<>();
    String source = file == null ? "built-in configuration" : file.toString();
    KeyLocator locator = KeyLocator.of(read(file));
    List<ListenerOptions> listeners = config.broker().listeners();
    for (int i = 0; i < listeners.size(); i++) {
      if (listeners.get(i).tls() == null) {
        continue;
      }
      String key = "broker.listeners[" + i + "].tls";
      try {
        TlsMaterial.load(listeners.get(i).tls());
      } catch (IOException | GeneralSecurityException | RuntimeException e) {
        problems.add(new ConfigException(source, key, locator.lineOf(key), describe(e)));
      }
    }
    if (config.cloud() != null && config.cloud().url().startsWith("ssl:")) {
      try {
        config.cloud().tls().check();
      } catch (IOException | GeneralSecurityException | RuntimeException e) {
        int line = locator.lineOf("cloud.tls");
        problems.add(
            new ConfigException(
                source, "cloud.tls", line > 0 ? line : locator.lineOf("cloud"), describe(e)));
      }
    }
    return problems;
  }

  /** Plain words naming the file: never a library's exception text. */
  static String describe(Exception e) {
    if (e instanceof NoSuchFileException missing) {
      return missing.getFile() + ": file not found";
    }
    if (e instanceof AccessDeniedException denied) {
      return denied.getFile() + ": permission denied";
    }
    if (e instanceof GeneralSecurityException
        && e.getMessage() != null
        && e.getMessage().contains("/")) {
      return e.getMessage(); // from the PEM reader: names the file and what is wrong
    }
    return "cannot be loaded ("
        + e.getClass()
            .getSimpleName()
            .replaceAll("(Exception|Error)$", "")
            .replaceAll("([a-z])([A-Z])", "$1 $2")
            .toLowerCase(java.util.Locale.ROOT)
        + ")";
  }

  private static String read(Path file) {
    if (file == null) {
      return "";
    }
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return ""; // already loaded once; without the text, problems are reported without a line
    }
  }
}
