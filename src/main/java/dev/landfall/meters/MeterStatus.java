package dev.landfall.meters;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A polled device's state and counters, kept by its poller and written to the state table in batches (never per
 * reading): state, last error, total events logged, first and last reading's poll time.
 */
public final class MeterStatus {

    static final String STATE = "state", LAST_ERROR = "last_error", TOTAL = "total_events_logged", FIRST = "first_timestamp",
            LAST = "last_timestamp", SINCE = "state_since";

    private DeviceState state;
    private String lastError;
    private long total;
    private Instant first;
    private Instant last;
    private Instant since;
    private boolean dirty;

    /** Continues from the stored state (a shard moved here, or a restart). */
    public static MeterStatus of(Map<String, AttributeValue> stored) {
        MeterStatus s = new MeterStatus();
        if (stored != null && !stored.isEmpty()) {
            s.state = stored.containsKey(STATE) ? DeviceState.valueOf(stored.get(STATE).s()) : null;
            s.lastError = stored.containsKey(LAST_ERROR) ? stored.get(LAST_ERROR).s() : null;
            s.total = stored.containsKey(TOTAL) ? Long.parseLong(stored.get(TOTAL).n()) : 0;
            s.first = stored.containsKey(FIRST) ? Instant.parse(stored.get(FIRST).s()) : null;
            s.last = stored.containsKey(LAST) ? Instant.parse(stored.get(LAST).s()) : null;
            s.since = stored.containsKey(SINCE) ? Instant.parse(stored.get(SINCE).s()) : null;
        }
        return s;
    }

    public synchronized DeviceState state() {
        return state;
    }

    /** A change of state: {@code was} is null for a device's first state. */
    public record Change(DeviceState was, DeviceState now) {
    }

    /** @return the change when this changes the state, else null */
    public synchronized Change enter(DeviceState next, String error, Instant at) {
        DeviceState was = state;
        if (next != DeviceState.OK && error != null && !error.equals(lastError)) {
            lastError = error;
            dirty = true;
        }
        if (was == next) {
            return null;
        }
        state = next;
        since = at;
        dirty = true;
        return new Change(was, next);
    }

    public synchronized void logged(Instant polledAt) {
        total++;
        if (first == null) {
            first = polledAt;
        }
        last = polledAt;
        dirty = true;
    }

    /** The state item when it changed since the last write (and marks it written), else null. */
    public synchronized Map<String, AttributeValue> takeChanges(String cloudId) {
        if (!dirty) {
            return null;
        }
        dirty = false;
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(MeterRegistry.CLOUD_ID, AttributeValue.fromS(cloudId));
        if (state != null) {
            item.put(STATE, AttributeValue.fromS(state.name()));
        }
        if (lastError != null) {
            item.put(LAST_ERROR, AttributeValue.fromS(lastError));
        }
        item.put(TOTAL, AttributeValue.fromN(Long.toString(total)));
        if (first != null) {
            item.put(FIRST, AttributeValue.fromS(first.toString()));
        }
        if (last != null) {
            item.put(LAST, AttributeValue.fromS(last.toString()));
        }
        if (since != null) {
            item.put(SINCE, AttributeValue.fromS(since.toString()));
        }
        return item;
    }

    public synchronized void markDirty() {
        dirty = true;
    }

    public synchronized long total() {
        return total;
    }

    static void view(Map<String, AttributeValue> state, Map<String, Object> m) {
        if (state.containsKey(LAST_ERROR)) {
            m.put("last_error", state.get(LAST_ERROR).s());
        }
        if (state.containsKey(SINCE)) {
            m.put("state_since", state.get(SINCE).s());
        }
        m.put("total_events_logged", state.containsKey(TOTAL) ? Long.parseLong(state.get(TOTAL).n()) : 0L);
        if (state.containsKey(FIRST)) {
            m.put("first_timestamp", state.get(FIRST).s());
        }
        if (state.containsKey(LAST)) {
            m.put("last_timestamp", state.get(LAST).s());
        }
    }
}
