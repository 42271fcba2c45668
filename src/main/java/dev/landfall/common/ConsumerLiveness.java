package dev.landfall.common;

import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Liveness: DOWN once a thread died of an uncaught error (a timer or consumer thread killed by an OutOfMemoryError
 * leaves its route "Started" but doing nothing) or a poller stopped polling, so that Kubernetes restarts the pod.
 */
public final class ConsumerLiveness extends AbstractHealthCheck implements Thread.UncaughtExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerLiveness.class);

    private record Death(String error, long atMillis) {
    }

    private final Map<String, Death> deaths = new ConcurrentHashMap<>();
    private final PollHealth polls;
    private final Clock clock;
    private final long stallAfterMs;
    private Thread.UncaughtExceptionHandler previous;

    /** @param stallAfterMs a poller whose next poll is this much overdue (beyond its own delay and backoff) is stalled */
    public ConsumerLiveness(PollHealth polls, Clock clock, long stallAfterMs) {
        super("landfall", "consumer-threads");
        this.polls = polls;
        this.clock = clock;
        this.stallAfterMs = stallAfterMs;
    }

    /** Installs this as the JVM's handler of uncaught errors, keeping the one before it. */
    public synchronized void install() {
        Thread.UncaughtExceptionHandler current = Thread.getDefaultUncaughtExceptionHandler();
        if (current != this) {
            previous = current;
            Thread.setDefaultUncaughtExceptionHandler(this);
        }
    }

    @Override
    public void uncaughtException(Thread t, Throwable e) {
        deaths.put(t.getName(), new Death(e.getClass().getName() + ": " + e.getMessage(), clock.millis()));
        LOG.error("Thread {} died: {}; liveness is DOWN until restart", t.getName(), e.toString());
        if (previous != null) {
            previous.uncaughtException(t, e);
        }
    }

    @Override
    public boolean isLiveness() {
        return true;
    }

    @Override
    public boolean isReadiness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Map<String, Object> down = new TreeMap<>();
        deaths.forEach((thread, d) -> down.put("thread " + thread, "died: " + d.error()));
        polls.stalled(stallAfterMs).forEach((poller, overdue) -> down.put("poller " + poller, "no poll for " + overdue / 1000 + " s"));
        if (down.isEmpty()) {
            builder.up();
        } else {
            builder.details(down).message("consumers dead: " + down).down();
        }
    }
}
