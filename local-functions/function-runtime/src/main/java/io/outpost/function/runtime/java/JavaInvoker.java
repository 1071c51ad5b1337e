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
  private final boolean decodeJson;

  /** The version's class loader and handler constructor; null before start and when suspended. */
  private volatile Loaded loaded;

  private volatile Handler pinned;

  /** What {@link #start()} loads, replaced as one so an invocation never mixes two loads. */
  private record Loaded(URLClassLoader loader, Constructor<? extends Handler> constructor) {}

  public JavaInvoker(FunctionPackage pkg, FunctionInstance instance) {
    this.pkg = pkg;
    this.instance = instance;
    this.decodeJson = pkg.descriptor().inputEncoding() == InputEncoding.JSON;
  }

  @Override
  public synchronized void start() throws Exception {
    URLClassLoader loader =
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
    Loaded l = new Loaded(loader, HandlerClasses.usable(type, className));
    loaded = l;
    if (pkg.descriptor().lifecycle() == Lifecycle.PINNED) {
      pinned = newHandler(l);
    }
  }

  @Override
  public List<OutboundMessage> invoke(Invocation invocation, InvocationContext context)
      throws Exception {
    Loaded l = loaded;
    if (l == null) {
      l = load();
    }
    Handler handler = pinned;
    boolean own = handler == null;
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(l.loader());
    try {
      if (own) {
        handler = l.constructor().newInstance(); // under the function's context loader already
      }
      Message message = instance.messageView(invocation.message);
      if (decodeJson) {
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
      if (own && handler instanceof AutoCloseable closeable) {
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
    if (pinned == null && loaded != null) {
      closeLoader();
      loaded = null;
    }
  }

  /** Loads again after a scale to zero (the first invocation that finds nothing loaded). */
  private synchronized Loaded load() throws Exception {
    if (loaded == null) {
      start();
    }
    return loaded;
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
    Loaded l = loaded;
    if (l != null) {
      try {
        l.loader().close();
      } catch (IOException e) {
        instance.logger().warn("closing class loader failed", e);
      }
    }
  }

  private static Handler newHandler(Loaded l) throws ReflectiveOperationException {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(l.loader());
    try {
      return l.constructor().newInstance();
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  private URL[] classpath() throws IOException {
    return HandlerClasses.classpath(pkg.location(), pkg.jar());
  }
}
