package dev.landfall.meters;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The shards' side of polling: a shard's {@code master:} route calls {@link #refresh} every minute on the replica that
 * leads it, which re-reads the registry (one scan shared by the shards of a refresh round) and hands the shard's
 * devices to the poller; added devices start, removed or disabled ones stop. {@link #flushStates} writes the changed
 * device states in batches.
 */
public final class MeterShards {

    private final MeterRegistry registry;
    private final MeterPoller poller;
    private final int shards;
    private final IntFunction<BooleanSupplier> leadership;
    private final Clock clock;
    private final Duration snapshotAge;
    private volatile List<MeterDevice> snapshot;
    private volatile long snapshotAt;

    /** @param leadership per shard, whether this replica still leads it (asked before every poll) */
    public MeterShards(MeterRegistry registry, MeterPoller poller, int shards, IntFunction<BooleanSupplier> leadership, Clock clock,
                       Duration snapshotAge) {
        this.registry = registry;
        this.poller = poller;
        this.shards = shards;
        this.leadership = leadership;
        this.clock = clock;
        this.snapshotAge = snapshotAge;
    }

    public int shards() {
        return shards;
    }

    public synchronized int refresh(int shard) {
        long now = clock.millis();
        if (snapshot == null || now - snapshotAt > snapshotAge.toMillis()) {
            snapshot = registry.all();
            snapshotAt = now;
        }
        List<MeterDevice> mine = new ArrayList<>();
        for (MeterDevice d : snapshot) {
            if (MeterDevice.shardOf(d.cloudId(), shards) == shard) {
                mine.add(d);
            }
        }
        Map<String, Map<String, AttributeValue>> stored = registry.states(mine.stream().map(MeterDevice::cloudId).toList());
        poller.assign(shard, mine, stored, leadership.apply(shard));
        return mine.size();
    }

    /** Forgets the registry snapshot, so the next refresh reads the registry (after a change through the API). */
    public void changed() {
        snapshot = null;
    }

    public int flushStates() throws InterruptedException {
        List<Map<String, AttributeValue>> changes = poller.takeStateChanges();
        registry.putStates(changes);
        return changes.size();
    }
}
