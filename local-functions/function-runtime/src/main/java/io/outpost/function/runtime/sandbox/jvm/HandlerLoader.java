package io.outpost.function.runtime.sandbox.jvm;

import io.outpost.function.Context;
import io.outpost.function.Handler;
import io.outpost.function.Message;
import io.outpost.function.Publication;
import io.outpost.function.runtime.java.ApiOnlyClassLoader;
import io.outpost.function.runtime.java.HandlerClasses;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The handler of a Java function in its child JVM: its package (the jar, or a directory with its
 * {@code lib/*.jar}) in a class loader whose parent exposes only the function API, as in the
 * daemon. A new handler per invocation, or one for the JVM's lifetime when the function is pinned.
 */
final class HandlerLoader {

  private final ClassLoader loader;
  private final Constructor<? extends Handler> constructor;
  private final Handler pinned;

  private HandlerLoader(
      ClassLoader loader, Constructor<? extends Handler> constructor, boolean pinned)
      throws ReflectiveOperationException {
    this.loader = loader;
    this.constructor = constructor;
    this.pinned = pinned ? newHandler() : null;
  }

  /**
   * Loads the handler class the way the in-process runtime does.
   *
   * @throws IllegalArgumentException ("handler: why") when the class is missing or unusable
   */
  static HandlerLoader load(Path location, String className, boolean pinned) throws IOException {
    URLClassLoader loader =
        new URLClassLoader(
            "function",
            classpath(location),
            new ApiOnlyClassLoader(Handler.class.getClassLoader()));
    Class<?> type;
    try {
      type = Class.forName(className, true, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalArgumentException(
          HandlerClasses.cannotLoad(className, location, e).getMessage(), e);
    }
    if (!Handler.class.isAssignableFrom(type)) {
      throw new IllegalArgumentException(
          "handler: " + className + " does not implement " + Handler.class.getName());
    }
    try {
      return new HandlerLoader(loader, type.asSubclass(Handler.class).getConstructor(), pinned);
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException(
          "handler: " + className + " needs a public no-arg constructor", e);
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException(
          "handler: " + className + " could not be created: " + e.getCause(), e);
    }
  }

  private Handler newHandler() throws ReflectiveOperationException {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(loader);
    try {
      return constructor.newInstance();
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  List<Publication> invoke(Message message, Context context) throws Exception {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(loader);
    Handler handler = pinned != null ? pinned : constructor.newInstance();
    try {
      return handler.handle(message, context);
    } finally {
      if (handler != pinned && handler instanceof AutoCloseable closeable) {
        closeable.close();
      }
      thread.setContextClassLoader(previous);
    }
  }

  private static URL[] classpath(Path location) throws IOException {
    List<URL> urls = new ArrayList<>();
    urls.add(location.toUri().toURL());
    Path lib = location.resolve("lib");
    if (Files.isDirectory(location) && Files.isDirectory(lib)) {
      try (Stream<Path> jars = Files.list(lib)) {
        for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
          urls.add(jar.toUri().toURL());
        }
      }
    }
    return urls.toArray(URL[]::new);
  }
}
