package io.outpost.packaging;

import io.outpost.function.Context;
import io.outpost.function.Handler;
import io.outpost.function.Message;
import io.outpost.function.Publication;
import java.util.List;

/**
 * A local function that does nothing, deployed by {@link DashboardMetricsIT} so that the
 * per-function meters the dashboard charts exist. It travels as this class file alone, so it may
 * use only the function API and the JDK.
 */
public final class DashboardProbeFunction implements Handler {

  @Override
  public List<Publication> handle(Message message, Context context) {
    return List.of();
  }
}
