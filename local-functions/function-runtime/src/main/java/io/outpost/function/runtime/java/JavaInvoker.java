package io.outpost.function.runtime.java;

import io.outpost.function.Handler;
import io.outpost.function.Message;
import io.outpost.function.Publication;
import io.outpost.function.runtime.InputEncoding;
import io.outpost.function.runtime.Lifecycle;
import io.outpost.function.runtime.OutboundMessage;
import io.outpost.function.runtime.descriptor.FunctionPackage;
import io.outpost.function.runtime.invoke.FunctionInstance;
import io.outpost.function.runtime.invoke.Invocation;
import io.outpost.function.runtime.invoke.InvocationContext;
import io.outpost.function.runtime.invoke.Invoker;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a Java handler in the version's own class loader, whose parent exposes only the function
 * API. On-demand: a new handler instance per invocation; pinned: one instance for the version's
 * lifetime.
 */
public final class JavaInvoker implements Invoker {

  private final FunctionPackage pkg;
  private final FunctionInstance instance;
  private URLClassLoader loader;
  private Constructor<? extends Handler> constructor;
  private volatile Handler pinned;

  public JavaInvoker(FunctionPackage pkg, FunctionInstance instance) {
    this.pkg = pkg;
    this.instance = instance;
  }

  @Override
  public synchronized void start() throws Exception {
    loader =
        new URLClassLoader(
            "function-" + pkg.descriptor().name() + "-" + pkg.descriptor().version(),
            classpath(),
            new ApiOnlyClassLoader(Handler.class.getClassLoader()));
    String className = pkg.descriptor().handler();
    Class<?> type;
    try {
      type = Class.forName(className, true, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      throw HandlerClasses.cannotLoad(className, pkg.location(), e);
    }
    constructor = HandlerClasses.usable(type, className);
    if (pkg.descriptor().lifecycle() == Lifecycle.PINNED) {
      pinned = newHandler();
    }
  }

  @Override
  public List<OutboundMessage> invoke(Invocation invocation, InvocationContext context)
      throws Exception {
    URLClassLoader current = loaded();
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(current);
    Handler handler = pinned != null ? pinned : newHandler();
    try {
      Message message = instance.messageView(invocation.message);
      if (pkg.descriptor().inputEncoding() == InputEncoding.JSON) {
        message.json(); // fail fast with a clear PayloadFormatException
      }
      List<Publication> returned = handler.handle(message, context);
      if (returned == null || returned.isEmpty()) {
        return List.of();
      }
      List<OutboundMessage> out = new ArrayList<>(returned.size());
      for (Publication p : returned) {
        out.add(instance.encode(p));
      }
      return out;
    } finally {
      if (handler != pinned && handler instanceof AutoCloseable closeable) {
        closeable.close();
      }
      thread.setContextClassLoader(previous);
    }
  }

  @Override
  public void timedOut() {
    // The worker thread is interrupted by the caller; nothing else can stop Java code.
  }

  /**
   * Scale to zero (on-demand only): closes the class loader; the next invocation loads the handler
   * again.
   */
  @Override
  public synchronized void suspend() {
    if (pinned == null && loader != null) {
      closeLoader();
      loader = null;
      constructor = null;
    }
  }

  private synchronized URLClassLoader loaded() throws Exception {
    if (loader == null) {
      start();
    }
    return loader;
  }

  @Override
  public void close() {
    Handler h = pinned;
    pinned = null;
    if (h instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        instance.logger().warn("handler close() failed", e);
      }
    }
    closeLoader();
  }

  private synchronized void closeLoader() {
    if (loader != null) {
      try {
        loader.close();
      } catch (IOException e) {
        instance.logger().warn("closing class loader failed", e);
      }
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

  private URL[] classpath() throws IOException {
    return HandlerClasses.classpath(pkg.location(), pkg.jar());
  }
}
