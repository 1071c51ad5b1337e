package io.outpost.gateway.admin.console;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The console's files are on the class path (the webjar versions in the code match the pom's) and
 * fill in right.
 */
@Timeout(10)
class ConsoleAssetsTest {

  private final ConsoleAssets assets = new ConsoleAssets();

  @Test
  void servesTheConsoleAndItsLibrariesWithTheirLicenses() {
    assertThat(assets.get("htmx.min.js").body().toString()).contains("htmx");
    assertThat(assets.get("uPlot.iife.min.js").body().toString()).contains("uPlot");
    assertThat(assets.get("htmx-LICENSE.txt").body().toString()).isNotBlank();
    assertThat(assets.get("uPlot-LICENSE.txt").body().toString()).contains("MIT");
    assertThat(assets.get("console.js").contentType()).startsWith("text/javascript");
    assertThat(assets.get("../app.html")).isNull();
  }

  @Test
  void thePagePutsTheSessionsCsrfTokenInAMetaTagAndLoadsOnlyLocalScripts() {
    String page = assets.appPage("ab12");

    assertThat(page)
        .contains("<meta name=\"csrf-token\" content=\"ab12\">")
        .doesNotContain("{{")
        .doesNotContain("http://")
        .doesNotContain("https://")
        .doesNotContain("<script>");
    assertThat(assets.loginPage(true)).contains("id=\"login-failed\"");
    assertThat(assets.loginPage(false)).doesNotContain("login-failed").doesNotContain("{{");
  }
}
