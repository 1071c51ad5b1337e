package io.outpost.gateway.admin.console;

import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The console's static files, read from the class path once at start and served from memory: the
 * pages, script and style of the console itself, and htmx and uPlot from their webjars (no CDN,
 * nothing cached to disk).
 */
final class ConsoleAssets {

  /** A file to serve. */
  record Asset(Buffer body, String contentType) {}

  private static final String OWN = "io/outpost/gateway/admin/console/";
  private static final String WEBJARS = "META-INF/resources/webjars/";

  /**
   * Versions of the webjars the parent pom declares; if they drift the console does not start
   * (ConsoleAssetsTest).
   */
  static final String HTMX = WEBJARS + "htmx.org/2.0.4/";

  static final String UPLOT = WEBJARS + "uplot/1.6.30/";

  private static final String JS = "text/javascript; charset=utf-8";
  private static final String CSS = "text/css; charset=utf-8";
  private static final String HTML = "text/html; charset=utf-8";
  private static final String TEXT = "text/plain; charset=utf-8";

  private final Map<String, Asset> assets;
  private final String appPage;
  private final String loginPage;

  ConsoleAssets() {
    assets =
        Map.of(
            "console.js", load(OWN + "console.js", JS),
            "console.css", load(OWN + "console.css", CSS),
            "htmx.min.js", load(HTMX + "dist/htmx.min.js", JS),
            "htmx-LICENSE.txt", load(HTMX + "LICENSE", TEXT),
            "uPlot.iife.min.js", load(UPLOT + "dist/uPlot.iife.min.js", JS),
            "uPlot.min.css", load(UPLOT + "dist/uPlot.min.css", CSS),
            "uPlot-LICENSE.txt", load(UPLOT + "LICENSE", TEXT));
    appPage = load(OWN + "app.html", HTML).body().toString();
    loginPage = load(OWN + "login.html", HTML).body().toString();
  }

  /** A static file by name, or null. */
  Asset get(String name) {
    return assets.get(name);
  }

  /** The console page for a session: its CSRF token goes into a meta tag the script reads. */
  String appPage(String csrf) {
    return appPage.replace("{{csrf}}", csrf);
  }

  /** The login page, with a notice when the last attempt failed. */
  String loginPage(boolean failed) {
    return loginPage.replace(
        "{{notice}}",
        failed
            ? "<p class=\"notice\" role=\"alert\" id=\"login-failed\">That token is not this daemon's admin token.</p>"
            : "");
  }

  private static Asset load(String resource, String contentType) {
    try (InputStream in = ConsoleAssets.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("console asset missing from the class path: " + resource);
      }
      return new Asset(Buffer.buffer(in.readAllBytes()), contentType);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read console asset " + resource, e);
    }
  }
}
