package io.outpost.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.outpost.gateway.ExitCodes;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@Timeout(60)
class FunctionsInitCommandTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private record Run(int exit, String out, String err) {}

  private static Run outpost(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = OutpostCommand.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    int exit = cmd.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  /** A stand-in for the packaged SDK: a Maven repository holding version 1.2.3 of the API. */
  private Path sdk() throws IOException {
    Path repo = dir.resolve("sdk");
    Path version = Files.createDirectories(repo.resolve("io/outpost/outpost-function-api/1.2.3"));
    Files.write(version.resolve("outpost-function-api-1.2.3.jar"), new byte[0]);
    return repo;
  }

  @Test
  void javaProjectHasBuildDescriptorHandlerTestAndReadmePointingAtTheSdk() throws Exception {
    Path project = dir.resolve("hello-temp");

    Run run =
        outpost(
            "functions",
            "init",
            "hello-temp",
            "--runtime",
            "java",
            "--dir",
            project.toString(),
            "--sdk",
            sdk().toString());

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("created java function hello-temp in " + project, "mvn -o -q package");
    assertThat(files(project))
        .containsExactlyInAnyOrder(
            "pom.xml",
            ".mvn/maven.config",
            ".gitignore",
            "README.md",
            "src/main/resources/outpost-function.yaml",
            "src/main/java/com/example/hello_temp/HelloTemp.java",
            "src/test/java/com/example/hello_temp/HelloTempTest.java");
    assertThat(Files.readString(project.resolve("pom.xml")))
        .contains(
            "<artifactId>hello-temp</artifactId>",
            "<outpost.version>1.2.3</outpost.version>",
            "<url>" + dir.resolve("sdk").toUri() + "</url>")
        .doesNotContain("{{");
    assertThat(Files.readString(project.resolve("src/main/resources/outpost-function.yaml")))
        .contains(
            "name: hello-temp",
            "handler: com.example.hello_temp.HelloTemp",
            "triggers: [\"hello-temp/in\"]");
    assertThat(
            Files.readString(
                project.resolve("src/main/java/com/example/hello_temp/HelloTemp.java")))
        .contains("package com.example.hello_temp;", "public class HelloTemp implements Handler");
    assertThat(Files.readString(project.resolve(".mvn/maven.config")))
        .contains("-Daether.offline.protocols=file");
  }

  @Test
  void javaProjectFromTheDevelopersOwnRepositoryNamesNoExtraRepository() throws Exception {
    Path m2 = sdk();
    Path project = dir.resolve("p");

    int exit =
        new CommandLine(new FunctionsInitCommand())
            .execute("p", "--runtime", "JAVA", "--dir", project.toString(), "--sdk", m2.toString());

    assertThat(exit).isZero();
    assertThat(FunctionsInitSdk.at(m2, false).orElseThrow().shipped()).isFalse();
    assertThat(FunctionsInitSdk.at(dir.resolve("nothing-here"), true)).isEmpty();
  }

  @Test
  void pythonProjectsOwnTestPassesRightAfterInit() throws Exception {
    Path project = dir.resolve("py");

    Run run =
        outpost("functions", "init", "celsius", "--runtime", "python", "--dir", project.toString());

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(files(project))
        .containsExactlyInAnyOrder(
            "outpost-function.yaml",
            "handler.py",
            "test_handler.py",
            "outpost_testkit.py",
            ".gitignore",
            "README.md");
    String output = PythonUnittest.passes(project, List.of());
    assertThat(output).contains("test_greets_by_name", "Ran 2 tests", "OK");
  }

  @Test
  void refusesANonEmptyDirectoryAndLeavesItAlone() throws Exception {
    Path taken = Files.createDirectories(dir.resolve("taken"));
    Files.writeString(taken.resolve("notes.txt"), "mine");

    Run run = outpost("functions", "init", "x", "--runtime", "python", "--dir", taken.toString());

    assertThat(run.exit()).isEqualTo(ExitCodes.CANT_CREATE);
    assertThat(run.err()).contains(taken + " already exists and is not empty");
    assertThat(files(taken)).containsExactly("notes.txt");
  }

  @Test
  void aDirectoryThatCannotBeCreatedIsReportedWithoutAStackTrace() throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "x");

    Run run =
        outpost(
            "functions",
            "init",
            "x",
            "--runtime",
            "python",
            "--dir",
            file.resolve("sub").toString());

    assertThat(run.exit()).isEqualTo(ExitCodes.CANT_CREATE);
    assertThat(run.err())
        .contains("cannot write the project in " + file.resolve("sub"))
        .doesNotContain("Exception");
  }

  @Test
  void anEmptyDirectoryIsFine() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("empty"));

    assertThat(
            outpost("functions", "init", "x", "--runtime", "wasm", "--dir", empty.toString())
                .exit())
        .isZero();
    assertThat(empty.resolve("outpost-function.yaml")).isRegularFile();
    // whichever SDK this machine has (or none): package.json is valid JSON naming the compiler
    JsonNode devDependencies =
        JSON.readTree(empty.resolve("package.json").toFile()).path("devDependencies");
    assertThat(devDependencies.has("assemblyscript")).as(devDependencies.toString()).isTrue();
  }

  @Test
  void wasmProjectInstallsFromTheSdksTarballsWithoutARegistry() throws Exception {
    Path sdk = sdk();
    Path npm = Files.createDirectories(sdk.resolve("npm"));
    for (FunctionsInitNpm.NpmPackage p : FunctionsInitNpm.packages()) {
      Files.write(npm.resolve(p.tarball()), new byte[0]);
    }
    Path project = dir.resolve("scale");

    Run run =
        outpost(
            "functions",
            "init",
            "scale",
            "--runtime",
            "wasm",
            "--dir",
            project.toString(),
            "--sdk",
            sdk.toString());

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.err()).isEmpty();
    assertThat(run.out()).contains("npm install --offline && npm test");
    assertThat(files(project))
        .containsExactlyInAnyOrder(
            "package.json",
            "asconfig.json",
            "assembly/index.ts",
            "test/handler.test.mjs",
            "outpost-function.yaml",
            ".gitignore",
            ".npmrc",
            "README.md");
    JsonNode packageJson = JSON.readTree(project.resolve("package.json").toFile());
    assertThat(packageJson.path("name").asText()).isEqualTo("scale");
    for (FunctionsInitNpm.NpmPackage p : FunctionsInitNpm.packages()) {
      assertThat(packageJson.path("devDependencies").path(p.name()).asText())
          .as(p.name())
          .isEqualTo("file:" + npm.resolve(p.tarball()));
      // npm resolves a package's own dependencies through the overrides, to the same tarballs
      assertThat(packageJson.path("overrides").has(p.name())).as(p.name()).isEqualTo(!p.direct());
      if (!p.direct()) {
        assertThat(packageJson.path("overrides").path(p.name()).asText()).isEqualTo("$" + p.name());
      }
    }
    assertThat(Files.readString(project.resolve(".npmrc"))).contains("audit=false");
    // the build runs asc (assemblyscript), whose config extends the WASI shim's: both are pinned
    assertThat(Files.readString(project.resolve("asconfig.json")))
        .contains("node_modules/@assemblyscript/wasi-shim/asconfig.json");
    assertThat(packageJson.path("scripts").path("build").asText()).startsWith("asc ");
    assertThat(Files.readString(project.resolve("README.md")))
        .contains("npm install --offline", npm.toString())
        .doesNotContain("{{");
  }

  @Test
  void wasmWithAnSdkWithoutTheNpmPackagesSaysSoAndWritesNothing() throws Exception {
    Path sdk = sdk();
    Path project = dir.resolve("w");

    Run run =
        outpost(
            "functions",
            "init",
            "w",
            "--runtime",
            "wasm",
            "--dir",
            project.toString(),
            "--sdk",
            sdk.toString());

    assertThat(run.exit()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(run.err()).contains("no AssemblyScript packages in " + sdk.resolve("npm"));
    assertThat(project).doesNotExist();
  }

  @Test
  void withoutTheSdksTarballsTheProjectNamesItsDevDependenciesByVersion() throws Exception {
    String members = FunctionsInitNpm.dependencies(Optional.empty());

    JsonNode packageJson = JSON.readTree("{\n" + members + "\n}");
    List<FunctionsInitNpm.NpmPackage> direct =
        FunctionsInitNpm.packages().stream().filter(FunctionsInitNpm.NpmPackage::direct).toList();
    assertThat(direct).extracting(FunctionsInitNpm.NpmPackage::name).isNotEmpty();
    assertThat(packageJson.path("devDependencies").size()).isEqualTo(direct.size());
    for (FunctionsInitNpm.NpmPackage p : direct) {
      assertThat(packageJson.path("devDependencies").path(p.name()).asText())
          .isEqualTo(p.version());
    }
    assertThat(packageJson.has("overrides")).isFalse();
  }

  @Test
  void thePinnedNpmPackagesAreWhatTheWasmTemplatesUse() throws Exception {
    List<FunctionsInitNpm.NpmPackage> packages = FunctionsInitNpm.packages();
    List<String> names = packages.stream().map(FunctionsInitNpm.NpmPackage::name).toList();

    assertThat(names)
        .contains("assemblyscript", "@assemblyscript/wasi-shim")
        .doesNotHaveDuplicates();
    assertThat(packages)
        .allSatisfy(
            p -> {
              assertThat(p.integrity()).startsWith("sha512-");
              assertThat(p.direct() || names.contains(p.neededBy())).as(p.name()).isTrue();
            });
    assertThat(
            new FunctionsInitNpm.NpmPackage("@assemblyscript/wasi-shim", "0.1.0", "project", "x")
                .tarball())
        .as("as npm pack names a scoped package's tarball")
        .isEqualTo("assemblyscript-wasi-shim-0.1.0.tgz");
  }

  @Test
  void rejectsANameTheDescriptorWouldRejectWithAUsageError() {
    for (String bad : List.of("Hello", "_x", "a b", "é", "x".repeat(65))) {
      Run run =
          outpost(
              "functions",
              "init",
              bad,
              "--runtime",
              "python",
              "--dir",
              dir.resolve("n").toString());

      assertThat(run.exit()).as(bad).isEqualTo(ExitCodes.USAGE);
      assertThat(run.err()).contains("function name '" + bad + "'");
    }
    assertThat(dir.resolve("n")).doesNotExist();
  }

  @Test
  void anUnknownRuntimeIsAUsageErrorNamingTheChoices() {
    Run run = outpost("functions", "init", "x", "--runtime", "cobol");

    assertThat(run.exit()).isNotZero();
    assertThat(run.err()).contains("expected java, python or wasm, was 'cobol'");
  }

  @Test
  void javaWithoutAnSdkSaysWhereItLookedAndWritesNothing() {
    Path project = dir.resolve("j");

    Run run =
        outpost(
            "functions",
            "init",
            "j",
            "--runtime",
            "java",
            "--dir",
            project.toString(),
            "--sdk",
            dir.resolve("no-sdk").toString());

    assertThat(run.exit()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(run.err()).contains("no Outpost SDK found in " + dir.resolve("no-sdk"));
    assertThat(project).doesNotExist();
  }

  @Test
  void namesBecomeValidJavaClassesAndPackages() {
    assertThat(FunctionsInitCommand.className("my-temp.sensor")).isEqualTo("MyTempSensor");
    assertThat(FunctionsInitCommand.className("7up")).isEqualTo("F7up");
    assertThat(FunctionsInitCommand.className("_")).isEqualTo("F");
    assertThat(FunctionsInitCommand.packagePart("my-fn.v2")).isEqualTo("my_fn_v2");
    assertThat(FunctionsInitCommand.packagePart("7up")).isEqualTo("_7up");
    assertThat(FunctionsInitCommand.packagePart("class")).isEqualTo("class_");
  }

  @Test
  void everyTemplatePlaceholderHasAValue() {
    Map<String, String> none = Map.of();

    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> FunctionsInitTemplates.render("python", none))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("template placeholder without a value");
    assertThat(FunctionsInitTemplates.fill("a {{b}} c {{ d", Map.of("b", "B")))
        .isEqualTo("a B c {{ d");
  }

  private static List<String> files(Path root) throws IOException {
    try (var walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile)
          .map(p -> root.relativize(p).toString())
          .filter(p -> !p.contains("__pycache__"))
          .toList();
    }
  }
}
