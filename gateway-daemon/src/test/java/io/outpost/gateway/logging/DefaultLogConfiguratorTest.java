package io.outpost.gateway.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class DefaultLogConfiguratorTest {

  private final LoggerContext context = new LoggerContext();

  @AfterEach
  void stopContext() {
    context.stop();
  }

  @Test
  void isTheConfiguratorLogbackFindsThroughTheServiceLoader() {
    List<String> found = new ArrayList<>();
    ServiceLoader.load(ch.qos.logback.classic.spi.Configurator.class)
        .forEach(c -> found.add(c.getClass().getName()));

    assertThat(found).contains(DefaultLogConfigurator.class.getName());
  }

  @Test
  void configuresTextLinesOnStdoutAtInfoWithoutAnXmlFile() {
    ExecutionStatus status =
        new DefaultLogConfigurator(name -> null, name -> false).configure(context);

    assertThat(status).isEqualTo(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    assertThat(root.getLevel()).isEqualTo(Level.INFO);
    Appender<ILoggingEvent> appender = root.getAppender(Logging.APPENDER);
    assertThat(appender).isInstanceOf(ConsoleAppender.class);
    assertThat(appender.isStarted()).isTrue();
    ConsoleAppender<ILoggingEvent> console = (ConsoleAppender<ILoggingEvent>) appender;
    assertThat(console.getTarget()).isEqualTo("System.out");
    assertThat(console.getEncoder())
        .isInstanceOfSatisfying(
            PatternLayoutEncoder.class,
            e -> assertThat(e.getPattern()).isEqualTo(Logging.TEXT_PATTERN));
  }

  @Test
  void writesTheDaemonsLineFormat() {
    new DefaultLogConfigurator(name -> null, name -> false).configure(context);
    ConsoleAppender<ILoggingEvent> console =
        (ConsoleAppender<ILoggingEvent>)
            context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(Logging.APPENDER);
    Logger logger = context.getLogger("io.outpost.gateway.Gateway");
    LoggingEvent event =
        new LoggingEvent(
            Logger.class.getName(), logger, Level.WARN, "spool at {}%", null, new Object[] {95});
    event.setThreadName("main");

    String line = new String(console.getEncoder().encode(event), StandardCharsets.UTF_8);

    assertThat(line)
        .matches(
            "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) "
                + "WARN  \\[main\\] io\\.outpost\\.gateway\\.Gateway - spool at 95%\\R");
  }

  @Test
  void stepsAsideForALogbackXmlOnTheClassPath() {
    ExecutionStatus status =
        new DefaultLogConfigurator(name -> null, "logback.xml"::equals).configure(context);

    assertThat(status).isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
    assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(Logging.APPENDER)).isNull();
  }

  @Test
  void stepsAsideForALogbackTestXmlOnTheClassPath() {
    ExecutionStatus status =
        new DefaultLogConfigurator(name -> null, "logback-test.xml"::equals).configure(context);

    assertThat(status).isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
  }

  @Test
  void stepsAsideForAConfigurationFileProperty() {
    ExecutionStatus status =
        new DefaultLogConfigurator(
                name ->
                    "logback.configurationFile".equals(name) ? "/etc/outpost/logback.xml" : null,
                name -> false)
            .configure(context);

    assertThat(status).isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
  }
}
