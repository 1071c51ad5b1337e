package io.outpost.function.runtime.java;

/**
 * Parent of every Java function's class loader: the JDK's platform classes plus exactly the
 * function API package, nothing else of the daemon (no Jackson, Netty, SLF4J...), so a function can
 * bundle any library version it likes. Used in the daemon and in a Java function's child JVM.
 */
public final class ApiOnlyClassLoader extends ClassLoader {

  static final String API_PACKAGE = "io.outpost.function.";

  static {
    registerAsParallelCapable();
  }

  private final ClassLoader apiLoader;

  /**
   * @param apiLoader the loader that has the function API classes
   */
  public ApiOnlyClassLoader(ClassLoader apiLoader) {
    super("outpost-function-api", ClassLoader.getPlatformClassLoader());
    this.apiLoader = apiLoader;
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    if (isApiClass(name)) {
      return apiLoader.loadClass(name);
    }
    return super.loadClass(name, resolve);
  }

  /**
   * True for classes directly in {@code io.outpost.function} (not its sub-packages such as the
   * runtime).
   */
  static boolean isApiClass(String name) {
    return name.startsWith(API_PACKAGE) && name.indexOf('.', API_PACKAGE.length()) < 0;
  }
}
