package io.outpost.function.runtime.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.outpost.function.runtime.TestPackages;
import io.outpost.function.runtime.descriptor.FunctionDescriptor;
import io.outpost.function.runtime.descriptor.FunctionPackage;
import io.outpost.testkit.LossyFilesystem;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A deployed function's package and state survive a power cut (a lossy filesystem's cut) whole. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FunctionStorePowerCutTest {

  @TempDir Path work;
  private LossyFilesystem fs;
  private FunctionStore store;

  @BeforeAll
  static void requireFuse() {
    Optional<String> reason = LossyFilesystem.unavailableReason();
    reason.ifPresent(r -> System.out.println("FunctionStorePowerCutTest skipped: " + r));
    assumeTrue(reason.isEmpty(), () -> "lossy filesystem unavailable: " + reason.orElseThrow());
  }

  @BeforeEach
  void mount() throws Exception {
    fs = LossyFilesystem.mount(work.resolve("lossy"));
    store = new FunctionStore(fs.path().resolve("functions"));
  }

  @AfterEach
  void unmount() throws Exception {
    fs.close();
  }

  @Test
  void aDeployedVersionIsStoredWholeAcrossAPowerCut() throws Exception {
    Path v1 =
        TestPackages.jar(work, TestPackages.javaDescriptor("echo", "1.0.0", Object.class, ""));
    Path v2 =
        TestPackages.jar(work, TestPackages.javaDescriptor("echo", "2.0.0", Object.class, ""));

    store.activate("echo", store.add(v1, descriptor("1.0.0")), 3);
    store.activate("echo", store.add(v2, descriptor("2.0.0")), 3);
    fs.cut();

    assertThat(store.names()).containsExactly("echo");
    assertThat(store.versions("echo"))
        .extracting(FunctionStore.StoredVersion::version)
        .containsExactly("1.0.0", "2.0.0");
    for (FunctionStore.StoredVersion version : store.versions("echo")) {
      Path jar = store.versionDir("echo", version).resolve(FunctionPackage.JAR_NAME);
      assertThat(Files.readAllBytes(jar))
          .isEqualTo(Files.readAllBytes(version.version().equals("1.0.0") ? v1 : v2));
    }
  }

  @Test
  void aRollbackIsDurableAcrossAPowerCutAndKeepsTheNewerVersion() throws Exception {
    FunctionStore.StoredVersion first =
        store.add(
            TestPackages.jar(work, TestPackages.javaDescriptor("echo", "1.0.0", Object.class, "")),
            descriptor("1.0.0"));
    store.activate("echo", first, 3);
    store.activate(
        "echo",
        store.add(
            TestPackages.jar(work, TestPackages.javaDescriptor("echo", "2.0.0", Object.class, "")),
            descriptor("2.0.0")),
        3);

    store.activate("echo", first, 3);
    fs.cut();

    assertThat(store.versions("echo"))
        .extracting(FunctionStore.StoredVersion::version)
        .containsExactly("1.0.0", "2.0.0");
    assertThat(store.state("echo").activeVersion()).isEqualTo(first);
  }

  @Test
  void aPackageStoredButNotYetActivatedLeavesThePreviousVersionActive() throws Exception {
    FunctionStore.StoredVersion first =
        store.add(
            TestPackages.jar(work, TestPackages.javaDescriptor("echo", "1.0.0", Object.class, "")),
            descriptor("1.0.0"));
    store.activate("echo", first, 3);
    store.add(
        TestPackages.jar(work, TestPackages.javaDescriptor("echo", "2.0.0", Object.class, "")),
        descriptor("2.0.0"));
    fs.cut();

    assertThat(store.state("echo").activeVersion()).isEqualTo(first);
  }

  private static FunctionDescriptor descriptor(String version) {
    String yaml = TestPackages.javaDescriptor("echo", version, Object.class, "");
    return FunctionDescriptor.parse(
        new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test");
  }
}
