package dev.landfall.common;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Landfall's metrics, in Camel's Prometheus registry: per-pipeline record counters
 * ({@code landfall_records_total{pipeline,outcome}}), plain counters and gauges of the shared mechanisms.
 */
public final class PipelineMetrics {

    private final Supplier<MeterRegistry> registry;
    private volatile MeterRegistry resolved;

    /** @param registry looked up lazily: Camel creates its Prometheus registry after our beans */
    public PipelineMetrics(Supplier<MeterRegistry> registry) {
        this.registry = registry;
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
        var c = registry().find("landfall.records").tags("pipeline", pipeline, "outcome", outcome).counter();
        return c == null ? 0 : c.count();
    }

    /** Counts {@code n} records of any other outcome. */
    public void count(String pipeline, String outcome, long n) {
        if (n > 0) {
            registry().counter("landfall.records", "pipeline", pipeline, "outcome", outcome).increment(n);
        }
    }

    /** Adds to a counter without pipeline tags (e.g. the batch writer's calls and retries). */
    public void increment(String name, long n) {
        if (n > 0) {
            registry().counter(name).increment(n);
        }
    }

    /** Publishes {@code value} as a gauge tagged with the pipeline; registering it again is harmless. */
    public void gauge(String name, String pipeline, AtomicLong value) {
        registry().gauge(name, List.of(Tag.of("pipeline", pipeline)), value);
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
