package io.outpost.sim.payload;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.random.RandomGenerator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A text template with placeholders, compiled once and rendered per message. Used for JSON payload
 * templates and topic templates.
 *
 * <p>Placeholders: {@code {deviceId}}, {@code {deviceIndex}}, {@code {seq}}, {@code {ts}} (epoch
 * milliseconds of the intended send time), {@code {tsMicros}} (epoch microseconds), {@code {rand}}
 * (a double in [0,1)), {@code {randInt:MIN:MAX}} (inclusive) and {@code {randFloat:MIN:MAX}} (two
 * decimals). Braces that do not start a name, such as JSON's <code>{"</code>, are literal text; an
 * unknown name such as {@code {devId}} is rejected so typos fail at start-up, not in the data.
 */
public final class Template {

  private static final Pattern PLACEHOLDER =
      Pattern.compile("\\{([A-Za-z][A-Za-z0-9]*)(?::([^{}]*))?}");

  private final String source;
  private final List<Segment> segments;

  private Template(String source, List<Segment> segments) {
    this.source = source;
    this.segments = List.copyOf(segments);
  }

  /**
   * Compiles {@code source}.
   *
   * @throws IllegalArgumentException naming the placeholder when one is unknown or malformed
   */
  public static Template compile(String source) {
    Objects.requireNonNull(source, "source");
    List<Segment> segments = new ArrayList<>();
    Matcher m = PLACEHOLDER.matcher(source);
    int last = 0;
    while (m.find()) {
      if (m.start() > last) {
        segments.add(new Segment.Literal(source.substring(last, m.start())));
      }
      segments.add(Segment.placeholder(m.group(1), m.group(2), m.group()));
      last = m.end();
    }
    if (last < source.length()) {
      segments.add(new Segment.Literal(source.substring(last)));
    }
    return new Template(source, segments);
  }

  /** Renders the template for one message. */
  public String render(MessageContext context, RandomGenerator random) {
    StringBuilder out = new StringBuilder(source.length() + 32);
    for (Segment segment : segments) {
      segment.append(out, context, random);
    }
    return out.toString();
  }

  /** True when the template refers to any per-message value (sequence, time or random). */
  public boolean isPerMessage() {
    return segments.stream().anyMatch(Segment::perMessage);
  }

  @Override
  public String toString() {
    return source;
  }

  /** One literal run or placeholder. */
  sealed interface Segment {

    void append(StringBuilder out, MessageContext context, RandomGenerator random);

    default boolean perMessage() {
      return false;
    }

    static Segment placeholder(String name, String args, String text) {
      return switch (name) {
        case "deviceId" -> noArgs(args, text, new Field(Kind.DEVICE_ID));
        case "deviceIndex" -> noArgs(args, text, new Field(Kind.DEVICE_INDEX));
        case "seq" -> noArgs(args, text, new Field(Kind.SEQ));
        case "ts" -> noArgs(args, text, new Field(Kind.TS_MILLIS));
        case "tsMicros" -> noArgs(args, text, new Field(Kind.TS_MICROS));
        case "rand" -> noArgs(args, text, new Field(Kind.RAND));
        case "randInt" -> RandomRange.parse(args, text, false);
        case "randFloat" -> RandomRange.parse(args, text, true);
        default ->
            throw new IllegalArgumentException(
                "unknown placeholder "
                    + text
                    + " (known: {deviceId} {deviceIndex} {seq} {ts} {tsMicros} {rand}"
                    + " {randInt:MIN:MAX} {randFloat:MIN:MAX})");
      };
    }

    private static Segment noArgs(String args, String text, Segment segment) {
      if (args != null) {
        throw new IllegalArgumentException("placeholder " + text + " takes no arguments");
      }
      return segment;
    }

    record Literal(String text) implements Segment {
      @Override
      public void append(StringBuilder out, MessageContext context, RandomGenerator random) {
        out.append(text);
      }
    }

    enum Kind {
      DEVICE_ID,
      DEVICE_INDEX,
      SEQ,
      TS_MILLIS,
      TS_MICROS,
      RAND
    }

    record Field(Kind kind) implements Segment {
      @Override
      public void append(StringBuilder out, MessageContext context, RandomGenerator random) {
        switch (kind) {
          case DEVICE_ID -> out.append(context.deviceId());
          case DEVICE_INDEX -> out.append(context.deviceIndex());
          case SEQ -> out.append(context.seq());
          case TS_MILLIS -> out.append(Math.floorDiv(context.epochMicros(), 1000L));
          case TS_MICROS -> out.append(context.epochMicros());
          case RAND -> out.append(random.nextDouble());
        }
      }

      @Override
      public boolean perMessage() {
        return kind != Kind.DEVICE_ID && kind != Kind.DEVICE_INDEX;
      }
    }

    record RandomRange(double min, double max, boolean floating) implements Segment {

      static RandomRange parse(String args, String text, boolean floating) {
        String[] parts = args == null ? new String[0] : args.split(":", -1);
        if (parts.length != 2) {
          throw new IllegalArgumentException("placeholder " + text + " needs MIN:MAX");
        }
        try {
          double min = Double.parseDouble(parts[0].trim());
          double max = Double.parseDouble(parts[1].trim());
          if (max < min || (!floating && (min != Math.rint(min) || max != Math.rint(max)))) {
            throw new IllegalArgumentException("placeholder " + text + " has a bad range");
          }
          return new RandomRange(min, max, floating);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("placeholder " + text + " has a non-numeric bound", e);
        }
      }

      @Override
      public void append(StringBuilder out, MessageContext context, RandomGenerator random) {
        if (floating) {
          double v = max == min ? min : random.nextDouble(min, max);
          out.append(String.format(Locale.ROOT, "%.2f", v));
        } else {
          out.append(random.nextLong((long) min, (long) max + 1));
        }
      }

      @Override
      public boolean perMessage() {
        return true;
      }
    }
  }
}
