package io.outpost.sim.payload;

import java.nio.charset.StandardCharsets;
import java.util.random.RandomGenerator;

/**
 * Payloads rendered from a {@link Template}, typically JSON such as {@code
 * {"deviceId":"{deviceId}","seq":{seq},"ts":{tsMicros},"temp":{randFloat:18:25}}}. For the consumer
 * to check sequences and latency the template must carry the sequence and a timestamp.
 */
public final class TemplatePayload implements PayloadGenerator {

  private final Template template;

  public TemplatePayload(Template template) {
    this.template = template;
  }

  @Override
  public byte[] render(MessageContext context, RandomGenerator random) {
    return template.render(context, random).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "template " + template;
  }
}
