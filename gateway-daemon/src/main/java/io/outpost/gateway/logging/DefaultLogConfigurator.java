package io.outpost.gateway.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.spi.ContextAwareBase;
import io.outpost.gateway.config.LoggingConfig;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Logback's start-up configuration, found through {@link java.util.ServiceLoader}: the daemon's
 * default logging (text lines on stdout at INFO, as {@link Logging} applies for an empty {@code
 * logging:} section) set up in code.
 *
 * <p>Why not a {@code logback.xml}: reading one loads logback's XML configurator and the JDK's SAX
 * parser, about a fifth of a second of a start-up budget of one second. A {@code logback.xml} or
 * {@code logback-test.xml} on the class path, or {@code -Dlogback.configurationFile}, still wins:
 * then this configurator steps aside and logback reads it.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_LOW_PRIORITY)
public final class DefaultLogConfigurator extends ContextAwareBase implements Configurator {

  /** Configuration files that, when present, are left to logback's own XML configurator. */
  static final List<String> CONFIG_FILES =
      List.of(ContextInitializer.TEST_AUTOCONFIG_FILE, ContextInitializer.AUTOCONFIG_FILE);

  private final UnaryOperator<String> systemProperty;
  private final Predicate<String> resourceExists;

  /**
   * As logback's {@link java.util.ServiceLoader} creates it: looks at the system properties and the
   * class path.
   */
  public DefaultLogConfigurator() {
    this(
        System::getProperty,
        name -> DefaultLogConfigurator.class.getClassLoader().getResource(name) != null);
  }

  DefaultLogConfigurator(UnaryOperator<String> systemProperty, Predicate<String> resourceExists) {
    this.systemProperty = systemProperty;
    this.resourceExists = resourceExists;
  }

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (systemProperty.apply(ContextInitializer.CONFIG_FILE_PROPERTY) != null
        || CONFIG_FILES.stream().anyMatch(resourceExists)) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    Logging.apply(LoggingConfig.defaults(), context);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
