package io.outpost.gateway.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import io.outpost.gateway.config.LoggingConfig;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class LoggingTest {

  private final LoggerContext context = new LoggerContext();

  @AfterEach
  void stopContext() {
    context.stop();
  }

  @Test
  void appliesRootAndPerLoggerLevelsAndJsonLines() {
    Logging.apply(
        new LoggingConfig(
            "warn",
            LoggingConfig.Format.JSON,
            Map.of("io.outpost.spool", "debug", "io.netty", "error")),
        context);

    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    assertThat(root.getLevel()).isEqualTo(Level.WARN);
    assertThat(context.getLogger("io.outpost.spool").getLevel()).isEqualTo(Level.DEBUG);
    assertThat(context.getLogger("io.netty").getLevel()).isEqualTo(Level.ERROR);
    assertThat(((ConsoleAppender<ILoggingEvent>) root.getAppender(Logging.APPENDER)).getEncoder())
        .isInstanceOf(JsonEncoder.class);
  }

  @Test
  void reapplyingReplacesTheAppenderInsteadOfAddingOne() {
    Logging.apply(LoggingConfig.defaults(), context);
    ConsoleAppender<ILoggingEvent> first =
        (ConsoleAppender<ILoggingEvent>)
            context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(Logging.APPENDER);

    Logging.apply(new LoggingConfig("debug", null, null), context);

    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    assertThat(first.isStarted()).as("the replaced appender is stopped").isFalse();
    assertThat(root.iteratorForAppenders()).toIterable().hasSize(1);
    assertThat(root.getLevel()).isEqualTo(Level.DEBUG);
  }
}
