package io.outpost.gateway.admin.console;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The system's headless Chromium driven by its chromedriver ({@code /usr/bin/chromedriver},
 * Debian's {@code chromium-driver}), with a fresh profile under {@code target/}: no Selenium
 * Manager, no download. Closing it quits the browser, stops the driver, waits for both processes to
 * be gone and deletes the profile.
 */
final class HeadlessChromium implements AutoCloseable {

  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path TARGET = Path.of("target");

  private final Path profile;
  private final ChromeDriverService service;
  final ChromeDriver driver;

  /** Whether this machine has the browser and its driver (the build's CI installs both). */
  static boolean available() {
    return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
  }

  HeadlessChromium(int width, int height) throws IOException {
    profile =
        Files.createTempDirectory(
            Files.createDirectories(TARGET.resolve("chromium-profiles")), "profile");
    service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .withLogFile(TARGET.resolve("chromedriver.log").toFile())
            .build();
    ChromeOptions options =
        new ChromeOptions()
            .setBinary(CHROMIUM.toFile())
            .addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile.toAbsolutePath(),
                "--window-size=" + width + "," + height);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriver started;
    try {
      started = new ChromeDriver(service, options);
    } catch (RuntimeException e) {
      service.stop();
      delete(profile);
      throw e;
    }
    driver = started;
    driver
        .manage()
        .timeouts()
        .pageLoadTimeout(Duration.ofSeconds(30))
        .scriptTimeout(Duration.ofSeconds(10));
  }

  /** The browser console's entries at WARNING or above since the last call. */
  List<String> consoleProblems() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue())
        .map(LogEntry::toString)
        .toList();
  }

  /**
   * Saves a screenshot of the page as {@code target/console-screenshots/NAME.png}; returns the
   * file.
   */
  Path screenshot(String name) {
    try {
      Path dir = Files.createDirectories(TARGET.resolve("console-screenshots"));
      File shot = driver.getScreenshotAs(OutputType.FILE);
      return Files.move(
          shot.toPath(), dir.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs a script in the page and returns its result. */
  Object script(String js, Object... args) {
    return driver.executeScript(js, args);
  }

  @Override
  public void close() throws IOException {
    try {
      driver.quit();
    } finally {
      service.stop();
      // chromedriver ends the browser; wait for every child to be reaped before the test's leak
      // check
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (ProcessHandle.current().descendants().anyMatch(ProcessHandle::isAlive)
          && System.nanoTime() < deadline) {
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      delete(profile);
    }
  }

  private static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
