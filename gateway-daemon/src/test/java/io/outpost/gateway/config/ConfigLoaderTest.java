package io.outpost.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import io.outpost.gateway.config.RouteConfig.Side;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  private final ConfigLoader loader = new ConfigLoader();

  @TempDir Path dir;

  @Test
  void readsTheDocumentedContract() throws Exception {
    OutpostConfig c =
        loader.parse(
            """
        broker:
          listeners:
            - host: 127.0.0.1
              port: 1883
        storage:
          dir: ./outpost-data          # SQLite files live here
        cloud:                         # optional
          url: tcp://127.0.0.1:1884
          clientId: edge-1
        routes:
          - {from: local, filter: "devices/+/telemetry", to: cloud}
          - {from: cloud, filter: "commands/edge-1/#", to: local}
        admin:
          listen: 127.0.0.1:8181
        """,
            "outpost.yaml");

    assertThat(c.broker().listeners())
        .singleElement()
        .satisfies(
            l -> {
              assertThat(l.host()).isEqualTo("127.0.0.1");
              assertThat(l.port()).isEqualTo(1883);
            });
    assertThat(c.storage().dir()).isEqualTo("./outpost-data");
    assertThat(c.cloud().url()).isEqualTo("tcp://127.0.0.1:1884");
    assertThat(c.cloud().clientId()).isEqualTo("edge-1");
    assertThat(c.routes())
        .extracting(RouteConfig::from, RouteConfig::filter, RouteConfig::to, RouteConfig::name)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                Side.LOCAL, "devices/+/telemetry", Side.CLOUD, "route-0"),
            org.assertj.core.groups.Tuple.tuple(
                Side.CLOUD, "commands/edge-1/#", Side.LOCAL, "route-1"));
    assertThat(c.admin().host()).isEqualTo("127.0.0.1");
    assertThat(c.admin().port()).isEqualTo(8181);
  }

  @Test
  void builtInConfigListensOnLoopbackKeepsDataLocallyAndHasNoCloud() {
    OutpostConfig c = loader.builtIn();

    assertThat(c.broker().listeners())
        .singleElement()
        .satisfies(
            l -> {
              assertThat(l.host()).isEqualTo("127.0.0.1");
              assertThat(l.port()).isEqualTo(1883);
            });
    assertThat(c.storage().dir()).isEqualTo("./outpost-data");
    assertThat(c.cloudLink()).isEmpty();
    assertThat(c.admin().listen()).isEqualTo("127.0.0.1:8181");
  }

  @Test
  void emptyFileMeansAllDefaults() throws Exception {
    OutpostConfig c = loader.parse("", "empty.yaml");

    assertThat(c.routes()).isEmpty();
    assertThat(c.cloudLink()).isEmpty();
    assertThat(c.admin()).isEqualTo(AdminConfig.defaults());
  }

  @Test
  void outboundTopicAliasesAreOnByDefaultAndCanBeTurnedOff() throws Exception {
    assertThat(loader.parse("", "empty.yaml").broker().outboundTopicAliases()).isTrue();
    OutpostConfig off =
        loader.parse(
            """
        broker:
          outboundTopicAliases: false
        """,
            "outpost.yaml");
    assertThat(off.broker().outboundTopicAliases()).isFalse();
  }

  @Test
  void unknownKeyIsRejectedWithItsPathAndLine() {
    assertRejected(
        """
        broker:
          listeners:
            - host: 127.0.0.1
              prot: 1883
        """,
        "broker.listeners[0].prot",
        4,
        "unknown key 'prot'");
  }

  @Test
  void unknownTopLevelSectionIsRejected() {
    assertRejected(
        """
        storage:
          dir: ./data
        brokers:
          listeners: []
        """,
        "brokers",
        3,
        "unknown key 'brokers'");
  }

  @Test
  void wrongTypeIsRejectedWithItsPathAndLine() {
    assertRejected(
        """
        broker:
          listeners:
            - host: 127.0.0.1
              port: 1883
            - host: 127.0.0.1
              port: many
        """,
        "broker.listeners[1].port",
        6,
        "");
  }

  @Test
  void valueRejectedByASectionNamesTheKeyAndLine() {
    assertRejected(
        """
        storage:
          dir: ./data
        admin:
          listen: nowhere
        """,
        "admin.listen",
        4,
        "must be host:port");
  }

  @Test
  void cloudPendingDeletesHasADefaultLoadsAndAnInvalidOneNamesItsKeyAndLine() throws Exception {
    String cloud = "cloud: {url: 'tcp://127.0.0.1:1884', clientId: edge-1%s}\n";
    assertThat(loader.parse(cloud.formatted(""), "test").cloud().pendingDeletes())
        .isEqualTo(io.outpost.cloud.CloudOptions.DEFAULT_PENDING_DELETES);
    assertThat(
            loader.parse(cloud.formatted(", pendingDeletes: 500"), "test").cloud().pendingDeletes())
        .isEqualTo(500);
    assertRejected(
        """
        storage:
          dir: ./data
        cloud:
          url: tcp://127.0.0.1:1884
          clientId: edge-1
          pendingDeletes: 0
        """,
        "cloud.pendingDeletes",
        6,
        "must be >= 1, got 0");
    assertRejected(
        """
        cloud:
          url: tcp://127.0.0.1:1884
          clientId: edge-1
          pendingDeletes: 2000000
        """,
        "cloud.pendingDeletes",
        4,
        "must be <= 1000000");
  }

  @Test
  void invalidFunctionOverrideNamesTheFunctionAndKey() {
    assertRejected(
        """
        functions:
          overrides:
            hello:
              timeoutMillis: 0
        """,
        "functions.overrides.hello.timeoutMillis",
        4,
        "must be > 0");
  }

  @Test
  void wasmMemoryAndIdleSettingsLoadAndAnInvalidOneNamesItsKey() throws Exception {
    var functions =
        loader
            .parse(
                "functions: {defaultIdleTimeoutMillis: 60000, wasm: {maxMemoryPages: 64}}\n",
                "test")
            .functions();

    assertThat(functions.defaultIdleTimeoutMillis()).isEqualTo(60_000L);
    assertThat(functions.wasm().maxMemoryPages()).isEqualTo(64);
    assertThat(functions.wasm().defaultMemoryPages())
        .as("the default never exceeds the cap")
        .isEqualTo(64);
    assertRejected(
        """
        functions:
          wasm:
            maxMemoryPages: 0
        """,
        "functions.wasm.maxMemoryPages",
        3,
        "must be 1..65536");
  }

  @Test
  void functionLogBoundsLoadAndAnInvalidOneNamesItsKeyAndLine() throws Exception {
    var logs =
        loader
            .parse("functions: {logs: {maxBytesPerFunction: 65536, maxFiles: 2}}\n", "test")
            .functions()
            .logs();

    assertThat(logs.maxBytesPerFunction()).isEqualTo(65_536L);
    assertThat(logs.maxFiles()).isEqualTo(2);
    assertThat(logs.maxLineBytes()).isEqualTo(4_096);
    assertRejected(
        """
        functions:
          logs:
            maxFiles: 0
        """,
        "functions.logs.maxFiles",
        3,
        "must be 1 to 100");
  }

  @Test
  void functionLimitCapsAndSandboxModeAreValidatedNamingKeyAndLine() throws Exception {
    assertThat(
            loader
                .parse("functions: {limits: {memoryMiB: 512}, sandbox: rlimit}\n", "test")
                .functions())
        .satisfies(f -> assertThat(f.limits().memoryMiB()).isEqualTo(512))
        .satisfies(f -> assertThat(f.sandbox().yaml()).isEqualTo("rlimit"));
    assertRejected(
        """
        functions:
          limits:
            memoryMiB: 4
        """,
        "functions.limits.memoryMiB",
        3,
        "must be >= 16");
    assertRejected(
        """
        functions:
          sandbox: jail
        """,
        "functions.sandbox",
        2,
        "must be one of auto, cgroup-v2, cgroup-v1, rlimit");
    assertRejected(
        """
        functions:
          defaultIsolation: thread
        """,
        "functions.defaultIsolation",
        2,
        "must be one of process, in-process");
  }

  @Test
  void adminUploadBoundsHaveDefaultsAndAreValidated() throws Exception {
    AdminConfig admin = loader.parse("admin: {maxPackageBytes: 1024}\n", "test").admin();

    assertThat(admin.uploadLimits())
        .isEqualTo(
            new AdminConfig.UploadLimits(
                1024,
                AdminConfig.DEFAULT_MAX_UNPACKED_BYTES,
                AdminConfig.DEFAULT_MAX_PACKAGE_FILES,
                AdminConfig.DEFAULT_MAX_INVOKE_BYTES));
    assertRejected(
        """
        admin:
          maxPackageFiles: -1
        """,
        "admin.maxPackageFiles",
        2,
        "must be > 0");
  }

  @Test
  void invalidRouteFilterIsRejectedWithItsPathAndLine() {
    assertRejected(
        """
        routes:
          - {from: local, filter: "devices/+/telemetry", to: cloud}
          - from: local
            filter: "devices/#/bad"
            to: cloud
        """,
        "routes[1].filter",
        4,
        "invalid topic filter");
  }

  @Test
  void routeToItsOwnSideIsRejected() {
    assertRejected(
        """
        routes:
          - {from: local, filter: "a/b", to: local}
        """,
        "routes[0].to",
        2,
        "must differ");
  }

  @Test
  void unknownRouteSideIsRejected() {
    assertRejected(
        """
        routes:
          - {from: local, filter: "a/b", to: space}
        """,
        "routes[0].to",
        2,
        "must be 'local' or 'cloud'");
  }

  @Test
  void unknownRewritePlaceholderIsRejected() {
    assertRejected(
        """
        routes:
          - {from: local, filter: "a/#", to: cloud, topic: "site/{deviceId}/{topic}"}
        """,
        "routes[0].topic",
        2,
        "unknown placeholder {deviceId}");
  }

  @Test
  void duplicateRouteNamesAreRejected() {
    assertRejected(
        """
        routes:
          - {name: up, from: local, filter: "a/#", to: cloud}
          - {name: up, from: cloud, filter: "b/#", to: local}
        """,
        "routes[1].name",
        3,
        "duplicate route name 'up'");
  }

  @Test
  void malformedYamlIsRejectedWithItsLine() {
    assertThatThrownBy(() -> loader.parse("broker:\n  listeners: [\n    {host: a\n", "bad.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("bad.yaml:")
        .hasMessageContaining("not valid YAML");
  }

  @Test
  void unreadableFileIsAConfigError() {
    Path missing = dir.resolve("missing.yaml");

    assertThatThrownBy(() -> loader.load(missing))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("cannot read");
  }

  @Test
  void loadsAFileAndNamesItInErrors() throws Exception {
    Path file =
        Files.writeString(dir.resolve("outpost.yaml"), "admin:\n  listen: 127.0.0.1:99999\n");

    assertThatThrownBy(() -> loader.load(file))
        .asInstanceOf(type(ConfigException.class))
        .satisfies(
            e -> {
              assertThat(e.getMessage()).startsWith(file + ":2: admin.listen: ");
              assertThat(e.reason()).contains("0..65535");
            });
  }

  private void assertRejected(String yaml, String keyPath, int line, String reasonPart) {
    assertThatThrownBy(() -> loader.parse(yaml, "outpost.yaml"))
        .asInstanceOf(type(ConfigException.class))
        .satisfies(
            e -> {
              assertThat(e.keyPath()).isEqualTo(keyPath);
              assertThat(e.line()).isEqualTo(line);
              assertThat(e.reason()).contains(reasonPart);
              assertThat(e.getMessage())
                  .isEqualTo("outpost.yaml:" + line + ": " + keyPath + ": " + e.reason());
            });
  }
}
