package dev.landfall.common;

import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.Consumer;
import org.apache.camel.DelegateEndpoint;
import org.apache.camel.Endpoint;
import org.apache.camel.Route;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.apache.camel.spi.PollingConsumerPollStrategy;
import org.apache.camel.spi.RouteIdAware;
import org.apache.camel.util.URISupport;

/**
 * Readiness of every polling edge: a poll that fails (server down, wrong password) or that does not find
 * its file marks that poller (its route) DOWN until a later poll succeeds. Set it on a file/FTP endpoint as both
 * {@code pollStrategy=#pollHealth} and {@code filter=#pollHealth}; a poll that cannot reach its server is told to the
 * {@link OutageLog} as {@code <scheme>:<route id>} (with {@code exceptionHandler=#outageLog} nothing else logs it).
 */
public final class PollHealth extends AbstractHealthCheck implements PollingConsumerPollStrategy, GenericFileFilter<Object> {

    /** One poller's last poll: its endpoint without the query, whether it worked, and the consumer that polled. */
    private record State(String source, boolean up, String message, long atMillis, Consumer consumer) {
        /**
         * A consumer stopped since (a {@code master:} route's poller when this replica lost the leadership, or a route
         * stopped on purpose) polls no more: its last failure is no longer this replica's to report.
         */
        boolean current() {
            return !(consumer instanceof org.apache.camel.StatefulService s) || s.isRunAllowed();
        }
    }

    /** By route id, so that pollers of one server and path with other options or credentials stay apart. */
    private final Map<String, State> states = new ConcurrentHashMap<>();
    private final Map<Endpoint, String> routeIds = new ConcurrentHashMap<>();
    /** Each poller's consumer and when its last poll began, so that a poller whose scheduled task died shows. */
    private final Map<String, Began> began = new ConcurrentHashMap<>();

    private record Began(Consumer consumer, long atMillis) {
    }
    // begin, filter and commit of one poll run on the consumer's thread
    private final ThreadLocal<Boolean> sawFile = ThreadLocal.withInitial(() -> false);
    private final Clock clock;
    private final OutageLog outages;

    public PollHealth(Clock clock, OutageLog outages) {
        super("landfall", "polls");
        this.clock = clock;
        this.outages = outages;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    public boolean begin(Consumer consumer, Endpoint endpoint) {
        sawFile.set(false);
        began.put(poller(consumer, endpoint, source(endpoint)), new Began(consumer, clock.millis()));
        return true;
    }

    /**
     * Pollers whose consumer still runs (started, leader) but whose next poll is overdue by more than {@code graceMs}
     * beyond its delay with backoff (an Error thrown in a poll cancels its scheduled task for good): poller → ms overdue.
     */
    public Map<String, Long> stalled(long graceMs) {
        Map<String, Long> out = new TreeMap<>();
        long now = clock.millis();
        began.forEach((poller, b) -> {
            if (b.consumer() instanceof org.apache.camel.support.ScheduledPollConsumer c && c.isRunAllowed() && !c.isPolling()) {
                long due = c.getDelay() * (1L + Math.max(0, c.getBackoffMultiplier()));
                long overdue = now - b.atMillis() - due;
                if (overdue > graceMs) {
                    out.put(poller, overdue);
                }
            }
        });
        return out;
    }

    @Override
    public boolean accept(GenericFile<Object> file) {
        sawFile.set(true);
        return true;
    }

    @Override
    public void commit(Consumer consumer, Endpoint endpoint, int polledMessages) {
        String poller;
        if (polledMessages > 0 || sawFile.get()) {
            poller = put(consumer, endpoint, true, "polled");
        } else {
            poller = put(consumer, endpoint, false, "the file to poll is missing");
        }
        // the server answered, with or without the file
        outages.ok(dependency(endpoint, poller));
    }

    @Override
    public boolean rollback(Consumer consumer, Endpoint endpoint, int retryCounter, Exception cause) {
        String poller = put(consumer, endpoint, false, String.valueOf(cause.getMessage()));
        // a poll that failed on DynamoDB (the idempotent check) was told as a DynamoDB failure already
        if (!outages.reported(cause)) {
            outages.failed(dependency(endpoint, poller), "poll of " + source(endpoint), cause);
        }
        return false;
    }

    private static String dependency(Endpoint endpoint, String poller) {
        String uri = endpoint.getEndpointUri();
        int colon = uri.indexOf(':');
        return (colon > 0 ? uri.substring(0, colon) : "poll") + ":" + poller;
    }

    private String put(Consumer consumer, Endpoint endpoint, boolean up, String message) {
        String source = source(endpoint);
        // a reason may quote a URI: never its password
        String reason = URISupport.sanitizeUri(message).replaceAll("\\s+", " ").trim();
        String poller = poller(consumer, endpoint, source);
        states.put(poller, new State(source, up, reason, clock.millis(), consumer));
        return poller;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Map<String, Object> down = new TreeMap<>();
        states.forEach((poller, s) -> {
            if (!s.up() && s.current()) {
                down.put(poller, s.message());
            }
        });
        if (down.isEmpty()) {
            builder.up();
        } else {
            StringBuilder message = new StringBuilder("polls failing:");
            down.forEach((poller, reason) -> message.append(' ').append(poller).append(": ").append(reason).append(';'));
            builder.details(down).message(message.substring(0, message.length() - 1)).down();
        }
    }

    /** True when the last poll of the poller (route id, or endpoint URI prefix) worked; null before its first poll. */
    public Boolean isUp(String pollerOrSourcePrefix) {
        State byRoute = states.get(pollerOrSourcePrefix);
        if (byRoute != null) {
            return byRoute.up();
        }
        return states.values().stream().filter(s -> s.source().startsWith(pollerOrSourcePrefix))
                .map(State::up).findFirst().orElse(null);
    }

    /** The id of the route that polls the endpoint, also when it polls through a delegate such as {@code master:}. */
    private String poller(Consumer consumer, Endpoint endpoint, String source) {
        if (consumer instanceof RouteIdAware aware && aware.getRouteId() != null) {
            return aware.getRouteId();
        }
        String known = routeIds.get(endpoint);
        if (known != null) {
            return known;
        }
        for (Route route : endpoint.getCamelContext().getRoutes()) {
            Endpoint from = route.getEndpoint();
            if (from == endpoint || from instanceof DelegateEndpoint d && d.getEndpoint() == endpoint) {
                routeIds.put(endpoint, route.getRouteId());
                return route.getRouteId();
            }
        }
        return source;
    }

    private static String source(Endpoint endpoint) {
        String uri = URISupport.sanitizeUri(endpoint.getEndpointUri());
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }
}
