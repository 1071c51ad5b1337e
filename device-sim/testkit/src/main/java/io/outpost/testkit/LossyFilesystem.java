package io.outpost.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A directory that can lose power: a FUSE passthrough mount over a real directory that, on {@link
 * #cut()}, returns every file to its content at its last {@code fsync}/{@code fdatasync} and every
 * directory to its entries at its last directory {@code fsync}, then mounts again. What a program
 * writes there survives a cut exactly when it would survive a power cut on a filesystem that keeps
 * only what was synced — the way to test the fsyncs a SIGKILL cannot.
 *
 * <p>What counts as durable (see {@link Metadata}):
 *
 * <ul>
 *   <li>file content and length: only what the file's own {@code fsync}/{@code fdatasync} covered.
 *       Writes and truncates since are undone at page (4 KiB) granularity; {@link #cut(long)} tears
 *       them instead: each page written since keeps its new content or not, at random, and an
 *       extended file its new length or not.
 *   <li>names (create, rename, unlink, link, mkdir, rmdir, symlink): with {@link Metadata#STRICT},
 *       only what a {@code fsync} of the containing directory covered; a file created, renamed into
 *       place or removed without one is as it was after the cut. With {@link Metadata#JOURNAL}, any
 *       {@code fsync} commits every name change made before it, as ext4's single journal does in
 *       practice.
 *   <li>not modelled: permissions, owners and times (always durable), the order in which unsynced
 *       writes reach the disk beyond page tearing, {@code mmap} writes the kernel has not written
 *       back (SQLite's {@code -shm} is rebuilt by recovery, so it does not matter there), extended
 *       attributes, and a directory removed and its inode reused by a new one before a cut (the new
 *       one's entries may then be taken for the old one's).
 * </ul>
 *
 * <p>The layer is a small Python program on Debian's {@code python3-fusepy} ({@code
 * /usr/bin/python3}), run as a child process and commanded over its standard input; it needs {@code
 * /dev/fuse}, {@code fusermount} ({@code fuse3}) and root. {@link #unavailableReason()} says why it
 * cannot run here, for a test assumption. A cut is taken with nothing open on the mount (kill the
 * program under test first): the mount goes away, the backing directory is rewritten to its durable
 * state, and a fresh mount with a fresh record comes back at the same path.
 */
public final class LossyFilesystem implements AutoCloseable {

  /** Which name changes a cut keeps. */
  public enum Metadata {
    /** Only what a {@code fsync} of its directory covered: the portable promise. */
    STRICT,
    /** Every name change before any {@code fsync}, as ext4 (one journal) behaves. */
    JOURNAL
  }

  /**
   * How to mount.
   *
   * @param metadata which name changes survive a cut
   * @param mountTimeout how long mounting, unmounting and reverting may take
   */
  public record Options(Metadata metadata, Duration mountTimeout) {
    public static final Metadata DEFAULT_METADATA = Metadata.STRICT;
    public static final Duration DEFAULT_MOUNT_TIMEOUT = Duration.ofSeconds(30);
    public static final Options DEFAULTS = new Options(DEFAULT_METADATA, DEFAULT_MOUNT_TIMEOUT);

    public Options {
      Objects.requireNonNull(metadata, "metadata");
      if (mountTimeout.isNegative() || mountTimeout.isZero()) {
        throw new IllegalArgumentException("mountTimeout must be positive, not " + mountTimeout);
      }
    }
  }

  /**
   * What one cut undid, as the layer counted it.
   *
   * @param files files written or created since the previous mount
   * @param pages pages returned to their synced content
   * @param truncated files cut back to their synced length
   * @param line the layer's summary line
   */
  public record Cut(int files, int pages, int truncated, String line) {}

  static final String PYTHON = "/usr/bin/python3";
  private static final String SCRIPT = "lossyfs.py";

  private final Path backing;
  private final Path graveyard;
  private final Path mountPoint;
  private final Path script;
  private final Options options;
  private Layer layer;

  private LossyFilesystem(Path work, Options options) throws IOException {
    this.backing = Files.createDirectories(work.resolve("backing"));
    this.graveyard = Files.createDirectories(work.resolve("graveyard"));
    this.mountPoint = Files.createDirectories(work.resolve("mnt"));
    this.script = work.resolve(SCRIPT);
    this.options = options;
    try (InputStream in = LossyFilesystem.class.getResourceAsStream(SCRIPT)) {
      Files.copy(Objects.requireNonNull(in, SCRIPT), script, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * Mounts a lossy directory under {@code work} (created if missing; it holds the backing
   * directory, a graveyard for removed files and the mount point) and waits until it serves
   * requests.
   */
  public static LossyFilesystem mount(Path work, Options options)
      throws IOException, InterruptedException {
    LossyFilesystem fs = new LossyFilesystem(Files.createDirectories(work), options);
    fs.layer = fs.startLayer();
    return fs;
  }

  /** {@link #mount(Path, Options)} with {@link Options#DEFAULTS}. */
  public static LossyFilesystem mount(Path work) throws IOException, InterruptedException {
    return mount(work, Options.DEFAULTS);
  }

  /**
   * Why a lossy filesystem cannot be mounted on this machine, or empty when it can: no {@code
   * /dev/fuse}, no {@code fusermount}, no {@code python3-fusepy}, or not root.
   */
  public static Optional<String> unavailableReason() {
    if (!Files.exists(Path.of("/dev/fuse"))) {
      return Optional.of("no /dev/fuse (FUSE not available in this kernel or container)");
    }
    if (!Files.isExecutable(Path.of("/usr/bin/fusermount"))
        && !Files.isExecutable(Path.of("/bin/fusermount"))) {
      return Optional.of("no fusermount (apt-get install fuse3)");
    }
    if (!"root".equals(System.getProperty("user.name"))) {
      return Optional.of("not root (the test machines mount FUSE as root)");
    }
    try {
      Process probe =
          new ProcessBuilder(PYTHON, "-c", "import fusepy").redirectErrorStream(true).start();
      probe.getOutputStream().close();
      String out =
          new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!probe.waitFor(30, TimeUnit.SECONDS)) {
        probe.destroyForcibly().waitFor();
        return Optional.of(PYTHON + " -c 'import fusepy' did not finish");
      }
      if (probe.exitValue() != 0) {
        return Optional.of("no fusepy for " + PYTHON + " (apt-get install python3-fusepy): " + out);
      }
    } catch (IOException e) {
      return Optional.of("cannot run " + PYTHON + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted while probing for fusepy");
    }
    return Optional.empty();
  }

  /** The mount point: the directory to give the program under test. */
  public Path path() {
    return mountPoint;
  }

  /** The real directory under the mount, for inspecting it without going through the layer. */
  public Path backing() {
    return backing;
  }

  /**
   * Loses everything not synced: unmounts, reverts the backing directory to what was durable,
   * mounts again. Whatever had files open on the mount must have ended first (a killed process), or
   * the unmount is lazy and its later writes are lost too.
   */
  public synchronized Cut cut() throws IOException, InterruptedException {
    return cut("cut");
  }

  /**
   * {@link #cut()}, but tearing instead of undoing: see the class comment; {@code seed} replays the
   * same tear.
   */
  public synchronized Cut cut(long seed) throws IOException, InterruptedException {
    return cut("cut torn " + seed);
  }

  private Cut cut(String command) throws IOException, InterruptedException {
    String line = layer.stop(command);
    layer = startLayer();
    String[] words = line.split(" ");
    if (words.length < 4 || !"cut".equals(words[0])) {
      throw new IOException("lossy filesystem did not report a cut: " + line);
    }
    return new Cut(count(words[1]), count(words[2]), count(words[3]), line);
  }

  private static int count(String word) {
    return Integer.parseInt(word.substring(word.indexOf('=') + 1));
  }

  /** Unmounts without losing anything and ends the layer's process; idempotent. */
  @Override
  public synchronized void close() throws IOException, InterruptedException {
    if (layer != null) {
      Layer closing = layer;
      layer = null;
      closing.stop("close");
    }
  }

  private Layer startLayer() throws IOException, InterruptedException {
    List<String> command =
        List.of(
            PYTHON,
            script.toString(),
            backing.toString(),
            graveyard.toString(),
            mountPoint.toString(),
            "--metadata",
            options.metadata().name().toLowerCase(java.util.Locale.ROOT));
    Process process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    Layer started = new Layer(process);
    try {
      started.awaitMounted(options.mountTimeout());
    } catch (IOException | RuntimeException e) {
      started.destroy();
      throw e;
    }
    return started;
  }

  private boolean mounted() throws IOException {
    String target = " " + mountPoint.toRealPath() + " ";
    return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
        .anyMatch(l -> l.contains(target));
  }

  /** One mount: the layer's process, its command pipe and its report lines. */
  private final class Layer {
    private final Process process;
    private final BufferedReader out;
    private final OutputStream in;

    Layer(Process process) {
      this.process = process;
      this.out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      this.in = process.getOutputStream();
    }

    void awaitMounted(Duration timeout) throws IOException, InterruptedException {
      String line = out.readLine(); // the layer prints "mounted" from FUSE's init, or exits
      if (!"mounted".equals(line)) {
        throw new IOException(
            "lossy filesystem did not mount "
                + mountPoint
                + " (exit "
                + (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    ? process.exitValue()
                    : "none")
                + ")");
      }
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!mounted()) {
        if (System.nanoTime() > deadline) {
          throw new IOException(
              "lossy filesystem reported mounted but " + mountPoint + " is not in mountinfo");
        }
        Thread.sleep(10);
      }
    }

    /**
     * Sends {@code command} ("cut ..." or "close"), waits for the unmount and exit; returns the
     * last report line.
     */
    String stop(String command) throws IOException, InterruptedException {
      try {
        in.write((command + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
        in.close();
        String last = null;
        for (String line = out.readLine(); line != null; line = out.readLine()) {
          last = line;
        }
        if (!process.waitFor(options.mountTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
          throw new IOException("lossy filesystem did not stop within " + options.mountTimeout());
        }
        if (process.exitValue() != 0 || last == null) {
          throw new IOException(
              "lossy filesystem exited " + process.exitValue() + " after '" + command + "'");
        }
        return last;
      } finally {
        destroy();
      }
    }

    void destroy() throws InterruptedException {
      if (process.isAlive()) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        try {
          new ProcessBuilder("fusermount", "-u", "-z", mountPoint.toString())
              .start()
              .waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot unmount " + mountPoint, e);
        }
      }
    }
  }
}
