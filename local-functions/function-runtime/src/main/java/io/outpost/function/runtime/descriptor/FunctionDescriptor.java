package io.outpost.function.runtime.descriptor;

import io.outpost.function.runtime.FunctionDeploymentException;
import io.outpost.function.runtime.FunctionOverrides;
import io.outpost.function.runtime.FunctionRuntimeOptions;
import io.outpost.function.runtime.InputEncoding;
import io.outpost.function.runtime.Lifecycle;
import io.outpost.function.runtime.OverflowPolicy;
import io.outpost.function.runtime.RuntimeKind;
import io.outpost.function.runtime.sandbox.FunctionLimits;
import io.outpost.function.runtime.sandbox.Isolation;
import io.outpost.function.runtime.sandbox.ResolvedLimits;
import io.outpost.function.runtime.schedule.Timing;
import io.outpost.topic.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A function package's {@value #FILE_NAME} (at the root of the jar or directory). Absent optional
 * keys are null here and take the runtime's defaults ({@link FunctionRuntimeOptions}) when
 * deployed.
 *
 * @param name unique function name: lowercase letters, digits, {@code - _ .}, up to 64 characters
 *     (required)
 * @param version version label, e.g. {@code 1.0.0}: letters, digits, {@code - _ . +} (required)
 * @param runtime {@code java} (default), {@code process} or {@code wasm}
 * @param handler Java runtime: fully qualified class implementing {@code
 *     io.outpost.function.Handler} (required); wasm runtime: path of the WASI module inside the
 *     package, e.g. {@code handler.wasm} (required)
 * @param command process runtime: program and arguments, run with the package directory as working
 *     directory (required), e.g. {@code [python3, handler.py]}
 * @param triggers MQTT topic filters that invoke the function; may be empty (invoked only through
 *     the admin API)
 * @param timeoutMillis per-invocation timeout; default {@code functions.defaultTimeoutMillis}
 *     (3000)
 * @param lifecycle {@code on-demand} (default) or {@code pinned}
 * @param maxConcurrency invocations running at once; default {@code
 *     functions.defaultMaxConcurrency} (1); for the process runtime, how many requests its program
 *     takes in flight at once (it answers each by id, in any order), default 1: one at a time
 * @param maxQueued invocations waiting; default {@code functions.defaultMaxQueued} (1000)
 * @param overflow {@code reject-new} or {@code drop-oldest}; default {@code
 *     functions.defaultOverflow} (reject-new)
 * @param environment configuration handed to the handler ({@code Context.config()}) or, for
 *     processes, added to the child's environment; default empty
 * @param inputEncoding {@code json} (default; non-JSON payloads fail with outcome ERROR) or {@code
 *     binary}
 * @param description free text shown by {@code functions list}; optional
 * @param maxMemoryPages wasm runtime: the most 64 KiB linear-memory pages one instance may grow to;
 *     default {@code functions.wasm.defaultMemoryPages} (256), at most {@code
 *     functions.wasm.maxMemoryPages} (1024)
 * @param idleTimeoutMillis on-demand functions: scale to zero (state IDLE) after this long without
 *     invocations; 0 = never; default {@code functions.defaultIdleTimeoutMillis} (0)
 * @param limits memory, CPU, processes and open files of the function's processes ({@link
 *     FunctionLimits}); each absent key takes its default, lowered to the daemon's cap ({@code
 *     functions.limits}); more than a cap refuses the deploy
 * @param isolation Java runtime: {@code process} (a child JVM held to {@code limits}) or {@code
 *     in-process} (the daemon's JVM, sharing its fate); default {@code functions.defaultIsolation}
 *     ({@code process})
 * @param schedule a cron expression with seconds ({@code second minute hour day-of-month month
 *     day-of-week}, Spring's format, in UTC), e.g. {@code "0 *}{@code /5 * * * *"}: the function
 *     also runs at these times; not with {@code every}
 * @param every an interval ({@code 10s}, {@code 5m}, {@code 1h}; at least 1s): the function also
 *     runs this often; not with {@code schedule}
 * @param catchUp with {@code schedule} or {@code every}: {@code true} makes up for the runs missed
 *     while the daemon was down with one run at start; default {@code false} (missed runs are not
 *     replayed)
 */
public record FunctionDescriptor(
    String name,
    String version,
    RuntimeKind runtime,
    String handler,
    List<String> command,
    List<String> triggers,
    Long timeoutMillis,
    Lifecycle lifecycle,
    Integer maxConcurrency,
    Integer maxQueued,
    OverflowPolicy overflow,
    Map<String, String> environment,
    InputEncoding inputEncoding,
    String description,
    Integer maxMemoryPages,
    Long idleTimeoutMillis,
    FunctionLimits limits,
    Isolation isolation,
    String schedule,
    String every,
    Boolean catchUp) {

  /** The descriptor's file name at the package root. */
  public static final String FILE_NAME = "outpost-function.yaml";

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,63}");

  /**
   * Validates every key; throws {@code IllegalArgumentException} whose message lists each problem
   * as {@code <key>: <why>}, one per line, so a user fixes them all in one go.
   */
  public FunctionDescriptor {
    List<String> problems = new java.util.ArrayList<>();
    if (name == null) {
      problems.add("name: required (lowercase letters, digits, - _ ., up to 64 characters)");
    } else if (!NAME.matcher(name).matches()) {
      problems.add(
          "name: must be lowercase letters, digits, - _ . (up to 64 characters), not '"
              + name
              + "'");
    }
    if (version == null) {
      problems.add("version: required, e.g. 1.0.0");
    } else if (!VERSION.matcher(version).matches()) {
      problems.add(
          "version: must be letters, digits, - _ . + (up to 64 characters), not '" + version + "'");
    }
    runtime = runtime == null ? RuntimeKind.JAVA : runtime;
    lifecycle = lifecycle == null ? Lifecycle.ON_DEMAND : lifecycle;
    inputEncoding = inputEncoding == null ? InputEncoding.JSON : inputEncoding;
    triggers = triggers == null ? List.of() : List.copyOf(triggers);
    environment = environment == null ? Map.of() : Map.copyOf(environment);
    command = command == null ? null : List.copyOf(command);
    limits = limits == null ? FunctionLimits.NONE : limits;
    if (isolation != null && runtime != RuntimeKind.JAVA) {
      problems.add(
          "isolation: only for runtime java (a "
              + runtime.yaml()
              + " function always runs in its own process)");
    }
    for (int i = 0; i < triggers.size(); i++) {
      try {
        Topics.validateFilter(triggers.get(i));
      } catch (IllegalArgumentException e) {
        problems.add("triggers[" + i + "]: " + e.getMessage());
      }
    }
    if (runtime == RuntimeKind.JAVA && (handler == null || handler.isBlank())) {
      problems.add("handler: required for runtime java (a class implementing Handler)");
    }
    if (runtime == RuntimeKind.PROCESS && (command == null || command.isEmpty())) {
      problems.add("command: required for runtime process, e.g. [python3, handler.py]");
    }
    if (runtime == RuntimeKind.WASM && (handler == null || handler.isBlank())) {
      problems.add("handler: required for runtime wasm (the module file, e.g. handler.wasm)");
    }
    if (maxMemoryPages != null && runtime != RuntimeKind.WASM) {
      problems.add("maxMemoryPages: only for runtime wasm");
    }
    if (maxMemoryPages != null && maxMemoryPages < 1) {
      problems.add("maxMemoryPages: must be >= 1, was " + maxMemoryPages);
    }
    if (idleTimeoutMillis != null && idleTimeoutMillis < 0) {
      problems.add("idleTimeoutMillis: must be >= 0 (0 = never), was " + idleTimeoutMillis);
    }
    if (idleTimeoutMillis != null && idleTimeoutMillis > 0 && lifecycle == Lifecycle.PINNED) {
      problems.add("idleTimeoutMillis: only on-demand functions scale to zero; this one is pinned");
    }
    if (timeoutMillis != null && timeoutMillis <= 0) {
      problems.add("timeoutMillis: must be > 0, was " + timeoutMillis);
    }
    if (maxConcurrency != null && maxConcurrency < 1) {
      problems.add("maxConcurrency: must be >= 1, was " + maxConcurrency);
    }
    if (maxQueued != null && maxQueued < 0) {
      problems.add("maxQueued: must be >= 0, was " + maxQueued);
    }
    if (!problems.isEmpty()) {
      throw new DescriptorProblems(problems);
    }
    if (Timing.parse(schedule, every) == null && catchUp != null) {
      throw new IllegalArgumentException("catchUp: only with schedule or every");
    }
  }

  /** When the function runs on its own ({@code schedule} or {@code every}), or null. */
  public Timing timing() {
    return Timing.parse(schedule, every);
  }

  /** Whether missed scheduled runs are made up for at start ({@code catchUp}, default false). */
  public boolean catchesUp() {
    return Boolean.TRUE.equals(catchUp);
  }

  /**
   * Parses a descriptor, reporting every problem at once.
   *
   * @param in the YAML
   * @param source where it came from; messages name only {@value #FILE_NAME} (never a server's
   *     temporary path), so this is for the caller's logs
   * @return the descriptor
   * @throws FunctionDeploymentException listing each problem as {@code outpost-function.yaml:LINE:
   *     key: message}
   */
  public static FunctionDescriptor parse(InputStream in, String source) {
    String yaml;
    try {
      yaml = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new FunctionDeploymentException(FILE_NAME + ": cannot read: " + e.getMessage(), e);
    }
    return DescriptorReader.read(yaml);
  }

  /**
   * Applies {@code functions.overrides.<name>} and the runtime defaults.
   *
   * @throws IllegalArgumentException ("functions.overrides.&lt;name&gt;.&lt;key&gt;: why") when an
   *     override does not fit this function
   */
  public FunctionSpec resolve(FunctionRuntimeOptions options) {
    FunctionOverrides o = options.overridesFor(name);
    int declared = maxConcurrency == null ? 1 : maxConcurrency;
    if (runtime == RuntimeKind.PROCESS
        && o.maxConcurrency() != null
        && o.maxConcurrency() > declared) {
      throw new IllegalArgumentException(
          "functions.overrides."
              + name
              + ".maxConcurrency: "
              + name
              + " is a process function whose program takes at most "
              + declared
              + " requests in flight (its maxConcurrency); was "
              + o.maxConcurrency());
    }
    long timeout = first(o.timeoutMillis(), timeoutMillis, options.defaultTimeoutMillis());
    ResolvedLimits resolved = limits.resolve(options.limits());
    Isolation where =
        runtime != RuntimeKind.JAVA
            ? Isolation.PROCESS
            : first(null, isolation, options.defaultIsolation());
    int concurrency =
        runtime == RuntimeKind.PROCESS
            ? first(o.maxConcurrency(), maxConcurrency, 1) // the program's own declaration
            : first(o.maxConcurrency(), maxConcurrency, options.defaultMaxConcurrency());
    Map<String, String> env = new java.util.HashMap<>(environment);
    env.putAll(o.environment());
    int memoryPages = 0;
    if (runtime == RuntimeKind.WASM) {
      memoryPages = first(null, maxMemoryPages, options.wasm().defaultMemoryPages());
      if (memoryPages > options.wasm().maxMemoryPages()) {
        throw new IllegalArgumentException(
            "maxMemoryPages: "
                + name
                + " asks for "
                + memoryPages
                + " pages, more than the gateway allows (functions.wasm.maxMemoryPages: "
                + options.wasm().maxMemoryPages()
                + ")");
      }
    }
    long idle =
        lifecycle == Lifecycle.PINNED
            ? 0
            : first(null, idleTimeoutMillis, options.defaultIdleTimeoutMillis());
    return new FunctionSpec(
        this,
        java.time.Duration.ofMillis(timeout),
        concurrency,
        first(o.maxQueued(), maxQueued, options.defaultMaxQueued()),
        first(o.overflow(), overflow, options.defaultOverflow()),
        env,
        java.time.Duration.ofMillis(idle),
        memoryPages,
        resolved,
        where);
  }

  private static <T> T first(T override, T declared, T fallback) {
    return override != null ? override : declared != null ? declared : fallback;
  }
}
