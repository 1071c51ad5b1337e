package io.outpost.gateway.config;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Key-level differences between two versions of a configuration section (a record), for a reload
 * that applies some keys live and names the others: which keys changed, and the section actually in
 * force when some keys keep their running value.
 */
public final class ConfigDiff {

  private ConfigDiff() {}

  /** The YAML keys (record components) whose values differ, in declaration order. */
  public static List<String> changedKeys(Record current, Record next) {
    requireSameType(current, next);
    List<String> changed = new ArrayList<>();
    for (RecordComponent c : current.getClass().getRecordComponents()) {
      if (!Objects.equals(value(c, current), value(c, next))) {
        changed.add(c.getName());
      }
    }
    return changed;
  }

  /**
   * {@code next}, except that the keys in {@code keepCurrent} keep their values from {@code
   * current}.
   */
  public static <R extends Record> R merge(R current, R next, Collection<String> keepCurrent) {
    requireSameType(current, next);
    RecordComponent[] components = current.getClass().getRecordComponents();
    Object[] values = new Object[components.length];
    Class<?>[] types = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) {
      RecordComponent c = components[i];
      types[i] = c.getType();
      values[i] = value(c, keepCurrent.contains(c.getName()) ? current : next);
    }
    try {
      @SuppressWarnings("unchecked")
      Constructor<R> canonical = (Constructor<R>) current.getClass().getDeclaredConstructor(types);
      return canonical.newInstance(values);
    } catch (InvocationTargetException e) {
      throw new IllegalArgumentException(
          "cannot combine "
              + current.getClass().getSimpleName()
              + " settings: "
              + e.getCause().getMessage(),
          e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(
          "not a record with a public canonical constructor: " + current.getClass(), e);
    }
  }

  private static Object value(RecordComponent c, Record r) {
    try {
      return c.getAccessor().invoke(r);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot read " + c.getName() + " of " + r.getClass(), e);
    }
  }

  private static void requireSameType(Record current, Record next) {
    if (current.getClass() != next.getClass()) {
      throw new IllegalArgumentException(current.getClass() + " vs " + next.getClass());
    }
  }
}
