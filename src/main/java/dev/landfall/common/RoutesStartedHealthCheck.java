package dev.landfall.common;

import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness: DOWN until the route controller has started the routes at boot. The supervising controller starts them
 * after the context, in the background; without this check a replica would be ready (and get traffic) while its HTTP
 * routes are still missing and answer 404.
 */
public final class RoutesStartedHealthCheck extends AbstractHealthCheck {

    public RoutesStartedHealthCheck() {
        super("landfall", "routes-started");
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        CamelContext camel = getCamelContext();
        if (camel == null || !camel.isStarted() || camel.getRouteController().isStartingRoutes()) {
            builder.message("the routes are being started").down();
        } else {
            builder.up();
        }
    }
}
