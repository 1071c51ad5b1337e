package io.outpost.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the dev command finds a Maven installation to keep warm, and the options it starts it with.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MavenHomeTest {

  @TempDir Path dir;

  /** Maven 3's layout as Debian installs it: {@code bin/mvn}, {@code bin/m2.conf}, boot/, lib/. */
  private Path installation(String name, String version) throws IOException {
    Path home = dir.resolve(name);
    Path bin = Files.createDirectories(home.resolve("bin"));
    Files.writeString(
        bin.resolve("m2.conf"), "main is org.apache.maven.cli.MavenCli from plexus.core\n");
    Path mvn = Files.writeString(bin.resolve("mvn"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.write(
        Files.createDirectories(home.resolve("boot")).resolve("plexus-classworlds-2.x.jar"),
        new byte[0]);
    Path lib = Files.createDirectories(home.resolve("lib"));
    Files.write(lib.resolve("maven-embedder-3.x.jar"), new byte[0]);
    try (OutputStream out = Files.newOutputStream(lib.resolve("maven-core-3.x.jar"));
        JarOutputStream jar = new JarOutputStream(out)) {
      jar.putNextEntry(new JarEntry("META-INF/maven/org.apache.maven/maven-core/pom.properties"));
      jar.write(("version=" + version + "\n").getBytes(StandardCharsets.UTF_8));
      jar.closeEntry();
    }
    return home;
  }

  @Test
  void followsTheLinkOfTheMvnOnPathToItsInstallation() throws Exception {
    Path home = installation("share/maven", "3.8.7");
    Path usrBin = Files.createDirectories(dir.resolve("usr/bin"));
    Files.createSymbolicLink(usrBin.resolve("mvn"), home.resolve("bin/mvn"));
    String path = dir.resolve("empty") + ":" + usrBin + ":" + dir.resolve("later");

    MavenHome found = MavenHome.locate(null, path);

    assertThat(found.dir()).isEqualTo(home.toRealPath());
    assertThat(found.version()).isEqualTo("3.8.7");
    assertThat(found.bootJars())
        .containsExactly(home.toRealPath().resolve("boot/plexus-classworlds-2.x.jar"));
  }

  @Test
  void anExplicitHomeWinsOverPath() throws Exception {
    Path onPath = installation("on-path", "3.8.7");
    Path explicit = installation("explicit", "3.9.9");

    MavenHome found = MavenHome.locate(explicit, onPath.resolve("bin").toString());

    assertThat(found.dir()).isEqualTo(explicit);
    assertThat(found.version()).isEqualTo("3.9.9");
  }

  @Test
  void saysWhyThereIsNoInstallation() throws Exception {
    assertThatThrownBy(() -> MavenHome.locate(null, dir.toString()))
        .isInstanceOf(MavenHome.NotFound.class)
        .hasMessage("no mvn on PATH");
    assertThatThrownBy(() -> MavenHome.locate(dir.resolve("nothing"), null))
        .hasMessageContaining(dir.resolve("nothing") + " is not a Maven 3 installation");

    Path wrapper = Files.createDirectories(dir.resolve("wrapper/bin"));
    Path mvn = Files.writeString(wrapper.resolve("mvn"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
    assertThatThrownBy(() -> MavenHome.locate(null, wrapper.toString()))
        .hasMessageContaining("is not inside a Maven 3 installation");
  }

  @Test
  void theBuildJvmTakesJvmConfigThenMavenOpts() throws Exception {
    Path project = Files.createDirectories(dir.resolve("base/module"));
    Files.createDirectories(dir.resolve("base/.mvn"));
    Files.writeString(dir.resolve("base/.mvn/jvm.config"), "-Xmx512m   # heap\n\n-Dfoo=bar\n");

    Path base = WarmMaven.multiModuleDirectory(project);

    assertThat(base).isEqualTo(dir.resolve("base"));
    assertThat(WarmMaven.jvmOptions(base, " -Xss1m  -Da=b "))
        .isEqualTo(List.of("-Xmx512m", "-Dfoo=bar", "-Xss1m", "-Da=b"));
    assertThat(WarmMaven.jvmOptions(project, null)).isEmpty();
  }

  @Test
  void buildOutputIsKeptUpToItsBound() {
    MavenBuildServer.BoundedOutput out = new MavenBuildServer.BoundedOutput(4);
    out.write("abc".getBytes(StandardCharsets.UTF_8), 0, 3);
    out.write('d');
    out.write('e');
    out.write("fgh".getBytes(StandardCharsets.UTF_8), 0, 3);

    assertThat(new String(out.bytes(), StandardCharsets.UTF_8))
        .isEqualTo("abcd\n... 4 more bytes of build output not shown\n");
  }
}
