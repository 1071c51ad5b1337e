package io.outpost.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * The shaded {@code outpost.jar}: runnable, and carrying only what runs on the boards we ship to.
 */
class RunnableJarIT {

  @Test
  void declaresTheCommandLineAsMainClass() throws Exception {
    try (JarFile jar = new JarFile(Artifacts.JAR.toFile())) {
      assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
          .isEqualTo("io.outpost.gateway.cli.OutpostCommand");
    }
  }

  @Test
  void shipsBothPahoClientsTheCloudLinkNeeds() throws Exception {
    try (JarFile jar = new JarFile(Artifacts.JAR.toFile())) {
      assertThat(jar.getEntry("org/eclipse/paho/mqttv5/client/MqttAsyncClient.class")).isNotNull();
      assertThat(jar.getEntry("org/eclipse/paho/client/mqttv3/MqttAsyncClient.class")).isNotNull();
    }
  }

  @Test
  void keepsSqliteNativesOnlyForLinuxBoards() throws Exception {
    try (JarFile jar = new JarFile(Artifacts.JAR.toFile())) {
      List<String> natives =
          jar.stream()
              .map(ZipEntry::getName)
              .filter(name -> name.startsWith("org/sqlite/native/") && !name.endsWith("/"))
              .sorted()
              .toList();

      assertThat(natives)
          .containsExactly(
              "org/sqlite/native/Linux/aarch64/libsqlitejdbc.so",
              "org/sqlite/native/Linux/arm/libsqlitejdbc.so",
              "org/sqlite/native/Linux/armv6/libsqlitejdbc.so",
              "org/sqlite/native/Linux/armv7/libsqlitejdbc.so",
              "org/sqlite/native/Linux/x86_64/libsqlitejdbc.so");
    }
  }

  @Test
  void leavesOutTheUnusedKotlinRuntime() throws Exception {
    try (JarFile jar = new JarFile(Artifacts.JAR.toFile())) {
      assertThat(jar.stream().map(ZipEntry::getName)).noneMatch(name -> name.startsWith("kotlin/"));
    }
  }
}
