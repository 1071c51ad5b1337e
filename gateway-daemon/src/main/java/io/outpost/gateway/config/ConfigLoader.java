package io.outpost.gateway.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.outpost.topic.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the daemon's YAML configuration strictly: unknown keys, wrong types and invalid values are
 * errors naming the key path and line, never warnings. Validation that needs more than one section
 * (route filters, unique route names) happens here, after binding.
 */
public final class ConfigLoader {

  /** Classpath resource holding the built-in configuration used when no file is given. */
  public static final String BUILT_IN = "/io/outpost/gateway/config/default-config.yaml";

  /** "key: reason" as thrown by the records' compact constructors. */
  private static final Pattern KEYED_REASON =
      Pattern.compile("^([A-Za-z][\\w.\\[\\]-]*): (.*)$", Pattern.DOTALL);

  /** At most this many top-level sections are re-bound to find further problems. */
  private static final int MAX_SECTIONS = 32;

  private final ObjectMapper mapper;

  public ConfigLoader() {
    mapper =
        YAMLMapper.builder(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();
  }

  /**
   * Loads {@code file}; an unreadable file is a {@link ConfigException} too. Relative paths in it
   * (storage.dir, key and certificate files, the password and token files) resolve against the
   * file's directory.
   */
  public OutpostConfig load(Path file) throws ConfigException {
    String yaml;
    try {
      yaml = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file.toString(), "", 0, "cannot read the file: file not found");
    } catch (AccessDeniedException e) {
      throw new ConfigException(
          file.toString(),
          "",
          0,
          "cannot read the file: permission denied (run as the daemon's user or root)");
    } catch (IOException | UncheckedIOException e) {
      throw new ConfigException(file.toString(), "", 0, "cannot read the file: " + describe(e));
    }
    OutpostConfig config = parse(yaml, file.toString());
    Path baseDir = file.toAbsolutePath().normalize().getParent();
    try {
      JsonNode tree = mapper.readTree(yaml);
      if (baseDir == null || tree == null || !RelativePaths.resolve(tree, baseDir)) {
        return config;
      }
      // the file was checked above, with its lines; only path strings changed since
      return mapper.treeToValue(tree, OutpostConfig.class);
    } catch (IOException e) {
      throw new ConfigException(file.toString(), "", 0, "cannot read: " + describe(e));
    }
  }

  /**
   * The built-in configuration: broker on 127.0.0.1:1883, data in {@code ./outpost-data}, no cloud.
   */
  public OutpostConfig builtIn() {
    try (InputStream in = ConfigLoader.class.getResourceAsStream(BUILT_IN)) {
      if (in == null) {
        throw new IllegalStateException("built-in configuration missing from the jar: " + BUILT_IN);
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "built-in configuration");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ConfigException e) {
      throw new IllegalStateException("built-in configuration is invalid: " + e.getMessage(), e);
    }
  }

  /** Parses YAML text; {@code source} names it in error messages. */
  public OutpostConfig parse(String yaml, String source) throws ConfigException {
    KeyLocator locator = KeyLocator.of(yaml);
    OutpostConfig config;
    try {
      config =
          yaml.isBlank()
              ? new OutpostConfig(null, null, null, null, null, null, null, null, null)
              : mapper.readValue(yaml, OutpostConfig.class);
      if (config == null) {
        config = new OutpostConfig(null, null, null, null, null, null, null, null, null);
      }
    } catch (JsonMappingException e) {
      StreamReadException syntax = syntaxError(e);
      // a number too large for its key is a value problem at a key, not a syntax error
      if (syntax != null && !(syntax instanceof InputCoercionException)) {
        throw yamlError(syntax, source, yaml);
      }
      throw withOtherSections(bindingError(e, source, locator), yaml, source, locator);
    } catch (StreamReadException e) {
      throw yamlError(e, source, yaml);
    } catch (IOException e) {
      throw new ConfigException(source, "", 0, "cannot read: " + describe(e));
    }
    validateRoutes(config.routes(), source, locator);
    return config;
  }

  /**
   * Binding stops at the first problem; to report all of them in one run, the file is bound again
   * without each top-level section found wrong so far, collecting the unknown keys and wrong types
   * of the other sections (value checks that span sections are left to the next run: a removed
   * section could make them fail for the wrong reason).
   */
  private ConfigException withOtherSections(
      ConfigException first, String yaml, String source, KeyLocator locator) {
    List<ConfigException> all = new ArrayList<>(List.of(first));
    try {
      if (!(mapper.readTree(yaml) instanceof ObjectNode rest)) {
        return first;
      }
      rest.remove(rootOf(first.keyPath()));
      for (int i = 0; i < MAX_SECTIONS && rest.size() > 0; i++) {
        try {
          mapper.treeToValue(rest, OutpostConfig.class);
          break;
        } catch (MismatchedInputException e) { // unknown keys and wrong types
          if (e.getCause() instanceof IllegalArgumentException) {
            break; // a value check, not a type
          }
          ConfigException next = bindingError(e, source, locator);
          String root = rootOf(next.keyPath());
          if (root.isEmpty() || !rest.has(root)) {
            break;
          }
          all.add(next);
          rest.remove(root);
        }
      }
    } catch (IOException | IllegalArgumentException e) {
      // the first problem stands alone
    }
    if (all.size() == 1) {
      return first;
    }
    all.sort(Comparator.comparingInt(c -> c.line() == 0 ? Integer.MAX_VALUE : c.line()));
    return new ConfigException(all);
  }

