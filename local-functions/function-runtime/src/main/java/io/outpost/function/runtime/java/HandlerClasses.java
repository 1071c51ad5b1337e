package io.outpost.function.runtime.java;

import io.outpost.function.Handler;
import io.outpost.function.runtime.FunctionDeploymentException;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds a Java function's handler class as the runtime loads it (the package's jar, or a
 * directory's classes and {@code lib/*.jar}, over {@link ApiOnlyClassLoader}) and says in the
 * author's terms why it cannot be used: not in the package, needs a class the package does not
 * bundle, not a {@code Handler}, no public no-arg constructor.
 */
public final class HandlerClasses {

  private HandlerClasses() {}

  /** The class path of a package: its jar or directory, then a directory's {@code lib/*.jar}. */
  static URL[] classpath(Path location, boolean jar) throws IOException {
    List<URL> urls = new ArrayList<>();
    urls.add(location.toUri().toURL());
    Path lib = jar ? null : location.resolve("lib");
    if (lib != null && Files.isDirectory(lib)) {
      try (Stream<Path> jars = Files.list(lib)) {
        for (Path j : jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
          urls.add(j.toUri().toURL());
        }
      }
    }
    return urls.toArray(URL[]::new);
  }

  /**
   * Checks that {@code className} loads from the package against the function API alone and can be
   * instantiated by the runtime, without running any of its code.
   *
   * @throws FunctionDeploymentException ("handler: why") when it cannot be used
   */
  public static void check(Path location, boolean jar, String className) throws IOException {
    try (URLClassLoader loader =
        new URLClassLoader(
            "function-check", classpath(location, jar), new ApiOnlyClassLoader(apiLoader()))) {
      Class<?> type;
      try {
        type = Class.forName(className, false, loader);
      } catch (ClassNotFoundException | LinkageError e) {
        throw cannotLoad(className, location, e);
      }
      usable(type, className);
    }
  }

  /** Why a handler class failed to load, without Java exception class names. */
  public static FunctionDeploymentException cannotLoad(
      String className, Path location, Throwable e) {
    String why;
    if (e instanceof ClassNotFoundException) {
      why = "class " + className + " is not in " + location.getFileName();
    } else if (e instanceof NoClassDefFoundError) {
      why =
          "class "
              + className
              + " needs "
              + String.valueOf(e.getMessage()).replace('/', '.')
              + ", which is neither in the package nor in the function API (bundle the library in"
              + " the jar, or in lib/ of a directory package)";
    } else if (e instanceof UnsupportedClassVersionError) {
      why =
          "class "
              + className
              + " was compiled for a newer Java than the daemon runs ("
              + Runtime.version().feature()
              + ")";
    } else {
      why = "class " + className + " cannot be loaded: " + e.getMessage();
    }
    return new FunctionDeploymentException("handler: " + why, e);
  }

  /** The public no-arg constructor of a loaded {@code Handler} class. */
  static java.lang.reflect.Constructor<? extends Handler> usable(Class<?> type, String className) {
    if (!Handler.class.isAssignableFrom(type)) {
      throw new FunctionDeploymentException(
          "handler: " + className + " does not implement " + Handler.class.getName());
    }
    try {
      return type.asSubclass(Handler.class).getConstructor();
    } catch (NoSuchMethodException | LinkageError e) {
      throw new FunctionDeploymentException(
          "handler: " + className + " needs a public no-arg constructor", e);
    }
  }

  private static ClassLoader apiLoader() {
    return Handler.class.getClassLoader();
  }
}
