package io.outpost.gateway.fleet;

/**
 * The AWS IoT Jobs and Device Shadow MQTT topics of one thing, as documented by AWS ("Jobs device
 * MQTT API operations", "Device Shadow MQTT topics"). The same topics work on any MQTT broker with
 * {@code outpost fleet deploy} playing the jobs service.
 */
public record JobsTopics(String thing) {

  /** The named shadow Outpost reports into. */
  public static final String SHADOW_NAME = "outpost";

  public String jobsPrefix() {
    return "$aws/things/" + thing + "/jobs/";
  }

  public String notifyNext() {
    return jobsPrefix() + "notify-next";
  }

  public String startNext() {
    return jobsPrefix() + "start-next";
  }

  /** All pending executions: {@code $aws/things/T/jobs/get}. */
  public String pending() {
    return jobsPrefix() + "get";
  }

  public String describe(String jobId) {
    return jobsPrefix() + jobId + "/get";
  }

  public String update(String jobId) {
    return jobsPrefix() + jobId + "/update";
  }

  public String shadowUpdate() {
    return "$aws/things/" + thing + "/shadow/name/" + SHADOW_NAME + "/update";
  }

  /** The thing named by a jobs or shadow topic, or null. */
  public static String thingOf(String topic) {
    if (!topic.startsWith("$aws/things/")) {
      return null;
    }
    int end = topic.indexOf('/', "$aws/things/".length());
    return end < 0 ? null : topic.substring("$aws/things/".length(), end);
  }
}
