package io.outpost.cloud;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A credential from the configuration ({@code cloud.password}): handed to the MQTT client, never
 * printed. Its {@code toString} is {@code <redacted>}, so options, their generated builders and
 * error messages that include it cannot show it.
 *
 * @param text the credential as written in the configuration
 */
@JsonDeserialize(using = Secret.Reader.class)
public record Secret(String text) {

  public Secret {
    if (text == null) {
      throw new IllegalArgumentException("a secret needs a value");
    }
  }

  /** The credential as characters (MQTT 3.1.1 clients). */
  public char[] chars() {
    return text.toCharArray();
  }

  /** The credential as UTF-8 bytes (MQTT 5 clients). */
  public byte[] utf8() {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "<redacted>";
  }

  /**
   * Reads any YAML or JSON scalar as written ({@code 0123} stays {@code "0123"}), as a String
   * would.
   */
  static final class Reader extends StdScalarDeserializer<Secret> {
    private static final long serialVersionUID = 1L;

    Reader() {
      super(Secret.class);
    }

    @Override
    public Secret deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
      if (p.currentToken() != null && p.currentToken().isScalarValue()) {
        return new Secret(p.getText());
      }
      return (Secret) ctx.handleUnexpectedToken(Secret.class, p);
    }
  }
}
