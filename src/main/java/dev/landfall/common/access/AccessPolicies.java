package dev.landfall.common.access;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.landfall.common.access.AccessControl.Decision;
import dev.landfall.common.access.AccessControl.Requirement;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.NamedNode;
import org.apache.camel.Route;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.RoutePolicySupport;

/**
 * Access control on every route with an HTTP consumer (platform-http, hence every Rest DSL route): a route policy that
 * Camel adds to each route as it is created, the routes of a user's route file included, so that a new HTTP route is
 * keyed without asking. The endpoint's requirement comes from its path: {@code /admin/...} needs an admin key; any
 * other path belongs to the API named by its first segment after an optional {@code /api/} ({@code /api/page-views/top}
 * and the dashboard {@code /page-views/} are both the {@code page-views} API). An API listed in
 * {@code landfall.access.public-apis} needs no key, nor does a page listed in {@code landfall.access.open-pages} (the
 * dashboard's HTML, which holds no data: it asks for a key and sends it with its calls to the keyed API). Denied requests are answered here (401, 403, 429 with
 * {@code {"message": ...}}) and never reach the route; the key header is removed from every request, so no key travels
 * further (into a log, a dead letter, a trace or a JMX attribute).
 */
public final class AccessPolicies implements RoutePolicyFactory {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AccessPolicies.class);

    /** The route property the policy notes its decision in: {@code keyed}, {@code admin} or {@code public}. */
    public static final String ACCESS_PROPERTY = "landfall.access";

    private final java.util.function.Supplier<AccessControl> access;
    private final Set<String> publicApis;
    private final Set<String> openPages;
    private final boolean enabled;

    /** @param access the decision, looked up at the first keyed request (its beans are lazy) */
    private final java.util.function.Supplier<dev.landfall.common.PipelineMetrics> metrics;

    public AccessPolicies(java.util.function.Supplier<AccessControl> access, java.util.function.Supplier<dev.landfall.common.PipelineMetrics> metrics,
                          Set<String> publicApis, Set<String> openPages, boolean enabled) {
        this.access = access;
        this.metrics = metrics;
        this.publicApis = Set.copyOf(publicApis);
        this.openPages = Set.copyOf(openPages);
        this.enabled = enabled;
    }

    private volatile AccessControl control;
    private final java.util.concurrent.atomic.AtomicLong lastWarning = new java.util.concurrent.atomic.AtomicLong(-60_000);
    private volatile dev.landfall.common.PipelineMetrics meters;

    private dev.landfall.common.PipelineMetrics meters() {
        dev.landfall.common.PipelineMetrics m = meters;
        if (m == null) {
            m = metrics.get();
            meters = m;
        }
        return m;
    }

    /** The decision bean, looked up once (a registry look-up per request costs more than the check). */
    private AccessControl control() {
        AccessControl c = control;
        if (c == null) {
            c = access.get();
            control = c;
        }
        return c;
    }

    @Override
    public RoutePolicy createRoutePolicy(CamelContext camel, String routeId, NamedNode node) {
        if (!(node instanceof RouteDefinition def) || def.getInput() == null) {
            return null;
        }
        String path = httpPath(def.getInput().getEndpointUri());
        if (path == null) {
            return null;
        }
        return new Policy(requirement(path), openPage(path));
    }

    private boolean openPage(String path) {
        for (String page : openPages) {
            if (path.equals(page) || path.startsWith(page.endsWith("/") ? page : page + "/")) {
                return true;
            }
        }
        return false;
    }

    /** The path an HTTP consumer serves ({@code platform-http:/p}, {@code rest:get:/p:/q}), or null for any other endpoint. */
    public static String verb(String uri) {
        if (uri == null || !uri.startsWith("rest:")) {
            return null;
        }
        return uri.substring("rest:".length()).replaceFirst("^//", "").split(":", 2)[0].toUpperCase(Locale.ROOT);
    }

    /** The path an HTTP consumer serves ({@code platform-http:/p}, {@code rest:get:/p:/q}), or null for any other endpoint. */
    public static String httpPath(String uri) {
        if (uri == null) {
            return null;
        }
        String u = uri.replaceFirst("\\?.*$", "");
        if (u.startsWith("platform-http:")) {
            String p = java.net.URLDecoder.decode(u.substring("platform-http:".length()).replaceFirst("^//", ""),
                    java.nio.charset.StandardCharsets.UTF_8);
            return p.startsWith("/") ? p : "/" + p;
        }
        if (u.startsWith("rest-api:")) {
            // the OpenAPI document's route: rest-api:<context path>
            String p = u.substring("rest-api:".length()).replaceFirst("^//", "");
            return p.startsWith("/") ? p : "/" + p;
        }
        if (u.startsWith("rest:")) {
            // rest:<verb>:<path>[:<uri template>], also written rest://<verb>:...
            String[] parts = u.substring("rest:".length()).replaceFirst("^//", "").split(":", 3);
            if (parts.length < 2) {
                return null;
            }
            String p = parts[1] + (parts.length == 3 ? "/" + parts[2] : "");
            p = java.net.URLDecoder.decode(p, java.nio.charset.StandardCharsets.UTF_8).replaceAll("//+", "/");
            return p.startsWith("/") ? p : "/" + p;
        }
        return null;
    }

    /** What a path needs: {@code /admin/...} an admin key; otherwise the API of its first segment (after {@code api/}). */
    public static Requirement requirement(String path) {
        String[] segments = path.replaceFirst("^/+", "").split("/");
        if (segments.length > 0 && "admin".equals(segments[0])) {
            return new Requirement("admin", true);
        }
        int first = segments.length > 1 && "api".equals(segments[0]) ? 1 : 0;
        String api = segments.length > first ? segments[first].toLowerCase(Locale.ROOT) : "";
        return new Requirement(api.isEmpty() ? "root" : api, false);
    }

    /** The policy of one HTTP route. */
    public final class Policy extends RoutePolicySupport {
        private final Requirement need;
        private final boolean openPage;

        private final String mode;

        Policy(Requirement need, boolean openPage) {
            this.need = need;
            this.openPage = openPage;
            this.mode = decideMode();
        }

        public Requirement requirement() {
            return need;
        }

        /**
         * {@code admin}, {@code keyed}, {@code public} (its API is in landfall.access.public-apis, or access control is
         * off) or {@code open-page} (in landfall.access.open-pages: a page without data, whose data comes from a keyed API).
         */
        public String mode() {
            return mode;
        }

        private String decideMode() {
            if (!enabled) {
                return "public";
            }
            if (need.admin()) {
                return "admin";
            }
            return publicApis.contains(need.api()) ? "public" : openPage ? "open-page" : "keyed";
        }

        @Override
        public void onInit(Route route) {
            route.getProperties().put(ACCESS_PROPERTY, mode());
        }

        @Override
        public void onExchangeBegin(Route route, Exchange exchange) {
            Message in = exchange.getMessage();
            String presented = in.getHeader(AccessControl.HEADER, String.class);
            // the key goes no further than this check
            in.removeHeader(AccessControl.HEADER);
            if ("public".equals(mode) || "open-page".equals(mode)) {
                return;
            }
            long started = System.nanoTime();
            Decision d;
            try {
                d = control().check(presented, need);
            } catch (RuntimeException e) {
                long now = System.currentTimeMillis();
                long last = lastWarning.get();
                if (now - last >= 60_000 && lastWarning.compareAndSet(last, now)) {
                    // one line a minute, not one per request
                    LOG.warn("Access control could not decide ({}): keyed requests are answered 503", e.toString());
                }
                deny(exchange, Decision.unavailable());
                meters().accessCheck(route.getRouteId(), "unavailable", System.nanoTime() - started);
                return;
            }
            meters().accessCheck(route.getRouteId(), outcome(d), System.nanoTime() - started);
            if (!d.allowed()) {
                deny(exchange, d);
                return;
            }
            d.headers().forEach(in::setHeader);
            if (d.key() != null) {
                // who called, for the route and its logs: the key's public id and name, never the key (exchange
                // properties, so that they are not echoed as response headers)
                exchange.setProperty("landfallKeyId", d.key().id());
                exchange.setProperty("landfallKeyName", d.key().name());
            }
        }

        private void deny(Exchange exchange, Decision d) {
            Message out = exchange.getMessage();
            out.getHeaders().clear();
            d.headers().forEach(out::setHeader);
            out.setHeader(Exchange.HTTP_RESPONSE_CODE, d.status());
            out.setHeader(Exchange.CONTENT_TYPE, "application/json");
            out.setBody(d.body().getBytes(StandardCharsets.UTF_8));
            exchange.setRouteStop(true);
        }
    }

    private static String outcome(Decision d) {
        return switch (d.status()) {
            case 0 -> "allowed";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 429 -> "QUOTA_EXCEEDED".equals(d.code()) ? "quota_exceeded" : "throttled";
            default -> "unavailable";
        };
    }

    static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
