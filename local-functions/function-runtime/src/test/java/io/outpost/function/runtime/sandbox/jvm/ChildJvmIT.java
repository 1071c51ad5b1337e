package io.outpost.function.runtime.sandbox.jvm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.outpost.function.runtime.sandbox.Confinement;
import io.outpost.function.runtime.sandbox.LimitKind;
import io.outpost.function.runtime.sandbox.ResolvedLimits;
import io.outpost.function.runtime.sandbox.Sandbox;
import io.outpost.function.runtime.sandbox.SandboxMode;
import io.outpost.function.runtime.testfunctions.Echo;
import io.outpost.function.runtime.testfunctions.Gate;
import io.outpost.function.runtime.testfunctions.Hoarder;
import io.outpost.function.runtime.testfunctions.SelfInterrupting;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A Java handler in its own JVM, started as the daemon starts it, in the best sandbox this machine
 * offers.
 */
@Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a blocked read ends too
class ChildJvmIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final Sandbox sandbox = Sandbox.open(SandboxMode.AUTO);
  @TempDir Path tmp;
  private Process process;

  @AfterEach
  void cleanUp() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    sandbox.close();
  }

  private Process start(Class<?> handler, Confinement c) throws Exception {
    return start(handler, c, 1, Map.of("GREETING", "hello"));
  }

  /** Starts the child as the daemon does, with {@code env} as its config. */
  private Process start(
      Class<?> handler, Confinement c, int maxConcurrency, Map<String, String> env)
      throws Exception {
    Path classes = Path.of(handler.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> cmd =
        ChildJvmCommand.of(
            classes,
            handler.getName(),
            "jvm-test",
            "1",
            false,
            maxConcurrency,
            env.keySet(),
            c.limits());
    ProcessBuilder pb =
        new ProcessBuilder(c.wrap(cmd, true)).redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().putAll(env);
    process = pb.start();
    c.started(process.pid());
    return process;
  }

  private static Map<String, Object> request(long id, String payload) {
    return Map.of(
        "id",
        id,
        "topic",
        "in/x",
        "payloadBase64",
        Base64.getEncoder().encodeToString(payload.getBytes(StandardCharsets.UTF_8)),
        "receivedAt",
        "2026-12-05T11:00:00.250Z",
        "receivedAtMillis",
        1_796_468_400_250L,
        "timeoutMillis",
        30_000);
  }

  /** The next protocol line on stdout that {@code wanted} accepts (skipping others). */
  private static JsonNode until(BufferedReader out, Predicate<JsonNode> wanted) throws Exception {
    while (true) {
      String line = out.readLine();
      assertThat(line).as("stdout still open").isNotNull();
      JsonNode node = JSON.readTree(line);
      if (wanted.test(node)) {
        return node;
      }
    }
  }

  private static Predicate<JsonNode> resultOf(long id) {
    return n -> n.get("id").asLong() == id && (n.has("publish") || n.has("error"));
  }

  private static String firstPayload(JsonNode reply) {
    return new String(
        Base64.getDecoder().decode(reply.get("publish").get(0).get("payloadBase64").asText()),
        StandardCharsets.UTF_8);
  }

  private static void send(Process p, Map<String, Object> request) throws Exception {
    OutputStream in = p.getOutputStream();
    in.write(JSON.writeValueAsBytes(request));
    in.write('\n');
    in.flush();
  }

  @Test
  void aClassThatIsNoHandlerIsReportedOnTheReadyLineAndEndsTheChildWithExConfig() throws Exception {
    Confinement c = sandbox.confine("jvm-test@1", new ResolvedLimits(256, 1, 64, 256));
    Process p = start(ChildJvmIT.class, c);

    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    JsonNode ready = until(out, n -> n.get("id").asLong() == 0);
    assertThat(ready.path("error").asText()).contains(ChildJvmIT.class.getName());
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("EX_CONFIG: the package is wrong").isEqualTo(78);
  }

  @Test
  void answersOverTheProcessLineProtocol() throws Exception {
    Confinement c = sandbox.confine("jvm-test@1", new ResolvedLimits(256, 1, 64, 256));
    Process p = start(Echo.class, c);

    send(
        p,
        Map.of(
            "id",
            7,
            "topic",
            "in/x",
            "payloadBase64",
            Base64.getEncoder().encodeToString("hi".getBytes(StandardCharsets.UTF_8)),
            "timeoutMillis",
            3000));
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    JsonNode ready = JSON.readTree(out.readLine());
    JsonNode reply = JSON.readTree(out.readLine());

    assertThat(ready.get("id").asLong()).isZero();
    assertThat(ready.get("ready").asBoolean()).isTrue();
    assertThat(reply.get("id").asLong()).isEqualTo(7);
    assertThat(reply.get("error")).isNull();
    JsonNode published = reply.get("publish").get(0);
    assertThat(published.get("topic").asText()).isEqualTo("echo/in/x");
    assertThat(Base64.getDecoder().decode(published.get("payloadBase64").asText()))
        .asString()
        .isEqualTo("hi");
    p.getOutputStream().close();
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("exits when stdin closes").isTrue();
    assertThat(p.exitValue()).isZero();
  }

  @Test
  void aHandlerRetainingMemoryBeyondItsLimitEndsOnlyItsJvmCountedAsAMemoryHit() throws Exception {
    Confinement c = sandbox.confine("jvm-test@1", new ResolvedLimits(96, 1, 64, 256));
    Process p = start(Hoarder.class, c);

    send(p, Map.of("id", 1, "topic", "in/x", "payload", Map.of(), "timeoutMillis", 30000));

    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(c.newHits(p.exitValue(), true)).containsExactly(LimitKind.MEMORY);
    assertThat(ProcessHandle.current().isAlive()).isTrue();
  }

  @Test
  void runsUpToMaxConcurrencyAtOnceAnswersOutOfOrderAndRefusesARequestBeyond() throws Exception {
    Path gate = tmp.resolve("gate");
    Confinement c = sandbox.confine("jvm-test@1", new ResolvedLimits(256, 1, 64, 256));
    Process p = start(Gate.class, c, 2, Map.of("gate", gate.toString()));
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    assertThat(until(out, n -> n.get("id").asLong() == 0).get("ready").asBoolean()).isTrue();

    send(p, request(1, "wait"));
    until(out, n -> n.get("id").asLong() == 1 && n.has("publishNow"));
    send(p, request(2, "go"));
    JsonNode second = until(out, resultOf(2));
    send(p, request(3, "wait"));
    until(out, n -> n.get("id").asLong() == 3 && n.has("publishNow"));
    send(p, request(4, "wait"));
    JsonNode fourth = until(out, resultOf(4));
    Files.createFile(gate);
    // 1 and 3 end together once the gate opens: their results come in either order
    Map<Long, JsonNode> ended = new HashMap<>();
    while (ended.size() < 2) {
      JsonNode r = until(out, n -> resultOf(1).test(n) || resultOf(3).test(n));
      ended.put(r.get("id").asLong(), r);
    }
    JsonNode first = ended.get(1L);
    JsonNode third = ended.get(3L);

    assertThat(second.get("error")).as("answered while 1 still runs").isNull();
    assertThat(second.get("publish").get(0).get("topic").asText()).isEqualTo("gate/done");
    assertThat(fourth.get("error").asText())
        .isEqualTo("more than 2 invocations in flight (maxConcurrency)");
    assertThat(first.get("publish").get(0).get("topic").asText()).isEqualTo("gate/done");
    assertThat(third.get("publish").get(0).get("topic").asText()).isEqualTo("gate/done");
    p.getOutputStream().close();
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("exits when stdin closes").isTrue();
    assertThat(p.exitValue()).isZero();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void aHandlersInterruptOfItsOwnThreadDoesNotReachTheNextRequest(int maxConcurrency)
      throws Exception {
    Confinement c = sandbox.confine("jvm-test@1", new ResolvedLimits(256, 1, 64, 256));
    Process p = start(SelfInterrupting.class, c, maxConcurrency, Map.of());
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    Set<String> threads = new HashSet<>();

    for (int id = 1; id <= 8; id++) {
      send(p, request(id, "r" + id));
      JsonNode reply = until(out, resultOf(id));
      assertThat(reply.get("error")).isNull();
      assertThat(reply.get("publish").get(0).get("topic").asText()).isEqualTo("interrupted/r" + id);
      String[] interruptedAndThread = firstPayload(reply).split(" ");
      assertThat(interruptedAndThread[0])
          .as("request %d started interrupted", id)
          .isEqualTo("false");
      threads.add(interruptedAndThread[1]);
    }

    assertThat(threads).allMatch(t -> t.startsWith("outpost-fn-jvm-test-"));
    assertThat(threads).hasSizeLessThanOrEqualTo(maxConcurrency + 1);
    p.getOutputStream().close();
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
  }
}
