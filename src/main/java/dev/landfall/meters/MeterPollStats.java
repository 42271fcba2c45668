package dev.landfall.meters;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;

/**
 * The poller's figures: polls by outcome, missed slots (a device still in flight at its next slot), and how late each
 * poll left against its slot (a histogram to the millisecond, also published as a Micrometer timer with p50/p99).
 */
public final class MeterPollStats {

    private static final int MAX_MS = 60_000;

    private final AtomicLongArray lateness = new AtomicLongArray(MAX_MS + 1);
    private final Map<DeviceState, AtomicLong> polls = new EnumMap<>(DeviceState.class);
    private final AtomicLong missed = new AtomicLong();
    private final Timer latenessTimer;
    private final Map<DeviceState, Counter> pollCounters;
    private final Counter missedCounter;

    public MeterPollStats(Timer latenessTimer, Map<DeviceState, Counter> pollCounters, Counter missedCounter) {
        for (DeviceState s : DeviceState.values()) {
            polls.put(s, new AtomicLong());
        }
        this.latenessTimer = latenessTimer;
        this.pollCounters = pollCounters;
        this.missedCounter = missedCounter;
    }

    public static MeterPollStats unpublished() {
        return new MeterPollStats(null, Map.of(), null);
    }

    void lateness(long ms) {
        lateness.incrementAndGet((int) Math.max(0, Math.min(MAX_MS, ms)));
        if (latenessTimer != null) {
            latenessTimer.record(Math.max(0, ms), TimeUnit.MILLISECONDS);
        }
    }

    void polled(DeviceState outcome) {
        polls.get(outcome).incrementAndGet();
        Counter c = pollCounters.get(outcome);
        if (c != null) {
            c.increment();
        }
    }

    void missed() {
        missed.incrementAndGet();
        if (missedCounter != null) {
            missedCounter.increment();
        }
    }

    public long polls(DeviceState outcome) {
        return polls.get(outcome).get();
    }

    public long polls() {
        return polls.values().stream().mapToLong(AtomicLong::get).sum();
    }

    public long missedSlots() {
        return missed.get();
    }

    /** The lateness (ms) under which a share {@code q} of the polls left. */
    public long latenessPercentile(double q) {
        long total = 0;
        for (int i = 0; i <= MAX_MS; i++) {
            total += lateness.get(i);
        }
        long want = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i <= MAX_MS; i++) {
            seen += lateness.get(i);
            if (seen >= want && seen > 0) {
                return i;
            }
        }
        return 0;
    }
}
