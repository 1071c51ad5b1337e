package io.outpost.function.runtime.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.outpost.function.runtime.TestPackages;
import io.outpost.function.runtime.descriptor.FunctionDescriptor;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The function store's state file across builds. */
class FunctionStoreTest {

  @TempDir Path work;

  @Test
  void aStateFileWithFieldsANewerBuildAddedStillLoadsWithWhatThisBuildKnows() throws Exception {
    FunctionStore store = new FunctionStore(work.resolve("functions"));
    FunctionStore.StoredVersion v1 =
        store.add(
            TestPackages.jar(work, TestPackages.javaDescriptor("echo", "1.0.0", Object.class, "")),
            descriptor("1.0.0"));
    FunctionStore.StoredVersion v2 =
        store.add(
            TestPackages.jar(work, TestPackages.javaDescriptor("echo", "2.0.0", Object.class, "")),
            descriptor("2.0.0"));
    store.activate("echo", v1, 3);
    Path state = work.resolve("functions").resolve("echo").resolve("state.json");
    String written = Files.readString(state);
    // what a later build might write: a field of its own at the top and in each version
    Files.writeString(
        state,
        written
            .replaceFirst("\\{", "{\"pinnedBy\":\"fleet-job-7\",")
            .replace("\"version\":", "\"digest\":\"sha256:00\",\"version\":"));

    FunctionStore.StoredFunction loaded = store.state("echo");

    assertThat(loaded.versions()).containsExactly(v1, v2);
    assertThat(loaded.activeVersion()).isEqualTo(v1);
  }

  private static FunctionDescriptor descriptor(String version) {
    String yaml = TestPackages.javaDescriptor("echo", version, Object.class, "");
    return FunctionDescriptor.parse(
        new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test");
  }
}
