package io.outpost.function.runtime.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where this process's cgroups are: parsed from {@code /proc/self/mountinfo} (cgroup and cgroup2
 * mounts) and {@code /proc/self/cgroup} (this process's path per hierarchy).
 */
record CgroupMounts(Map<String, Path> v1Dirs, Optional<Path> v2Dir, Optional<Path> v2Mount) {

  static CgroupMounts read(Path mountinfo, Path procCgroup) throws IOException {
    return parse(Files.readAllLines(mountinfo), Files.readAllLines(procCgroup));
  }

  static CgroupMounts parse(List<String> mountinfo, List<String> procCgroup) {
    Map<String, String[]> v1Mounts = new HashMap<>(); // controller -> {root, mount point}
    String[] v2 = null;
    for (String line : mountinfo) {
      String[] f = line.split(" ");
      int dash = Arrays.asList(f).indexOf("-");
      if (dash < 0 || f.length < dash + 4 || f.length < 5) {
        continue;
      }
      String type = f[dash + 1];
      if (type.equals("cgroup2")) {
        v2 = new String[] {f[3], unescape(f[4])};
      } else if (type.equals("cgroup")) {
        for (String option : f[dash + 3].split(",")) {
          v1Mounts.putIfAbsent(option, new String[] {f[3], unescape(f[4])});
        }
      }
    }
    Map<String, Path> v1Dirs = new HashMap<>();
    Path v2Dir = null;
    for (String line : procCgroup) {
      String[] f = line.split(":", 3);
      if (f.length < 3) {
        continue;
      }
      if (f[0].equals("0") && f[1].isEmpty()) {
        v2Dir = v2 == null ? null : resolve(v2, f[2]);
        continue;
      }
      for (String controller : f[1].split(",")) {
        String[] mount = v1Mounts.get(controller);
        Path dir = mount == null ? null : resolve(mount, f[2]);
        if (dir != null) {
          v1Dirs.put(controller, dir);
        }
      }
    }
    return new CgroupMounts(
        Map.copyOf(v1Dirs),
        Optional.ofNullable(v2Dir),
        Optional.ofNullable(v2 == null ? null : Path.of(v2[1])));
  }

  /**
   * The directory of cgroup {@code path} under a mount whose root is {@code mount[0]}, or null if
   * outside it.
   */
  private static Path resolve(String[] mount, String path) {
    String root = mount[0];
    String relative;
    if (root.equals("/")) {
      relative = path;
    } else if (path.equals(root) || path.startsWith(root + "/")) {
      relative = path.substring(root.length());
    } else {
      return null;
    }
    Path dir = Path.of(mount[1]);
    for (String part : relative.split("/")) {
      if (!part.isEmpty()) {
        dir = dir.resolve(part);
      }
    }
    return dir;
  }

  /** mountinfo escapes space, tab, newline and backslash as octal. */
  private static String unescape(String s) {
    return s.replace("\\040", " ")
        .replace("\\011", "\t")
        .replace("\\012", "\n")
        .replace("\\134", "\\");
  }
}
