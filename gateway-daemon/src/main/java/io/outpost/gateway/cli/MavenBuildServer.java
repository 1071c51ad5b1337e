package io.outpost.gateway.cli;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The build JVM behind {@link WarmMaven}: embeds the user's Maven installation and runs one Maven
 * command line per request, so that repeated builds skip the JVM start and run on warm (JIT
 * compiled) Maven core and {@code javac} classes.
 *
 * <p>Maven is loaded the way {@code mvn} loads it: a class loader over {@code boot/*.jar} (Plexus
 * Classworlds) configured by {@code bin/m2.conf}, then {@code MavenCli#doMain(String[], String,
 * PrintStream, PrintStream)}, which Maven keeps for embedding, called by reflection. Nothing of
 * Maven is on this class's class path, so the installation's own versions are used.
 *
 * <p>Protocol on standard input and output (binary, {@link DataOutputStream} framing): once loaded
 * it writes {@code boolean ok, UTF text} (Maven's version, or why it could not load); then for each
 * request {@code int n, n × UTF argument} it writes {@code int exit, int length, bytes} (the
 * build's output, UTF-8). End of input ends the JVM. Anything else printing to standard output goes
 * to standard error instead, so it cannot break the framing.
 */
final class MavenBuildServer {

  /** Build output kept per request; the rest is counted, not kept. */
  static final int MAX_OUTPUT_BYTES = 4 << 20;

  private final Object cli;
  private final Method doMain;
  private final Path workingDirectory;

  private MavenBuildServer(Object cli, Method doMain, Path workingDirectory) {
    this.cli = cli;
    this.doMain = doMain;
    this.workingDirectory = workingDirectory;
  }

  /**
   * @param args the Maven installation, then the project directory
   */
  public static void main(String[] args) throws IOException {
    DataOutputStream replies =
        new DataOutputStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out)));
    System.setOut(System.err);
    ignoreCtrlC();
    DataInputStream requests = new DataInputStream(new BufferedInputStream(System.in));
    MavenBuildServer server;
    try {
      server = load(Path.of(args[0]), Path.of(args[1]));
    } catch (ReflectiveOperationException | IOException | RuntimeException | LinkageError e) {
      replies.writeBoolean(false);
      replies.writeUTF("cannot load Maven from " + args[0] + ": " + reason(e));
      replies.flush();
      return;
    }
    replies.writeBoolean(true);
    replies.writeUTF(server.version());
    replies.flush();
    try {
      serve(server, requests, replies);
    } finally {
      // a plugin may have left a non-daemon thread: the JVM ends with the dev command anyway
      System.exit(0);
    }
  }

  /** Answers requests until the input ends (the dev command closed it, or died). */
  private static void serve(
      MavenBuildServer server, DataInputStream requests, DataOutputStream replies)
      throws IOException {
    while (true) {
      String[] mavenArgs;
      try {
        mavenArgs = new String[requests.readInt()];
      } catch (EOFException e) {
        return;
      }
      for (int i = 0; i < mavenArgs.length; i++) {
        mavenArgs[i] = requests.readUTF();
      }
      BoundedOutput output = new BoundedOutput(MAX_OUTPUT_BYTES);
      int exit = server.build(mavenArgs, output);
      byte[] bytes = output.bytes();
      replies.writeInt(exit);
      replies.writeInt(bytes.length);
      replies.write(bytes);
      replies.flush();
    }
  }

  /**
   * Ctrl-C in the terminal reaches the whole process group: the dev command ends this JVM itself,
   * by closing its input, once the build under way finished.
   */
  private static void ignoreCtrlC() {
    try {
      Signal.handle(new Signal("INT"), SignalHandler.SIG_IGN);
    } catch (IllegalArgumentException e) {
      // no SIGINT here (another JVM option took it): Ctrl-C ends this JVM, the dev command goes on
    }
  }

  /** Loads Maven from {@code home} as its launcher does. */
  static MavenBuildServer load(Path home, Path workingDirectory)
      throws ReflectiveOperationException, IOException {
    System.setProperty("maven.home", home.toString());
    List<URL> boot = new ArrayList<>();
    try (DirectoryStream<Path> jars = Files.newDirectoryStream(home.resolve("boot"), "*.jar")) {
      for (Path jar : jars) {
        boot.add(jar.toUri().toURL());
      }
    }
    // the platform loader as parent: only Maven's own jars and the JDK are visible to Maven
    @SuppressWarnings("resource") // lives as long as this JVM, which runs only Maven
    URLClassLoader bootLoader =
        new URLClassLoader(boot.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    Thread.currentThread().setContextClassLoader(bootLoader); // the launcher's parent for realms
    Class<?> launcherClass =
        bootLoader.loadClass("org.codehaus.plexus.classworlds.launcher.Launcher");
    Object launcher = launcherClass.getConstructor().newInstance();
    try (InputStream conf = Files.newInputStream(home.resolve(MavenHome.M2_CONF))) {
      launcherClass.getMethod("configure", InputStream.class).invoke(launcher, conf);
    }
    Object world = launcherClass.getMethod("getWorld").invoke(launcher);
    Class<?> cliClass = (Class<?>) launcherClass.getMethod("getMainClass").invoke(launcher);
    Object cli = cliClass.getConstructor(world.getClass()).newInstance(world);
    Method doMain =
        cliClass.getMethod(
            "doMain", String[].class, String.class, PrintStream.class, PrintStream.class);
    return new MavenBuildServer(cli, doMain, workingDirectory);
  }

  /**
   * Runs one Maven command line in the project directory. System properties are restored
   * afterwards: Maven copies {@code -D} options into them, and a {@code -DskipTests} must not
   * outlive its build.
   */
  int build(String[] args, OutputStream into) {
    Properties before = (Properties) System.getProperties().clone();
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    PrintStream out = new PrintStream(into, true, StandardCharsets.UTF_8);
    Thread.currentThread().setContextClassLoader(cli.getClass().getClassLoader());
    try {
      Object exit = doMain.invoke(cli, args, workingDirectory.toString(), out, out);
      return ((Number) exit).intValue();
    } catch (InvocationTargetException e) {
      out.println("[ERROR] Maven stopped: " + reason(e.getCause()));
      return 1;
    } catch (IllegalAccessException e) {
      out.println("[ERROR] cannot call Maven: " + reason(e));
      return 1;
    } finally {
      out.flush();
      Thread.currentThread().setContextClassLoader(context);
      System.setProperties(before);
    }
  }

  /** Maven's version as its core jar records it. */
  String version() {
    try (InputStream in =
        cli.getClass()
            .getResourceAsStream("/META-INF/maven/org.apache.maven/maven-core/pom.properties")) {
      if (in == null) {
        return "?";
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version", "?");
    } catch (IOException e) {
      return "?";
    }
  }

  private static String reason(Throwable e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }

  /** Keeps the first {@code limit} bytes and says how many more there were. */
  static final class BoundedOutput extends OutputStream {
    private final java.io.ByteArrayOutputStream kept = new java.io.ByteArrayOutputStream();
    private final int limit;
    private long dropped;

    BoundedOutput(int limit) {
      this.limit = limit;
    }

    @Override
    public synchronized void write(int b) {
      if (kept.size() < limit) {
        kept.write(b);
      } else {
        dropped++;
      }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      int room = Math.max(0, Math.min(len, limit - kept.size()));
      kept.write(b, off, room);
      dropped += len - room;
    }

    synchronized byte[] bytes() {
      if (dropped == 0) {
        return kept.toByteArray();
      }
      byte[] note =
          ("\n... " + dropped + " more bytes of build output not shown\n")
              .getBytes(StandardCharsets.UTF_8);
      byte[] all = new byte[kept.size() + note.length];
      System.arraycopy(kept.toByteArray(), 0, all, 0, kept.size());
      System.arraycopy(note, 0, all, kept.size(), note.length);
      return all;
    }
  }
}
