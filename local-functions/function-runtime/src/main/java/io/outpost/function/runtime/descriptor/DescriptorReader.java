package io.outpost.function.runtime.descriptor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.outpost.function.runtime.FunctionDeploymentException;
import io.outpost.yaml.YamlMessages;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code outpost-function.yaml} and reports every problem at once, each as {@code
 * outpost-function.yaml:LINE: key: message} in the words of the file: unknown keys with "did you
 * mean", "expected a number, got '1GB'", tabs at their line, values the descriptor refuses. Keys
 * are bound one at a time (so one bad value does not hide the next), then the record's own checks
 * run; no parser class or exception names reach the user.
 */
final class DescriptorReader {

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  private static final RecordComponent[] COMPONENTS =
      FunctionDescriptor.class.getRecordComponents();

  private final String yaml;
  private final YamlLines lines;
  private final List<Problem> problems = new ArrayList<>();
  private final Set<String> badKeys = new HashSet<>();

  /** One problem: 1-based line (0 when the key is absent), key path, message. */
  record Problem(int line, String key, String message) {
    @Override
    public String toString() {
      StringBuilder b = new StringBuilder(FunctionDescriptor.FILE_NAME);
      if (line > 0) {
        b.append(':').append(line);
      }
      b.append(": ");
      if (!key.isEmpty()) {
        b.append(key).append(": ");
      }
      return b.append(message).toString();
    }
  }

  private DescriptorReader(String yaml) {
    this.yaml = yaml;
    this.lines = new YamlLines(yaml);
  }

  /**
   * The descriptor in {@code yaml}.
   *
   * @throws FunctionDeploymentException with every problem, one line each
   */
  static FunctionDescriptor read(String yaml) {
    DescriptorReader reader = new DescriptorReader(yaml);
    FunctionDescriptor d = reader.bind();
    if (!reader.problems.isEmpty()) {
      // in file order; problems of absent keys (no line) last
      reader.problems.sort(
          java.util.Comparator.comparingInt(p -> p.line() == 0 ? Integer.MAX_VALUE : p.line()));
      throw new FunctionDeploymentException(
          reader.problems.stream().map(Problem::toString).toList());
    }
    return d;
  }

  /** {@code key: why} placed at the key's line of {@code yaml}. */
  static String place(String yaml, String problem) {
    int colon = problem.indexOf(": ");
    String key =
        colon > 0 && !problem.substring(0, colon).contains(" ") ? problem.substring(0, colon) : "";
    String message = key.isEmpty() ? problem : problem.substring(colon + 2);
    return new Problem(new YamlLines(yaml).lineOf(key), key, message).toString();
  }

  private FunctionDescriptor bind() {
    for (int tab : YamlMessages.tabLines(yaml)) {
      problems.add(
          new Problem(tab, "", "a tab character indents this line; YAML indents with spaces only"));
    }
    if (!problems.isEmpty()) {
      return null;
    }
    JsonNode tree;
    try {
      tree = YAML.readTree(yaml);
    } catch (StreamReadException e) {
      int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      problems.add(new Problem(line, "", "not valid YAML: " + oneLine(e.getOriginalMessage())));
      return null;
    } catch (JsonProcessingException e) {
      problems.add(new Problem(0, "", "not valid YAML"));
      return null;
    }
    if (tree == null || tree.isMissingNode() || tree.isNull()) {
      problems.add(new Problem(1, "", "empty; it needs at least name, version and a handler"));
      return null;
    }
    if (!tree.isObject()) {
      problems.add(new Problem(1, "", "expected a section of keys (name, version, handler, ...)"));
      return null;
    }
    Object[] args = new Object[COMPONENTS.length];
    List<String> known = Arrays.stream(COMPONENTS).map(RecordComponent::getName).toList();
    for (Iterator<Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      int index = known.indexOf(field.getKey());
      if (index < 0) {
        String hint = YamlMessages.didYouMean(field.getKey(), known);
        add(field.getKey(), unknownKey(field.getKey(), hint, known));
        continue;
      }
      args[index] = bindValue(COMPONENTS[index], field.getValue());
    }
    return construct(args);
  }

