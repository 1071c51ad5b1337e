package io.outpost.gateway.admin.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outpost.gateway.Gateway;
import io.outpost.gateway.ShoutHandler;
import io.outpost.gateway.cli.FunctionJars;
import io.outpost.gateway.config.ConfigLoader;
import io.outpost.testkit.StandInCloud;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;

/**
 * The web console in a real browser (headless Chromium through Selenium) on a phone-sized screen,
 * against a daemon with a device publishing, a cloud (Moquette) that refuses large messages, and a
 * deployed function that fails on empty input. Signs in with the token, watches the counters move,
 * disconnects the device, retries and deletes dead letters, reads the function's state and last
 * error and follows its log; the page must log no console errors and must not scroll sideways. A
 * failing test leaves a screenshot in {@code target/console-screenshots/}.
 */
@Timeout(150)
class ConsoleBrowserTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int PHONE_WIDTH = 390;
  private static final int PHONE_HEIGHT = 844;

  @TempDir Path dir;

  private final StandInCloud cloud = StandInCloud.start();
  private final HttpClient http = HttpClient.newHttpClient();
  private Gateway gateway;
  private MqttClient device;
  private HeadlessChromium browser;
  private Thread publisher;
  private final AtomicBoolean publishing = new AtomicBoolean();

  @BeforeEach
  void start() throws Exception {
    Assumptions.assumeTrue(
        HeadlessChromium.available(), "chromium and chromium-driver are installed by .ci/run");
    spoolTwoLargeMessagesOffline();
    gateway =
        Gateway.start(
            new ConfigLoader()
                .parse(
                    """
        broker: {listeners: [{host: 127.0.0.1, port: 0}]}
        storage: {dir: %s}
        admin: {listen: "127.0.0.1:0"}
        cloud: {url: "%s", clientId: edge-ui, mqttVersion: "3.1.1", maxMessageBytes: 64,
                backoff: {initialMillis: 50, maxMillis: 500}}
        routes: [{name: telemetry, from: local, filter: "devices/+/telemetry", to: cloud}]
        """
                        .formatted(dir.resolve("data"), cloud.url()),
                    "test"));
    Path jar =
        FunctionJars.jar(
            Files.createDirectories(dir.resolve("jars")),
            "shout",
            """
        name: shout
        version: 1.0.0
        handler: %s
        triggers: ["shout/in"]
        inputEncoding: binary
        """
                .formatted(ShoutHandler.class.getName()),
            ShoutHandler.class);
    HttpResponse<String> deployed =
        http.send(
            HttpRequest.newBuilder(URI.create(base() + "/api/functions"))
                .header("Authorization", "Bearer " + token())
                .header("Content-Type", "application/java-archive")
                .POST(HttpRequest.BodyPublishers.ofFile(jar))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(deployed.statusCode()).as(deployed.body()).isEqualTo(200);
    device =
        new MqttClient(
            "tcp://127.0.0.1:" + gateway.brokerPorts().get(0), "pump-5", new MemoryPersistence());
    device.connect();
    device.publish("shout/in", new byte[0], 1, false); // the function fails: nothing to shout
    await().atMost(WAIT).until(() -> spool().getLong("deadLetters") == 2);
    browser = new HeadlessChromium(PHONE_WIDTH, PHONE_HEIGHT);
  }

  /**
   * Two messages too large for the cloud link the daemon gets next: spooled while it runs without
   * one (with the link configured they would be refused at ingress), so the link dead-letters them
   * once it drains.
   */
  private void spoolTwoLargeMessagesOffline() throws Exception {
    Gateway offline =
        Gateway.start(
            new ConfigLoader()
                .parse(
                    """
        broker: {listeners: [{host: 127.0.0.1, port: 0}]}
        storage: {dir: %s}
        admin: {listen: "127.0.0.1:0"}
        routes: [{name: telemetry, from: local, filter: "devices/+/telemetry", to: cloud}]
        """
                        .formatted(dir.resolve("data")),
                    "test"));
    try {
      MqttClient early =
          new MqttClient(
              "tcp://127.0.0.1:" + offline.brokerPorts().get(0), "pump-5", new MemoryPersistence());
      try {
        early.connect();
        for (String name : List.of("first", "second")) {
          early.publish(
              "devices/pump-5/telemetry",
              (name + ":" + "x".repeat(200)).getBytes(StandardCharsets.UTF_8),
              1,
              false);
        }
        early.disconnect();
      } finally {
        early.close();
      }
    } finally {
      offline.stop(Duration.ofSeconds(10));
    }
  }

  @AfterEach
  void stop(TestInfo test) throws Exception {
    try {
      stopPublishing();
      if (browser != null) {
        browser.close();
      }
      if (device != null) {
        if (device.isConnected()) {
          device.disconnect();
        }
        device.close();
      }
      if (gateway != null) {
        gateway.stop(Duration.ofSeconds(10));
      }
    } finally {
      cloud.close();
    }
  }

  private String token() throws Exception {
    return Files.readString(dir.resolve("data").resolve("admin.token")).trim();
  }

  private JsonObject spool() throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base() + "/api/spool"))
            .header("Authorization", "Bearer " + token())
            .build();
    return new JsonObject(http.send(request, HttpResponse.BodyHandlers.ofString()).body());
  }

  private String base() {
    return "http://127.0.0.1:" + gateway.adminPort();
  }

  private String text(String id) {
    return browser.driver.findElement(By.id(id)).getText();
  }

  /**
   * The rows of a table as the page shows them now, in one script: the page re-renders tables as
   * snapshots arrive.
   */
  @SuppressWarnings("unchecked")
  private List<String> rows(String table, String attribute) {
    return (List<String>)
        browser.script(
            "var table = arguments[0], attribute = arguments[1];"
                + " return Array.from(document.querySelectorAll('#' + table + ' tbody tr'))"
                + ".map(function (r) { return r.getAttribute(attribute) + '|' + r.innerText; });",
            table,
            attribute);
  }

  /** The ids ({@code attribute}) of a table's rows. */
  private List<String> ids(String table, String attribute) {
    return rows(table, attribute).stream().map(r -> r.substring(0, r.indexOf('|'))).toList();
  }

  /** Waits, retrying a read that caught an element the page just replaced. */
  private static org.awaitility.core.ConditionFactory waiting() {
    return await().atMost(WAIT).ignoreExceptionsInstanceOf(StaleElementReferenceException.class);
  }

  private void startPublishing() {
    publishing.set(true);
    publisher =
        new Thread(
            () -> {
              int seq = 0;
              while (publishing.get()) {
                try {
                  device.publish(
                      "sensors/pump-5/level",
                      ("{\"seq\":" + seq++ + "}").getBytes(StandardCharsets.UTF_8),
                      0,
                      false);
                  Thread.sleep(20);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
                  return; // disconnected by the test
                }
              }
            },
            "console-test-publisher");
    publisher.start();
  }

  private void stopPublishing() throws InterruptedException {
    publishing.set(false);
    if (publisher != null) {
      publisher.join(5_000);
    }
  }

  @Test
  void anOperatorSignsInWatchesTrafficDisconnectsAClientAndHandlesDeadLetters(TestInfo test)
      throws Exception {
    try {
      operate();
    } catch (Throwable failure) {
      failure.addSuppressed(
          new AssertionError(
              "screenshot: "
                  + browser
                      .screenshot(test.getTestMethod().orElseThrow().getName())
                      .toAbsolutePath()));
      throw failure;
    }
  }

  private void operate() throws Exception {
    // sign in: the console sends an unknown visitor to the login page
    browser.driver.get(base() + "/ui/");
    assertThat(browser.driver.getCurrentUrl()).endsWith("/ui/login");
    browser.driver.findElement(By.id("token")).sendKeys(token());
    browser.driver.findElement(By.id("sign-in")).click();
    await().atMost(WAIT).until(() -> browser.driver.getCurrentUrl().endsWith("/ui/"));
    await().atMost(WAIT).until(() -> "live".equals(text("feed")));
    assertThat(text("ready")).isEqualTo("ready");
    assertThat(text("cloud-state")).isEqualTo("online");

    // counters move while the device publishes
    long before = Long.parseLong(text("total-in"));
    startPublishing();
    await()
        .atMost(WAIT)
        .until(
            () ->
                Double.parseDouble(text("rate-in")) > 0
                    && Long.parseLong(text("total-in")) >= before + 20);
    stopPublishing();
    assertThat(browser.driver.findElements(By.cssSelector("#chart-rates canvas")))
        .as("the rate chart")
        .isNotEmpty();

    // the device is listed; disconnecting it ends its connection
    waiting().until(() -> ids("clients", "data-client").contains("pump-5"));
    clickIn("#clients tr[data-client='pump-5']", "disconnect");
    await().atMost(WAIT).until(() -> !device.isConnected());
    waiting().until(() -> ids("clients", "data-client").isEmpty());
    assertThat(text("flash")).contains("disconnected pump-5");

    // dead letters: retry the first (the link dead-letters it again as too large), delete the
    // second
    waiting().until(() -> ids("dead-letters", "data-dead-letter").size() == 2);
    List<String> ids = ids("dead-letters", "data-dead-letter");
    assertThat(rows("dead-letters", "data-dead-letter").get(0))
        .contains("telemetry")
        .contains("too-large");
    clickIn("#dead-letters tr[data-dead-letter='" + ids.get(0) + "']", "retry");
    await().atMost(WAIT).until(() -> spool().getJsonObject("dropped").getLong("too-large") == 3);
    assertThat(text("flash")).contains("retried " + ids.get(0));
    await().atMost(WAIT).until(() -> spool().getLong("deadLetters") == 2);

    clickIn("#dead-letters tr[data-dead-letter='" + ids.get(1) + "']", "delete");
    browser.driver.switchTo().alert().accept();
    await().atMost(WAIT).until(() -> spool().getLong("deadLetters") == 1);
    // the deleted one is gone from the page; the retried one is listed again (dead-lettered anew)
    waiting()
        .until(
            () -> {
              List<String> left = ids("dead-letters", "data-dead-letter");
              return left.size() == 1 && !left.contains(ids.get(1));
            });
    assertThat(text("dead-count")).isEqualTo("1");

    // the function's state and its last error
    waiting()
        .untilAsserted(
            () ->
                assertThat(rows("functions", "data-function"))
                    .singleElement()
                    .asString()
                    .startsWith("shout|")
                    .contains("1.0.0")
                    .containsPattern("errored|broken|running")
                    .contains("nothing to shout"));

    // the function's own log, live: recent lines at once, a new invocation's lines as they come
    clickIn("#functions tr[data-function='shout']", "logs");
    waiting().until(() -> text("logs-lines").contains("nothing to shout"));
    assertThat(text("logs-name")).isEqualTo("shout");
    assertThat(text("logs-lines")).contains("version 1.0.0 active");
    long failuresShown =
        text("logs-lines").lines().filter(l -> l.contains("nothing to shout")).count();
    invoke("shout", "shout/in", "");
    waiting()
        .until(
            () ->
                text("logs-lines").lines().filter(l -> l.contains("nothing to shout")).count()
                    > failuresShown);
    assertThat(text("logs-state")).isEqualTo("live");

    // deploy a new version from the page, then roll back to the first one
    Path next =
        FunctionJars.jar(
            Files.createDirectories(dir.resolve("jars-next")),
            "shout",
            """
        name: shout
        version: 1.0.1
        handler: %s
        triggers: ["shout/in"]
        inputEncoding: binary
        """
                .formatted(ShoutHandler.class.getName()),
            ShoutHandler.class);
    browser.driver.findElement(By.id("deploy-file")).sendKeys(next.toAbsolutePath().toString());
    browser.driver.findElement(By.cssSelector("#deploy button[type='submit']")).click();
    await().atMost(WAIT).until(() -> text("flash").startsWith("deployed"));
    waiting().until(() -> "1.0.1".equals(functionVersion()));
    clickIn("#functions tr[data-function='shout']", "rollback");
    waiting().until(() -> "1.0.0".equals(functionVersion()));
    assertThat(text("flash")).doesNotContain("error");

    // usable on a phone: nothing wider than the screen except inside the scrolling tables
    Number pageWidth = (Number) browser.script("return document.documentElement.scrollWidth;");
    Number viewport = (Number) browser.script("return window.innerWidth;");
    assertThat(pageWidth.intValue())
        .as(
            "page width; elements reaching past the screen: %s",
            browser.script(
                "var out = []; document.querySelectorAll('body *').forEach(function (e) {"
                    + " var r = e.getBoundingClientRect();"
                    + " if ((r.right > window.innerWidth || e.scrollWidth > window.innerWidth)"
                    + " && (!e.closest('.scroll') || e.matches('.scroll'))) {"
                    + " out.push(e.tagName + '#' + e.id + '.' + e.className + ' ' + Math.round(r.right)"
                    + " + '/' + e.scrollWidth); } });"
                    + " return out.slice(0, 8).join(', ');"))
        .isLessThanOrEqualTo(viewport.intValue());
    assertThat(browser.consoleProblems()).as("browser console").isEmpty();
    browser.screenshot("console-phone"); // for the reviewer's eye: the console as a phone shows it
  }

  /** Invokes a function through the admin API, as the CLI does. */
  private void invoke(String function, String topic, String payload) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base() + "/api/functions/" + function + "/invoke"))
                .header("Authorization", "Bearer " + token())
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        new JsonObject().put("topic", topic).put("payload", payload).encode()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  /** The version the functions table shows for {@code shout}. */
  private String functionVersion() {
    return (String)
        browser.script(
            "var td = document.querySelector(\"#functions tr[data-function='shout']"
                + " td:nth-child(2)\"); return td ? td.textContent : null;");
  }

  /**
   * Clicks the button with {@code data-action} in the element {@code row} selects (found again if
   * replaced).
   */
  private void clickIn(String row, String action) {
    waiting()
        .until(
            () -> {
              browser
                  .driver
                  .findElement(By.cssSelector(row + " button[data-action='" + action + "']"))
                  .click();
              return true;
            });
  }
}
