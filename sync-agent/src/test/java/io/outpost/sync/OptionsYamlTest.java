package io.outpost.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.outpost.cloud.BackoffOptions;
import io.outpost.cloud.CloudOptions;
import io.outpost.cloud.MqttVersion;
import io.outpost.spool.OverflowPolicy;
import io.outpost.spool.SpoolOptions;
import io.outpost.spool.Synchronous;
import org.junit.jupiter.api.Test;

/**
 * The {@code storage:} and {@code cloud:} sections bind straight into the options records, as the
 * daemon reads them.
 */
class OptionsYamlTest {
  private final ObjectMapper yaml =
      new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  @Test
  void bindsStorageWithDefaultsForAbsentKeys() throws Exception {
    SpoolOptions options =
        yaml.readValue(
            """
        dir: /var/lib/outpost
        maxBytes: 1048576
        overflowPolicy: reject-new
        synchronous: normal
        """,
            SpoolOptions.class);
    assertThat(options.dir()).isEqualTo("/var/lib/outpost");
    assertThat(options.maxBytes()).isEqualTo(1_048_576);
    assertThat(options.overflowPolicy()).isEqualTo(OverflowPolicy.REJECT_NEW);
    assertThat(options.synchronous()).isEqualTo(Synchronous.NORMAL);
    assertThat(options.spoolQos0()).isTrue();
    assertThat(options.commitBatchMax()).isEqualTo(SpoolOptions.DEFAULT_COMMIT_BATCH_MAX);
    assertThat(options.pageSize()).isEqualTo(SpoolOptions.DEFAULT_PAGE_SIZE);
  }

  @Test
  void bindsTheSpoolPageSize() throws Exception {
    assertThat(yaml.readValue("pageSize: 4096\n", SpoolOptions.class).pageSize()).isEqualTo(4096);
    assertThatThrownBy(() -> yaml.readValue("pageSize: 1000\n", SpoolOptions.class))
        .isInstanceOf(ValueInstantiationException.class)
        .hasMessageContaining("pageSize: must be a power of two");
  }

  @Test
  void bindsCloudIncludingNestedSections() throws Exception {
    CloudOptions options =
        yaml.readValue(
            """
        url: ssl://example-ats.iot.eu-west-1.amazonaws.com:443
        clientId: edge-1
        mqttVersion: 3.1.1
        tls:
          certFile: /etc/outpost/device.pem
          keyFile: /etc/outpost/device.key
          caFile: /etc/outpost/AmazonRootCA1.pem
          alpn: x-amzn-mqtt-ca
        inflightWindow: 50
        maxPublishesPerSecond: 100
        batching:
          enabled: true
          maxBytes: 65536
        backoff:
          initialMillis: 1000
        """,
            CloudOptions.class);
    assertThat(options.mqttVersion()).isEqualTo(MqttVersion.V3_1_1);
    assertThat(options.tls().alpn()).isEqualTo("x-amzn-mqtt-ca");
    assertThat(options.batching().enabled()).isTrue();
    assertThat(options.batching().maxMessages()).isEqualTo(1000);
    assertThat(options.backoff().initialMillis()).isEqualTo(1000);
    assertThat(options.backoff().maxMillis())
        .as("absent key keeps its default")
        .isEqualTo(BackoffOptions.DEFAULT_MAX_MILLIS);
    assertThat(options.resolvedStatusTopic()).isEqualTo("outpost/edge-1/status");
    assertThat(
            yaml.readValue("{url: 'tcp://h:1883', clientId: e, mqttVersion: 5}", CloudOptions.class)
                .mqttVersion())
        .isEqualTo(MqttVersion.V5);
  }

  @Test
  void rejectsInvalidValuesNamingTheKey() {
    assertThatThrownBy(() -> yaml.readValue("{dir: x, commitBatchMax: 0}", SpoolOptions.class))
        .isInstanceOf(ValueInstantiationException.class)
        .hasMessageContaining("commitBatchMax:");
    assertThatThrownBy(() -> yaml.readValue("{overflowPolicy: drop-newest}", SpoolOptions.class))
        .hasMessageContaining("overflowPolicy:");
    assertThatThrownBy(() -> yaml.readValue("{url: 'http://h', clientId: e}", CloudOptions.class))
        .hasMessageContaining("url:");
    assertThatThrownBy(() -> yaml.readValue("{dir: x, maxbytes: 1}", SpoolOptions.class))
        .isInstanceOf(UnrecognizedPropertyException.class);
  }
}
