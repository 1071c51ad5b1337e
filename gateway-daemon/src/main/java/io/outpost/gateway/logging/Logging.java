package io.outpost.gateway.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import io.outpost.gateway.config.LoggingConfig;
import org.slf4j.LoggerFactory;

/**
 * Applies the {@code logging:} section to logback: one console appender on stdout (journald adds
 * timestamps and priority under systemd), text or JSON lines, root and per-logger levels. Can be
 * re-applied on reload.
 *
 * <p>Until the daemon applies its configuration, {@link DefaultLogConfigurator} gives logback the
 * same appender with {@link LoggingConfig#defaults()}, in code rather than from a {@code
 * logback.xml}.
 */
public final class Logging {

  static final String TEXT_PATTERN =
      "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{36} - %msg%n";
  static final String APPENDER = "stdout";

  private Logging() {}

  public static void apply(LoggingConfig config) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return; // another SLF4J backend was chosen by whoever embeds us; leave it alone
    }
    apply(config, context);
  }

  /**
   * Replaces the root logger's appenders of {@code context} with the one {@code config} describes.
   */
  static void apply(LoggingConfig config, LoggerContext context) {
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(context);
    appender.setName(APPENDER);
    appender.setEncoder(encoder(config.format(), context));
    appender.start();
    root.detachAndStopAllAppenders();
    root.addAppender(appender);
    root.setLevel(Level.toLevel(config.level(), Level.INFO));
    config
        .levels()
        .forEach(
            (name, level) -> context.getLogger(name).setLevel(Level.toLevel(level, Level.INFO)));
  }

  private static Encoder<ILoggingEvent> encoder(
      LoggingConfig.Format format, LoggerContext context) {
    if (format == LoggingConfig.Format.JSON) {
      JsonEncoder json = new JsonEncoder();
      json.setContext(context);
      json.setWithSequenceNumber(false);
      json.setWithContext(false);
      json.start();
      return json;
    }
    PatternLayoutEncoder text = new PatternLayoutEncoder();
    text.setContext(context);
    text.setPattern(TEXT_PATTERN);
    text.start();
    return text;
  }
}