  /** The top-level key of a key path: {@code broker} of {@code broker.listeners[0].port}. */
  private static String rootOf(String keyPath) {
    int cut = keyPath.length();
    for (char c : new char[] {'.', '['}) {
      int at = keyPath.indexOf(c);
      if (at >= 0 && at < cut) {
        cut = at;
      }
    }
    return keyPath.substring(0, cut);
  }

  /** The YAML syntax error behind a binding failure, if that is what it is. */
  private static StreamReadException syntaxError(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof StreamReadException s) {
        return s;
      }
    }
    return null;
  }

  private static ConfigException yamlError(StreamReadException e, String source, String yaml) {
    int tab = ConfigMessages.tabLine(yaml);
    if (tab > 0) {
      // the parser reports a tab at the line before it, in its own words: name it where it is
      return new ConfigException(
          source, "", tab, "a tab character indents this line; YAML indents with spaces only");
    }
    JsonLocation at = e.getLocation();
    String range =
        e instanceof InputCoercionException
            ? ConfigMessages.outOfRange(e.getOriginalMessage())
            : null;
    return new ConfigException(
        source,
        "",
        at == null ? 0 : at.getLineNr(),
        range != null ? range : "not valid YAML: " + oneLine(e.getOriginalMessage()));
  }

  /** Operators get one line: YAML parser messages span several, with a caret drawing. */
  private static String oneLine(String message) {
    if (message == null) {
      return "";
    }
    String first = message.strip().lines().findFirst().orElse("");
    String last =
        message
            .strip()
            .lines()
            .filter(l -> !l.isBlank() && !l.strip().equals("^"))
            .filter(l -> !l.startsWith(" in "))
            .reduce((a, b) -> b)
            .orElse(first);
    return first.equals(last) ? first : first + ": " + last.strip();
  }

  private static void validateRoutes(List<RouteConfig> routes, String source, KeyLocator locator)
      throws ConfigException {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < routes.size(); i++) {
      RouteConfig route = routes.get(i);
      String key = "routes[" + i + "]";
      try {
        Topics.validateFilter(route.filter());
      } catch (IllegalArgumentException e) {
        throw new ConfigException(
            source, key + ".filter", locator.lineOf(key + ".filter"), e.getMessage());
      }
      if (!names.add(route.name())) {
        throw new ConfigException(
            source,
            key + ".name",
            locator.lineOf(key + ".name"),
            "duplicate route name '" + route.name() + "'");
      }
    }
  }

  private static ConfigException bindingError(
      JsonMappingException e, String source, KeyLocator locator) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (path.length() > 0) {
          path.append('.');
        }
        path.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    String reason = reasonOf(e);
    Matcher keyed = KEYED_REASON.matcher(reason);
    if (keyed.matches() && !(e instanceof UnrecognizedPropertyException)) {
      // A record constructor named the bad component: append it to the path of the record.
      if (path.length() > 0) {
        path.append('.');
      }
      path.append(keyed.group(1));
      reason = keyed.group(2);
    }
    String key = path.toString();
    int line = locator.lineOf(key);
    if (line == 0 && e.getLocation() != null) {
      line = e.getLocation().getLineNr();
    }
    return new ConfigException(source, key, line, oneLine(reason));
  }

  private static String reasonOf(JsonMappingException e) {
    if (e instanceof UnrecognizedPropertyException u) {
      String guess =
          u.getKnownPropertyIds() == null
              ? null
              : ConfigMessages.didYouMean(u.getPropertyName(), u.getKnownPropertyIds());
      return "unknown key '"
          + u.getPropertyName()
          + "'"
          + (guess != null
              ? "; did you mean '" + guess + "'?"
              : u.getKnownPropertyIds() == null ? "" : "; known keys: " + u.getKnownPropertyIds());
    }
    if (e instanceof MismatchedInputException mismatch
        && !(e.getCause() instanceof IllegalArgumentException)) {
      String typed = ConfigMessages.typeMismatch(mismatch);
      if (typed != null) {
        return typed;
      }
    }
    String range = ConfigMessages.outOfRange(e.getOriginalMessage());
    if (range != null) {
      return range;
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root instanceof IllegalArgumentException && root.getMessage() != null) {
      return root.getMessage();
    }
    String message = e.getOriginalMessage();
    // Jackson's messages carry Java type names; keep the first sentence, which states the problem.
    int cut = message.indexOf(" at [Source");
    message = cut > 0 ? message.substring(0, cut) : message;
    return message.replaceAll("\\(class [^)]*\\)", "").replaceAll("`[\\w.$]+`", "").trim();
  }

  private static String describe(Exception e) {
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }
}