  private Object bindValue(RecordComponent component, JsonNode value) {
    String key = component.getName();
    if (value.isNull()) {
      return null;
    }
    try {
      return YAML.readerFor(YAML.getTypeFactory().constructType(component.getGenericType()))
          .readValue(value);
    } catch (UnrecognizedPropertyException e) {
      String path = key + pathOf(e);
      String hint = YamlMessages.didYouMean(e.getPropertyName(), e.getKnownPropertyIds());
      add(path, unknownKey(e.getPropertyName(), hint, e.getKnownPropertyIds()));
    } catch (InvalidFormatException e) {
      add(key + pathOf(e), YamlMessages.expectedGot(e.getTargetType(), e.getValue()));
    } catch (MismatchedInputException e) {
      String typed = YamlMessages.typeMismatch(e.getTargetType(), e.getOriginalMessage());
      add(key + pathOf(e), typed != null ? typed : "not a valid value");
    } catch (JsonMappingException e) {
      refused(key + pathOf(e), e);
    } catch (java.io.IOException e) {
      refused(key, e);
    }
    badKeys.add(key);
    return null;
  }

  /** As the daemon's configuration says it: "unknown key 'trigger'; did you mean 'triggers'?". */
  private static String unknownKey(String key, String hint, java.util.Collection<?> known) {
    if (hint != null) {
      return "unknown key '" + key + "'; did you mean '" + hint + "'?";
    }
    return "unknown key '" + key + "'" + (known == null ? "" : "; known keys: " + known);
  }

  /** A value refused by a constructor or factory (enum spellings, limits): its own words. */
  private void refused(String key, Exception e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    if (cause instanceof InputCoercionException range) {
      String out = YamlMessages.outOfRange(range.getOriginalMessage());
      add(key, out != null ? out : "number out of range");
    } else if (cause instanceof IllegalArgumentException iae && iae.getMessage() != null) {
      String m = iae.getMessage();
      int colon = m.indexOf(": ");
      // "limits.memoryMiB: must be ..." names its own key
      if (colon > 0 && !m.substring(0, colon).contains(" ")) {
        add(m.substring(0, colon), m.substring(colon + 2));
      } else {
        add(key, m);
      }
    } else {
      add(key, "not a valid value");
    }
  }

  private FunctionDescriptor construct(Object[] args) {
    Class<?>[] types =
        Arrays.stream(COMPONENTS).map(RecordComponent::getType).toArray(Class<?>[]::new);
    try {
      Constructor<FunctionDescriptor> c = FunctionDescriptor.class.getDeclaredConstructor(types);
      FunctionDescriptor d = c.newInstance(args);
      return badKeys.isEmpty() ? d : null;
    } catch (InvocationTargetException e) {
      List<String> found =
          e.getCause() instanceof DescriptorProblems p
              ? p.problems()
              : List.of(String.valueOf(e.getCause().getMessage()));
      for (String problem : found) {
        int colon = problem.indexOf(": ");
        String key = colon > 0 ? problem.substring(0, colon) : "";
        String root = key.replaceAll("[.\\[].*$", "");
        // a runtime that did not bind defaulted to java: what java requires is beside the point
        boolean followsBadRuntime = badKeys.contains("runtime") && problem.contains("runtime");
        if (!badKeys.contains(root) && !followsBadRuntime) {
          add(key, colon > 0 ? problem.substring(colon + 2) : problem);
        }
      }
      return null;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("descriptor record has no canonical constructor", e);
    }
  }

  private void add(String key, String message) {
    problems.add(new Problem(lines.lineOf(key), key, message));
  }

  /** ".memoryMiB" or "[2]" below the top-level key, from the binder's path. */
  private static String pathOf(JsonMappingException e) {
    StringBuilder b = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        b.append('.').append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        b.append('[').append(r.getIndex()).append(']');
      }
    }
    return b.toString();
  }

  /** YAML parser messages span several lines with a caret drawing; users get one line. */
  private static String oneLine(String message) {
    if (message == null) {
      return "";
    }
    return message.strip().lines().findFirst().orElse("").strip();
  }
}
