package io.outpost.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.concurrent.CompletionException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class CloudErrorsTest {

  @Test
  void namesNetworkFailuresFoundUnderPahosWrapping() {
    var refused =
        new org.eclipse.paho.client.mqttv3.MqttException(
            32103, new ConnectException("Connection refused"));
    assertThat(CloudErrors.describe(new CompletionException(refused)))
        .isEqualTo("connection refused");
    assertThat(CloudErrors.describe(new NoRouteToHostException("No route to host")))
        .isEqualTo("host unreachable");
    assertThat(CloudErrors.describe(new UnknownHostException("nowhere.invalid")))
        .isEqualTo("unknown host (DNS lookup failed)");
  }

  @Test
  void namesTlsAlertsAndConnackRefusals() {
    assertThat(
            CloudErrors.describe(
                new SSLHandshakeException("Received fatal alert: bad_certificate")))
        .isEqualTo("TLS alert from the cloud: bad certificate");
    assertThat(
            CloudErrors.describe(
                new SSLHandshakeException("PKIX path building failed: unable to find valid")))
        .isEqualTo("TLS: the cloud's certificate is not trusted");
    assertThat(CloudErrors.describe(new org.eclipse.paho.client.mqttv3.MqttException(5)))
        .isEqualTo("not authorized");
    assertThat(CloudErrors.describe(new org.eclipse.paho.mqttv5.common.MqttException(0x86)))
        .isEqualTo("not authorized: bad user name or password");
  }

  @Test
  void neverRepeatsAnUnknownExceptionsText() {
    String described =
        CloudErrors.describe(new IllegalStateException("com.example.Internal$Thing failed: x=1"));
    assertThat(described)
        .doesNotContain("com.example")
        .doesNotContain("IllegalState")
        .contains("connection failed");
  }
}
