package io.outpost.function.runtime.wasm;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasi.WasiPreview1;
import java.util.Set;

/**
 * The WASI preview 1 imports of one warm instance, forwarding to a {@link WasiPreview1} that can be
 * replaced: an instance links its imports once, but an invocation must find the descriptor table as
 * a fresh instance would. The streams behind the standard descriptors are reset per invocation by
 * their owner; a call that changes the table itself (closing or renumbering a descriptor, opening
 * one, changing its flags) marks the binding {@link #dirty()}, and the owner binds a new WASI
 * before the next invocation.
 */
final class WasiBinding {

  /** The preview 1 calls that change the descriptor table or a descriptor's state. */
  private static final Set<String> CHANGE_DESCRIPTORS =
      Set.of(
          "fd_close",
          "fd_renumber",
          "path_open",
          "sock_accept",
          "fd_fdstat_set_flags",
          "fd_fdstat_set_rights");

  private final HostFunction[] imports;
  private HostFunction[] bound;
  private boolean dirty;

  /** Imports bound to {@code wasi} (and shaped like its functions). */
  WasiBinding(WasiPreview1 wasi) {
    HostFunction[] functions = wasi.toHostFunctions();
    imports = new HostFunction[functions.length];
    for (int i = 0; i < functions.length; i++) {
      int index = i;
      HostFunction f = functions[i];
      boolean changes = CHANGE_DESCRIPTORS.contains(f.name());
      imports[i] =
          new HostFunction(
              f.module(),
              f.name(),
              f.functionType(),
              (Instance instance, long... args) -> forward(index, changes, instance, args));
    }
    bound = functions;
  }

  HostFunction[] imports() {
    return imports;
  }

  /** Whether the module changed its descriptors since the last {@link #bind}. */
  boolean dirty() {
    return dirty;
  }

  /** Forwards to {@code wasi} from now on; its host functions come in the same order. */
  void bind(WasiPreview1 wasi) {
    bound = wasi.toHostFunctions();
    dirty = false;
  }

  private long[] forward(int index, boolean changes, Instance instance, long... args) {
    if (changes) {
      dirty = true;
    }
    return bound[index].handle().apply(instance, args);
  }
}
