package dev.landfall.common;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Landfall's metrics, in Camel's Prometheus registry: per-pipeline record counters
 * ({@code landfall_records_total{pipeline,outcome}}), plain counters and gauges of the shared mechanisms. Every meter is
 * registered with its description, which Prometheus shows as its {@code # HELP} line.
 */
public final class PipelineMetrics {

    static final String RECORDS = "landfall.records";
    static final String RECORDS_HELP = "Records handled, by pipeline and outcome (read, landed, duplicate, dead_lettered,"
            + " quarantined, invalid_utf8)";

    private final Supplier<MeterRegistry> registry;
    private volatile MeterRegistry resolved;

    /** @param registry looked up lazily: Camel creates its Prometheus registry after our beans */
    public PipelineMetrics(Supplier<MeterRegistry> registry) {
        this.registry = registry;
    }

    static final String ACCESS_CHECK = "landfall.access.check";
    static final String ACCESS_CHECK_HELP = "Time the API key check takes per request (key, role, plan, rate, quota), by route";
    static final String ACCESS_REQUESTS = "landfall.access.requests";
    static final String ACCESS_REQUESTS_HELP = "Keyed requests by route and outcome (allowed, unauthorized, forbidden, throttled,"
            + " quota_exceeded, unavailable)";

    /** One access check of a keyed request: how long it took and what it answered. */
    public void accessCheck(String route, String outcome, long nanos) {
        MeterRegistry r = registry();
        Timer.builder(ACCESS_CHECK).description(ACCESS_CHECK_HELP).tag("route", route).publishPercentiles(0.5, 0.99)
                .register(r).record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        Counter.builder(ACCESS_REQUESTS).description(ACCESS_REQUESTS_HELP).tags("route", route, "outcome", outcome)
                .register(r).increment();
    }

    /** The access check's timer of a route (null before its first keyed request). */
    public Timer accessCheckTimer(String route) {
        return registry().find(ACCESS_CHECK).tag("route", route).timer();
    }

    public void read(String pipeline, long n) {
        count(pipeline, "read", n);
    }

    public void landed(String pipeline, long n) {
        count(pipeline, "landed", n);
    }

    public void duplicate(String pipeline, long n) {
        count(pipeline, "duplicate", n);
    }

    public void deadLettered(String pipeline, long n) {
        count(pipeline, "dead_lettered", n);
    }

    public double count(String pipeline, String outcome) {
        var c = registry().find(RECORDS).tags("pipeline", pipeline, "outcome", outcome).counter();
        return c == null ? 0 : c.count();
    }

    /** Counts {@code n} records of any other outcome. */
    public void count(String pipeline, String outcome, long n) {
        if (n > 0) {
            Counter.builder(RECORDS).description(RECORDS_HELP).tags("pipeline", pipeline, "outcome", outcome)
                    .register(registry()).increment(n);
        }
    }

    /**
     * Adds to a counter without pipeline tags (e.g. the batch writer's calls and retries).
     *
     * @param description what it counts, shown as the metric's HELP
     */
    public void increment(String name, String description, long n) {
        requireDescription(name, description);
        if (n > 0) {
            Counter.builder(name).description(description).register(registry()).increment(n);
        }
    }

    /**
     * Publishes {@code value} as a gauge tagged with the pipeline; registering it again is harmless.
     *
     * @param description what it measures, shown as the metric's HELP
     */
    public void gauge(String name, String description, String pipeline, AtomicLong value) {
        requireDescription(name, description);
        List<Tag> tags = List.of(Tag.of("pipeline", pipeline));
        // registering a gauge twice makes Micrometer WARN, and the first registration stays anyway
        if (registry().find(name).tags(tags).gauge() == null) {
            Gauge.builder(name, value, AtomicLong::doubleValue).description(description).tags(tags).register(registry());
        }
    }

    /**
     * A timer tagged with the pipeline and its labels (name, value pairs), publishing its p50 and p99.
     *
     * @param description what it times, shown as the metric's HELP
     */
    public Timer timer(String name, String description, String pipeline, String... labels) {
        requireDescription(name, description);
        return Timer.builder(name).description(description).tag("pipeline", pipeline).tags(labels).publishPercentiles(0.5, 0.99)
                .register(registry());
    }

    /** A counter tagged with the pipeline and its labels (name, value pairs). */
    public Counter counter(String name, String description, String pipeline, String... labels) {
        requireDescription(name, description);
        return Counter.builder(name).description(description).tag("pipeline", pipeline).tags(labels).register(registry());
    }

    private static void requireDescription(String name, String description) {
        if (description == null || description.isBlank()) {
            throw new IllegalArgumentException("metric " + name + " needs a description (its Prometheus HELP)");
        }
    }

    private MeterRegistry registry() {
        MeterRegistry r = resolved;
        if (r == null) {
            r = registry.get();
            if (r == null) {
                r = new SimpleMeterRegistry();
            }
            resolved = r;
        }
        return r;
    }
}
