package io.outpost.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.junit.jupiter.api.Test;

class CloudOptionsRedactionTest {

  @Test
  void toStringNeverShowsThePassword() throws Exception {
    CloudOptions o =
        new ObjectMapper()
            .readValue(
                "{\"url\":\"tcp://127.0.0.1:1\",\"clientId\":\"edge\",\"username\":\"u\",\"password\":\"s3cret-pw\"}",
                CloudOptions.class);

    assertThat(o.toString())
        .contains("username=u")
        .contains("password=<redacted>")
        .doesNotContain("s3cret-pw");
    assertThat(o.password().text()).isEqualTo("s3cret-pw");
    assertThat(o.with(b -> {}).toString()).doesNotContain("s3cret-pw");
    assertThat(CloudOptionsBuilder.builder(o).toString())
        .as("the generated builder prints the password's redacted form too")
        .contains("password=<redacted>")
        .doesNotContain("s3cret-pw");
  }

  @Test
  void aPasswordWrittenAsANumberIsReadAsItsText() throws Exception {
    CloudOptions o =
        new ObjectMapper()
            .readValue(
                "{\"url\":\"tcp://127.0.0.1:1\",\"clientId\":\"edge\",\"password\":12345}",
                CloudOptions.class);

    assertThat(o.password().text()).isEqualTo("12345");
  }

  @Test
  void aYamlPasswordKeepsItsTextEvenWhenItLooksLikeANumber() throws Exception {
    CloudOptions o =
        new YAMLMapper()
            .readValue(
                "url: tcp://127.0.0.1:1\nclientId: edge\npassword: 0123\n", CloudOptions.class);

    assertThat(o.password().text()).isEqualTo("0123");
  }
}
