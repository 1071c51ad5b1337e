package io.outpost.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the dev command builds and deploys for each kind of project. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DevProjectTest {

  @TempDir Path project;

  private void jar(String name, boolean withDescriptor) throws IOException {
    Path target = Files.createDirectories(project.resolve("target"));
    try (OutputStream out = Files.newOutputStream(target.resolve(name));
        JarOutputStream jar = new JarOutputStream(out)) {
      jar.putNextEntry(new JarEntry(withDescriptor ? DevProject.DESCRIPTOR : "README"));
      jar.write("name: x\n".getBytes(StandardCharsets.UTF_8));
      jar.closeEntry();
    }
  }

  @Test
  void aPythonProjectDeploysItsDirectoryWithoutABuild() throws Exception {
    Files.writeString(project.resolve(DevProject.DESCRIPTOR), "name: x\n");
    DevProject p = new DevProject(project, null);

    assertThat(p.isMaven()).isFalse();
    assertThat(p.build()).isNull();
    assertThat(p.deployable()).isEqualTo(project);
  }

  @Test
  void aMavenProjectBuildsOfflineAndDeploysTheJarWithTheDescriptor() throws Exception {
    Files.writeString(project.resolve("pom.xml"), "<project/>");
    jar("x-sources.jar", true);
    jar("x-plain.jar", false);
    jar("x.jar", true);
    DevProject p = new DevProject(project, null);

    assertThat(p.isMaven()).isTrue();
    assertThat(p.buildCommand()).isEqualTo("mvn -q -o package");
    assertThat(p.deployable()).isEqualTo(project.resolve("target/x.jar"));
  }

  @Test
  void aMavenProjectWithoutItsJarSaysWhatIsMissing() throws Exception {
    Files.writeString(project.resolve("pom.xml"), "<project/>");
    jar("x-plain.jar", false);

    assertThatThrownBy(() -> new DevProject(project, null).deployable())
        .hasMessageContaining("no jar with outpost-function.yaml");
  }

  @Test
  void aFailingBuildReturnsItsOutputAndExitCode() throws Exception {
    DevProject p = new DevProject(project, "echo 'Tests run: 1, Failures: 1'; exit 3");

    DevProject.BuildResult r = p.build();

    assertThat(r.ok()).isFalse();
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.output()).contains("Failures: 1");
  }

  @Test
  void anOfflineBuildThatLacksArtifactsIsRecognised() {
    assertThat(
            DevProject.needsNetwork(
                "[ERROR] Cannot access central in offline mode and the artifact x has not been"
                    + " downloaded"))
        .isTrue();
    assertThat(DevProject.needsNetwork("[ERROR] Tests run: 1, Failures: 1")).isFalse();
  }
}
