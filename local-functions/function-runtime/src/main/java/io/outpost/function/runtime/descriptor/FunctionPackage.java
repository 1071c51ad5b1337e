package io.outpost.function.runtime.descriptor;

import io.outpost.function.runtime.FunctionDeploymentException;
import io.outpost.function.runtime.FunctionDeploymentException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

/**
 * One stored function version on disk: a JAR ({@code package.jar}) or a directory ({@code
 * package/}), with its parsed descriptor.
 */
public record FunctionPackage(FunctionDescriptor descriptor, Path location, boolean jar) {

  public static final String JAR_NAME = "package.jar";
  public static final String DIR_NAME = "package";

  /**
   * The directory a process child runs in (the package directory, or the version directory for a
   * jar).
   */
  public Path workingDirectory() {
    return jar ? location.getParent() : location;
  }

  /**
   * Reads the descriptor of a JAR or directory package that is not stored yet.
   *
   * @throws FunctionDeploymentException with every problem; messages name the descriptor file,
   *     never {@code jarOrDir} (on the daemon a temporary upload path)
   */
  public static FunctionDescriptor readDescriptor(Path jarOrDir) {
    return DescriptorReader.read(descriptorText(jarOrDir));
  }

  /**
   * Places a {@code key: why} problem found after parsing (a limit over the daemon's cap) at its
   * line of the package's descriptor: {@code outpost-function.yaml:LINE: key: why}.
   */
  public static String placeProblem(Path jarOrDir, String problem) {
    return DescriptorReader.place(descriptorText(jarOrDir), problem);
  }

  /** The descriptor's text from a JAR or directory package. */
  static String descriptorText(Path jarOrDir) {
    if (Files.isDirectory(jarOrDir)) {
      Path file = jarOrDir.resolve(FunctionDescriptor.FILE_NAME);
      if (!Files.isRegularFile(file)) {
        throw new FunctionDeploymentException(
            "the package has no " + FunctionDescriptor.FILE_NAME + " at its root");
      }
      try {
        return Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new FunctionDeploymentException(
            FunctionDescriptor.FILE_NAME + ": cannot read: " + e.getMessage(), e);
      }
    }
    if (!Files.isRegularFile(jarOrDir)) {
      throw new FunctionDeploymentException(
          Reason.NOT_FOUND, jarOrDir.getFileName() + ": no such file or directory");
    }
    try (JarFile jarFile = new JarFile(jarOrDir.toFile())) {
      ZipEntry entry = jarFile.getEntry(FunctionDescriptor.FILE_NAME);
      if (entry == null) {
        throw new FunctionDeploymentException(
            "the jar has no " + FunctionDescriptor.FILE_NAME + " at its root");
      }
      try (InputStream in = jarFile.getInputStream(entry)) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new FunctionDeploymentException("the package is not a readable jar or zip archive", e);
    }
  }

  /** Opens a stored version directory written by the function store. */
  public static FunctionPackage open(Path versionDir) {
    Path jarPath = versionDir.resolve(JAR_NAME);
    Path location = Files.isRegularFile(jarPath) ? jarPath : versionDir.resolve(DIR_NAME);
    return new FunctionPackage(readDescriptor(location), location, location == jarPath);
  }
}
