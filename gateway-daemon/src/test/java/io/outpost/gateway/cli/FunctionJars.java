package io.outpost.gateway.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/** Builds real function jars from test classes, as an author's build would. */
public final class FunctionJars {

  private FunctionJars() {}

  /**
   * {@code <dir>/<name>.jar} holding {@code descriptor} as {@code outpost-function.yaml} and {@code
   * handler}.
   */
  public static Path jar(Path dir, String name, String descriptor, Class<?> handler)
      throws IOException {
    Path jar = dir.resolve(name + ".jar");
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream jos = new JarOutputStream(out)) {
      jos.putNextEntry(new JarEntry("outpost-function.yaml"));
      jos.write(descriptor.getBytes(StandardCharsets.UTF_8));
      jos.closeEntry();
      String resource = handler.getName().replace('.', '/') + ".class";
      try (InputStream in = handler.getClassLoader().getResourceAsStream(resource)) {
        jos.putNextEntry(new JarEntry(resource));
        in.transferTo(jos);
        jos.closeEntry();
      }
    }
    return jar;
  }

  /** The gate function ({@link GateHandler}) triggered by {@code gate/in}. */
  static Path gate(Path dir) throws IOException {
    return jar(
        dir,
        "gate",
        """
        name: gate
        version: 1.0.0
        handler: %s
        triggers: ["gate/in"]
        inputEncoding: binary
        """
            .formatted(GateHandler.class.getName()),
        GateHandler.class);
  }
}
