package io.outpost.gateway.cli;

import io.outpost.function.Handler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * A small Maven function project (a handler, its descriptor, one JUnit test) that builds offline
 * against this checkout's function API, as an author's project does. Its {@code .mvn/maven.config}
 * points Maven at a private local repository: the user's {@code ~/.m2/repository} linked in for
 * Maven's plugins and JUnit (read only: an offline build downloads nothing), plus the function API
 * from the test class path under {@link #API_VERSION}, so no shared artifact is read or written.
 */
final class JavaFunctionProject {

  static final Path USER_REPOSITORY = Path.of(System.getProperty("user.home"), ".m2", "repository");

  /** The version the API is installed under in the private repository. */
  static final String API_VERSION = "0-devtest";

  private final Path dir;
  private final String name;

  private JavaFunctionProject(Path dir, String name) {
    this.dir = dir;
    this.name = name;
  }

  Path dir() {
    return dir;
  }

  /** Writes the project {@code name} into {@code dir}, with its repository in {@code repo}. */
  static JavaFunctionProject create(Path dir, Path repo, String name) throws IOException {
    repository(repo);
    Files.createDirectories(dir.resolve(".mvn"));
    Files.writeString(dir.resolve(".mvn/maven.config"), "-Dmaven.repo.local=" + repo + "\n");
    Files.writeString(
        dir.resolve("pom.xml"),
        """
        <project xmlns="http://maven.apache.org/POM/4.0.0">
          <modelVersion>4.0.0</modelVersion>
          <groupId>test</groupId>
          <artifactId>%1$s</artifactId>
          <version>1</version>
          <properties>
            <maven.compiler.release>17</maven.compiler.release>
            <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
          </properties>
          <dependencies>
            <dependency>
              <groupId>io.outpost</groupId>
              <artifactId>outpost-function-api</artifactId>
              <version>%2$s</version>
              <scope>provided</scope>
            </dependency>
            <dependency>
              <groupId>org.junit.jupiter</groupId>
              <artifactId>junit-jupiter</artifactId>
              <version>5.13.4</version>
              <scope>test</scope>
            </dependency>
          </dependencies>
          <build>
            <finalName>%1$s</finalName>
            <plugins>
              <plugin><artifactId>maven-compiler-plugin</artifactId><version>3.14.0</version></plugin>
              <plugin><artifactId>maven-resources-plugin</artifactId><version>3.3.1</version></plugin>
              <plugin><artifactId>maven-surefire-plugin</artifactId><version>3.5.3</version></plugin>
              <plugin><artifactId>maven-jar-plugin</artifactId><version>3.4.2</version></plugin>
            </plugins>
          </build>
        </project>
        """
            .formatted(name, API_VERSION));
    JavaFunctionProject project = new JavaFunctionProject(dir, name);
    project.descriptor("1.0.0");
    project.handler("\"hello 0\"");
    project.test("Greeter.GREETING.startsWith(\"hello\")");
    return project;
  }

  /** Writes the descriptor with {@code version}. */
  void descriptor(String version) throws IOException {
    Path resources = Files.createDirectories(dir.resolve("src/main/resources"));
    Files.writeString(
        resources.resolve("outpost-function.yaml"),
        """
        name: %s
        version: %s
        runtime: java
        handler: demo.Greeter
        triggers: ["%s/in"]
        """
            .formatted(name, version, name));
  }

  /** Writes the handler, publishing {@code greeting} (a Java expression) on {@code NAME/out}. */
  void handler(String greeting) throws IOException {
    Path src = Files.createDirectories(dir.resolve("src/main/java/demo"));
    Files.writeString(
        src.resolve("Greeter.java"),
        """
        package demo;

        import io.outpost.function.Context;
        import io.outpost.function.Handler;
        import io.outpost.function.Message;
        import io.outpost.function.Publication;
        import java.util.List;

        public class Greeter implements Handler {
          static final String GREETING = %s;

          @Override
          public List<Publication> handle(Message message, Context context) {
            return List.of(Publication.text("%s/out", GREETING));
          }
        }
        """
            .formatted(greeting, name));
  }

  /** Writes the unit test, asserting {@code condition} (a Java expression). */
  void test(String condition) throws IOException {
    Path src = Files.createDirectories(dir.resolve("src/test/java/demo"));
    Files.writeString(
        src.resolve("GreeterTest.java"),
        """
        package demo;

        import static org.junit.jupiter.api.Assertions.assertTrue;

        import org.junit.jupiter.api.Test;

        class GreeterTest {
          @Test
          void greets() {
            assertTrue(%s, "the greeting was " + Greeter.GREETING);
          }
        }
        """
            .formatted(condition));
  }

  /** The jar the build writes. */
  Path jar() {
    return dir.resolve("target").resolve(name + ".jar");
  }

  /** Creates the private local repository in {@code repo}, unless it exists. */
  static void repository(Path repo) throws IOException {
    if (Files.isDirectory(repo)) {
      return;
    }
    Files.createDirectories(repo);
    linkAllBut(USER_REPOSITORY, repo, "io");
    Path io = Files.createDirectories(repo.resolve("io"));
    if (Files.isDirectory(USER_REPOSITORY.resolve("io"))) {
      linkAllBut(USER_REPOSITORY.resolve("io"), io, "outpost");
    }
    Path api =
        Files.createDirectories(repo.resolve("io/outpost/outpost-function-api/" + API_VERSION));
    String base = "outpost-function-api-" + API_VERSION;
    Files.writeString(
        api.resolve(base + ".pom"),
        """
        <project xmlns="http://maven.apache.org/POM/4.0.0">
          <modelVersion>4.0.0</modelVersion>
          <groupId>io.outpost</groupId>
          <artifactId>outpost-function-api</artifactId>
          <version>%s</version>
        </project>
        """
            .formatted(API_VERSION));
    apiJar(api.resolve(base + ".jar"));
  }

  /** This checkout's function API as a jar (the test class path may hold its classes directory). */
  private static void apiJar(Path jar) throws IOException {
    Path source;
    try {
      source = Path.of(Handler.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IOException(e);
    }
    if (Files.isRegularFile(source)) {
      Files.copy(source, jar);
      return;
    }
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream jos = new JarOutputStream(out)) {
      Files.walkFileTree(
          source,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              jos.putNextEntry(new JarEntry(source.relativize(file).toString().replace('\\', '/')));
              Files.copy(file, jos);
              jos.closeEntry();
              return FileVisitResult.CONTINUE;
            }
          });
    }
  }

  private static void linkAllBut(Path from, Path to, String except) throws IOException {
    if (!Files.isDirectory(from)) {
      return;
    }
    try (Stream<Path> entries = Files.list(from)) {
      for (Path entry : entries.toList()) {
        String name = entry.getFileName().toString();
        if (!name.equals(except)) {
          Files.createSymbolicLink(to.resolve(name), entry);
        }
      }
    }
  }
}
