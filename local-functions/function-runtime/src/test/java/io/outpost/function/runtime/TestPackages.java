package io.outpost.function.runtime;

import io.outpost.function.runtime.descriptor.FunctionDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/**
 * Builds real function jars from test classes, so each test deploys exactly what an author would.
 */
public final class TestPackages {

  private TestPackages() {}

  /**
   * A descriptor for a Java handler; {@code extra} is appended YAML (may be empty). In process
   * unless {@code extra} sets {@code isolation}: these fixtures share state with the test through
   * system properties.
   */
  public static String javaDescriptor(String name, String version, Class<?> handler, String extra) {
    return "name: "
        + name
        + "\nversion: "
        + version
        + "\nruntime: java\nhandler: "
        + handler.getName()
        + "\ntriggers: [\"in/"
        + name
        + "/#\"]\ninputEncoding: binary\n"
        + (extra.contains("isolation:") ? "" : "isolation: in-process\n")
        + extra;
  }

  /**
   * Writes {@code <dir>/<name>-<version>.jar} with the descriptor at its root and the given
   * classes.
   */
  public static Path jar(Path dir, String descriptor, Class<?>... classes) throws IOException {
    String name =
        descriptor
            .lines()
            .filter(l -> l.startsWith("name:"))
            .findFirst()
            .orElse("name: x")
            .substring(5)
            .trim();
    String version =
        descriptor
            .lines()
            .filter(l -> l.startsWith("version:"))
            .findFirst()
            .orElse("version: 0")
            .substring(8)
            .trim();
    Path jar = dir.resolve(name + "-" + version + "-" + System.nanoTime() + ".jar");
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream jos = new JarOutputStream(out)) {
      jos.putNextEntry(new JarEntry(FunctionDescriptor.FILE_NAME));
      jos.write(descriptor.getBytes(StandardCharsets.UTF_8));
      jos.closeEntry();
      for (Class<?> c : classes) {
        String resource = c.getName().replace('.', '/') + ".class";
        try (InputStream in = c.getClassLoader().getResourceAsStream(resource)) {
          jos.putNextEntry(new JarEntry(resource));
          in.transferTo(jos);
          jos.closeEntry();
        }
      }
    }
    return jar;
  }
}
