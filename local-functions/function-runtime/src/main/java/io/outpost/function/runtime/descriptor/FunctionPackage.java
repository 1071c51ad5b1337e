package io.outpost.function.runtime.descriptor;

import io.outpost.function.runtime.FunctionDeploymentException;
import java.io.IOException;
import java.io.InputStream;
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

  /** Reads the descriptor of a JAR or directory package that is not stored yet. */
  public static FunctionDescriptor readDescriptor(Path jarOrDir) {
    if (Files.isDirectory(jarOrDir)) {
      Path file = jarOrDir.resolve(FunctionDescriptor.FILE_NAME);
      if (!Files.isRegularFile(file)) {
        throw new FunctionDeploymentException(
            jarOrDir + ": no " + FunctionDescriptor.FILE_NAME + " in the directory");
      }
      try (InputStream in = Files.newInputStream(file)) {
        return FunctionDescriptor.parse(in, file.toString());
      } catch (IOException e) {
        throw new FunctionDeploymentException(file + ": cannot read: " + e.getMessage(), e);
      }
    }
    if (!Files.isRegularFile(jarOrDir)) {
      throw new FunctionDeploymentException(jarOrDir + ": no such file or directory");
    }
    try (JarFile jarFile = new JarFile(jarOrDir.toFile())) {
      ZipEntry entry = jarFile.getEntry(FunctionDescriptor.FILE_NAME);
      if (entry == null) {
        throw new FunctionDeploymentException(
            jarOrDir + ": no " + FunctionDescriptor.FILE_NAME + " at the jar root");
      }
      try (InputStream in = jarFile.getInputStream(entry)) {
        return FunctionDescriptor.parse(in, jarOrDir + "!/" + FunctionDescriptor.FILE_NAME);
      }
    } catch (IOException e) {
      throw new FunctionDeploymentException(
          jarOrDir + ": not a readable jar: " + e.getMessage(), e);
    }
  }

  /** Opens a stored version directory written by the function store. */
  public static FunctionPackage open(Path versionDir) {
    Path jarPath = versionDir.resolve(JAR_NAME);
    Path location = Files.isRegularFile(jarPath) ? jarPath : versionDir.resolve(DIR_NAME);
    return new FunctionPackage(readDescriptor(location), location, location == jarPath);
  }
}
