package dev.landfall.common;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.camel.CamelContext;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.HttpEndpointModel;
import org.apache.camel.component.platform.http.PlatformHttpComponent;
import org.apache.camel.component.platform.http.main.MainHttpServer;
import org.apache.camel.component.platform.http.main.ManagementHttpServer;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.SimpleEventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs the HTTP endpoints once the app has started (and again when a route reload changes them), with the address the
 * servers really bound. camel-platform-http-main's own summary says 0.0.0.0 whatever the host and repeats itself for
 * every route the supervising route controller starts, so its logger is turned down in log4j2.properties.
 */
public final class HttpEndpointsSummary extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(HttpEndpointsSummary.class);

    private final AtomicReference<List<String>> last = new AtomicReference<>();

    @Override
    public void afterConfigure(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        // fully started comes after every listener's "started", where the supervising route controller starts the routes
        try {
            context.addStartupListener(new StartupListener() {
                @Override
                public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
                }

                @Override
                public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                    logIfChanged(started);
                }
            });
        } catch (Exception e) {
            throw RuntimeCamelException.wrapRuntimeCamelException(e);
        }
        context.getManagementStrategy().addEventNotifier(new SimpleEventNotifierSupport() {
            @Override
            public boolean isEnabled(CamelEvent event) {
                return event instanceof CamelEvent.RouteReloadedEvent;
            }

            @Override
            public void notify(CamelEvent event) {
                CamelEvent.RouteReloadedEvent reloaded = (CamelEvent.RouteReloadedEvent) event;
                // one reload may replace several routes: tell the outcome once, after the last
                if (reloaded.getIndex() >= reloaded.getTotal()) {
                    logIfChanged(context);
                }
            }
        });
    }

    /** The summary lines: one header per server, then one line per endpoint. */
    static List<String> lines(CamelContext context) {
        PlatformHttpComponent http = context.hasComponent("platform-http") instanceof PlatformHttpComponent c ? c : null;
        List<String> out = new ArrayList<>();
        MainHttpServer business = context.hasService(MainHttpServer.class);
        if (business != null && http != null) {
            section(out, "HTTP endpoints", business.getHost(), business.getPort(), http.getHttpEndpoints());
        }
        ManagementHttpServer management = context.hasService(ManagementHttpServer.class);
        if (management != null && http != null) {
            section(out, "HTTP management endpoints", management.getHost(), management.getPort(),
                    http.getHttpManagementEndpoints());
        }
        return out;
    }

    private static void section(List<String> out, String title, String host, int port, Set<HttpEndpointModel> endpoints) {
        if (endpoints.isEmpty()) {
            return;
        }
        String base = "http://" + host + ":" + port;
        out.add(title + " on " + base + ("0.0.0.0".equals(host) ? " (every interface)" : ""));
        // one line per path with all its verbs (the Rest DSL registers each verb of a path as an endpoint of its own)
        java.util.Map<String, java.util.SortedSet<String>> verbs = new java.util.TreeMap<>();
        for (HttpEndpointModel e : endpoints) {
            java.util.SortedSet<String> v = verbs.computeIfAbsent(e.getUri(), u -> new TreeSet<>());
            if (e.getVerbs() != null) {
                v.addAll(java.util.Arrays.asList(e.getVerbs().split(",")));
            }
        }
        verbs.forEach((uri, v) -> out.add(String.format("    %-48s %s", base + uri, v.isEmpty() ? "" : "(" + String.join(",", v) + ")")));
    }

    private void logIfChanged(CamelContext context) {
        List<String> lines = lines(context);
        List<String> before = last.getAndSet(lines);
        if (!Objects.equals(before, lines)) {
            lines.forEach(LOG::info);
        }
    }
}
