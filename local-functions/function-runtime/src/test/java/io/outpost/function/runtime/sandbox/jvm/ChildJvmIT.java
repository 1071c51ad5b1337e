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
import io.outpost.function.runtime.testfunctions.Hoarder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A Java handler in its own JVM, started as the daemon starts it, in the best sandbox this machine
 * offers.
 */
@Timeout(90)
class ChildJvmIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final Sandbox sandbox = Sandbox.open(SandboxMode.AUTO);
  private Process process;

  @AfterEach
  void cleanUp() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    sandbox.close();
  }

  private Process start(Class<?> handler, Confinement c) throws Exception {
    Path classes = Path.of(handler.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> cmd =
        ChildJvmCommand.of(
            classes, handler.getName(), "jvm-test", "1", false, 1, List.of("GREETING"), c.limits());
    ProcessBuilder pb =
        new ProcessBuilder(c.wrap(cmd, true)).redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().put("GREETING", "hello");
    process = pb.start();
    c.started(process.pid());
    return process;
  }

  private static void send(Process p, Map<String, Object> request) throws Exception {
    OutputStream in = p.getOutputStream();
    in.write(JSON.writeValueAsBytes(request));
    in.write('\n');
    in.flush();
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
}
