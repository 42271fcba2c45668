package dev.landfall.facility;

import java.util.HashMap;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.model.ModelLifecycleStrategy;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteTemplateDefinition;

/**
 * Refuses a facility poller (a route of the facility-logs-ftp template) whose bucket and prefix another facility
 * already writes, when a route file adds or changes one while Landfall runs: that file's routes are not added, and the
 * error names both facilities (the start is checked once over all routes, before any starts).
 */
final class FacilityTargetGuard implements ModelLifecycleStrategy {

    private final CamelContext camel;
    private final Map<String, String[]> byRoute = new HashMap<>();

    FacilityTargetGuard(CamelContext camel) {
        this.camel = camel;
    }

    /** A facility poller's (facility, bucket, prefix), placeholders resolved; null for any other route. */
    static String[] target(CamelContext camel, RouteDefinition def) {
        if (!def.isCreatedFromTemplate() || !FacilityLogMerge.PIPELINE.equals(def.getGroup())) {
            return null;
        }
        Map<String, Object> params = new HashMap<>();
        if (def.getTemplateDefaultParameters() != null) {
            params.putAll(def.getTemplateDefaultParameters());
        }
        if (def.getTemplateParameters() != null) {
            params.putAll(def.getTemplateParameters());
        }
        return new String[] {String.valueOf(params.getOrDefault("name", def.getRouteId())),
                camel.resolvePropertyPlaceholders(String.valueOf(params.get("bucket"))),
                camel.resolvePropertyPlaceholders(String.valueOf(params.get("prefix")))};
    }

    @Override
    public synchronized void onAddRouteDefinition(RouteDefinition def) {
        String[] added = target(camel, def);
        if (added == null) {
            return;
        }
        if (!camel.isStarted()) {
            byRoute.put(def.getRouteId(), added);
            return;
        }
        FacilityTargets targets = new FacilityTargets();
        byRoute.forEach((route, target) -> {
            if (!route.equals(def.getRouteId())) {
                targets.add(target[0], target[1], target[2]);
            }
        });
        targets.add(added[0], added[1], added[2]);
        byRoute.put(def.getRouteId(), added);
    }

    @Override
    public synchronized void onRemoveRouteDefinition(RouteDefinition def) {
        if (def != null) {
            byRoute.remove(def.getRouteId());
        }
    }

    @Override
    public void onAddRouteTemplateDefinition(RouteTemplateDefinition definition) {
    }

    @Override
    public void onRemoveRouteTemplateDefinition(RouteTemplateDefinition definition) {
    }
}
