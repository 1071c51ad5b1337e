package io.outpost.function.runtime.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class CgroupMountsTest {

  @Test
  void findsThisProcessesV1DirectoriesAndV2Directory() {
    List<String> mountinfo =
        List.of(
            "31 22 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu",
            "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
            "38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids",
            "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw",
            "41 30 0:38 / /proc rw - proc proc rw");
    List<String> cgroup =
        List.of("8:pids:/", "4:memory:/process_api/abc", "1:cpu:/", "0::/system.slice/x.service");

    CgroupMounts m = CgroupMounts.parse(mountinfo, cgroup);

    assertThat(m.v1Dirs())
        .containsEntry("memory", Path.of("/sys/fs/cgroup/memory/process_api/abc"))
        .containsEntry("pids", Path.of("/sys/fs/cgroup/pids"))
        .containsEntry("cpu", Path.of("/sys/fs/cgroup/cpu"));
    assertThat(m.v2Dir()).contains(Path.of("/sys/fs/cgroup/unified/system.slice/x.service"));
    assertThat(m.v2Mount()).contains(Path.of("/sys/fs/cgroup/unified"));
  }

  @Test
  void aNamespacedMountRootIsStrippedFromTheProcessPath() {
    List<String> mountinfo =
        List.of("29 23 0:26 /system.slice/outpost.service /sys/fs/cgroup rw - cgroup2 cgroup2 rw");
    List<String> cgroup = List.of("0::/system.slice/outpost.service/outpost-daemon");

    CgroupMounts m = CgroupMounts.parse(mountinfo, cgroup);

    assertThat(m.v2Dir()).contains(Path.of("/sys/fs/cgroup/outpost-daemon"));
    assertThat(m.v1Dirs()).isEmpty();
  }
}
