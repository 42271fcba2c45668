package dev.landfall.common;

import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.apache.camel.spi.PollingConsumerPollStrategy;
import org.apache.camel.util.URISupport;

/**
 * Readiness of every polling edge: a poll that fails (server down, wrong password) or that does not find
 * its file marks that source DOWN until a later poll succeeds. Set it on a file/FTP endpoint as both
 * {@code pollStrategy=#pollHealth} and {@code filter=#pollHealth}.
 */
public final class PollHealth extends AbstractHealthCheck implements PollingConsumerPollStrategy, GenericFileFilter<Object> {

    private record State(boolean up, String message, long atMillis) {
    }

    private final Map<String, State> states = new ConcurrentHashMap<>();
    // begin, filter and commit of one poll run on the consumer's thread
    private final ThreadLocal<Boolean> sawFile = ThreadLocal.withInitial(() -> false);
    private final Clock clock;

    public PollHealth(Clock clock) {
        super("landfall", "polls");
        this.clock = clock;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    public boolean begin(Consumer consumer, Endpoint endpoint) {
        sawFile.set(false);
        return true;
    }

    @Override
    public boolean accept(GenericFile<Object> file) {
        sawFile.set(true);
        return true;
    }

    @Override
    public void commit(Consumer consumer, Endpoint endpoint, int polledMessages) {
        if (polledMessages > 0 || sawFile.get()) {
            states.put(source(endpoint), new State(true, "polled", clock.millis()));
        } else {
            states.put(source(endpoint), new State(false, "the file to poll is missing", clock.millis()));
        }
    }

    @Override
    public boolean rollback(Consumer consumer, Endpoint endpoint, int retryCounter, Exception cause) {
        states.put(source(endpoint), new State(false, String.valueOf(cause.getMessage()), clock.millis()));
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Map<String, Object> down = new TreeMap<>();
        states.forEach((source, s) -> {
            if (!s.up()) {
                down.put(source, s.message());
            }
        });
        if (down.isEmpty()) {
            builder.up();
        } else {
            builder.details(down).message("sources failing: " + down.keySet()).down();
        }
    }

    /** True when the source's last poll worked; null before its first poll. */
    public Boolean isUp(String sourcePrefix) {
        return states.entrySet().stream().filter(e -> e.getKey().startsWith(sourcePrefix))
                .map(e -> e.getValue().up()).findFirst().orElse(null);
    }

    private static String source(Endpoint endpoint) {
        String uri = URISupport.sanitizeUri(endpoint.getEndpointUri());
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }
}
