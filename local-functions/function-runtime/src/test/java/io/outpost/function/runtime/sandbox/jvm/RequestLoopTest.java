package io.outpost.function.runtime.sandbox.jvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A child JVM's handler threads taking turns at stdin: requests run on the thread that read them,
 * at most maxConcurrency at once, the rest refused at once, interrupts never carried over.
 */
@Timeout(30)
class RequestLoopTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(10);

  /** A stdin fed chunk by chunk; an empty chunk ends it. */
  private static final class FedStream extends InputStream {
    final BlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
    byte[] current = new byte[0];
    int at;
    boolean ended;

    void feed(String text) {
      chunks.add(text.getBytes(StandardCharsets.UTF_8));
    }

    void end() {
      chunks.add(new byte[0]);
    }

    @Override
    public int read() {
      throw new UnsupportedOperationException("reads in bulk");
    }

    @Override
    public int read(byte[] b, int off, int len) {
      while (!ended && at == current.length) {
        try {
          current = chunks.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return -1;
        }
        at = 0;
        ended = current.length == 0;
      }
      if (ended) {
        return -1;
      }
      int n = Math.min(len, current.length - at);
      System.arraycopy(current, at, b, off, n);
      at += n;
      return n;
    }
  }

  private final FedStream stdin = new FedStream();
  private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
  private final ReplyWriter replies = new ReplyWriter(JSON, stdout);

  private List<JsonNode> written() throws Exception {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : stdout.toString(StandardCharsets.UTF_8).split("\n")) {
      if (!line.isEmpty()) {
        lines.add(JSON.readTree(line));
      }
    }
    return lines;
  }

  private JsonNode replyTo(long id) throws Exception {
    return written().stream().filter(l -> l.get("id").asLong() == id).findFirst().orElse(null);
  }

  /** Serves on a thread of its own (with one slot the loop names and runs on its caller). */
  private CompletableFuture<Integer> serve(RequestLoop.Runner runner, int maxConcurrency) {
    RequestLoop loop =
        new RequestLoop(
            new RequestLines(stdin),
            line -> ChildRequest.parse(line, JSON),
            runner,
            replies,
            maxConcurrency,
            "outpost-fn-test");
    CompletableFuture<Integer> code = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                code.complete(loop.serve());
              } catch (Throwable e) {
                code.completeExceptionally(e);
              }
            },
            "serve");
    t.start();
    return code;
  }

  @Test
  void requestsBeyondMaxConcurrencyAreRefusedAtOnceAndTheSlotsServeAgainWhenFree()
      throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    List<String> ranOn = new CopyOnWriteArrayList<>();
    CompletableFuture<Integer> code =
        serve(
            r -> {
              ranOn.add(Thread.currentThread().getName());
              if (r.message().topic().equals("hold")) {
                try {
                  release.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
              return replies.result(r.id(), "fn", List.of());
            },
            2);

    stdin.feed("{\"id\":1,\"topic\":\"hold\"}\n{\"id\":2,\"topic\":\"hold\"}\n");
    await().atMost(WAIT).until(() -> ranOn.size() == 2);
    stdin.feed("{\"id\":3,\"topic\":\"hold\"}\n");

    await().atMost(WAIT).until(() -> replyTo(3) != null);
    assertThat(replyTo(3).get("error").asText())
        .isEqualTo("more than 2 invocations in flight (maxConcurrency)");
    assertThat(replyTo(1)).as("still running").isNull();
    assertThat(ranOn).as("each on a thread of its own").doesNotHaveDuplicates();

    release.countDown();
    await().atMost(WAIT).until(() -> replyTo(1) != null && replyTo(2) != null);
    stdin.feed("{\"id\":4,\"topic\":\"go\"}\n");
    await().atMost(WAIT).until(() -> replyTo(4) != null);
    stdin.end();

    assertThat(code.get(10, TimeUnit.SECONDS)).isZero();
    for (long id : new long[] {1, 2, 4}) {
      assertThat(replyTo(id).get("error")).as("request %d", id).isNull();
      assertThat(replyTo(id).get("publish")).isEmpty();
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void aHandlersInterruptDoesNotReachTheNextRequestOnItsThread(int maxConcurrency)
      throws Exception {
    List<Boolean> interruptedOnEntry = new CopyOnWriteArrayList<>();
    ConcurrentHashMap<String, Integer> perThread = new ConcurrentHashMap<>();
    CompletableFuture<Integer> code =
        serve(
            r -> {
              interruptedOnEntry.add(Thread.currentThread().isInterrupted());
              perThread.merge(Thread.currentThread().getName(), 1, Integer::sum);
              Thread.currentThread().interrupt();
              return replies.result(r.id(), "fn", List.of());
            },
            maxConcurrency);

    for (int i = 1; i <= 12; i++) {
      stdin.feed("{\"id\":" + i + "}\n\n");
      int id = i;
      await().atMost(WAIT).until(() -> replyTo(id) != null);
    }
    stdin.end();

    assertThat(code.get(10, TimeUnit.SECONDS)).isZero();
    assertThat(interruptedOnEntry).hasSize(12).containsOnly(false);
    assertThat(perThread.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(12);
    assertThat(perThread.keySet()).allMatch(n -> n.startsWith("outpost-fn-test-"));
  }

  @Test
  void aLineThatIsNotARequestEndsTheLoopWithTheProtocolExitCode() throws Exception {
    CompletableFuture<Integer> code = serve(r -> replies.result(r.id(), "fn", List.of()), 2);

    stdin.feed("{\"id\":1}\nnot json\n");

    assertThat(code.get(10, TimeUnit.SECONDS)).isEqualTo(RequestLoop.EXIT_PROTOCOL);
    await().atMost(WAIT).until(() -> replyTo(1) != null);
    stdin.end();
  }

  @Test
  void anErrorOutsideAnyHandlerEndsTheLoopRatherThanServeWithFewerThreads() throws Exception {
    CompletableFuture<Integer> code =
        serve(
            r -> {
              throw new InternalError("the JVM itself failed");
            },
            2);

    stdin.feed("{\"id\":1}\n");

    assertThat(code.get(10, TimeUnit.SECONDS)).isEqualTo(RequestLoop.EXIT_SOFTWARE);
    stdin.end();
  }
}
