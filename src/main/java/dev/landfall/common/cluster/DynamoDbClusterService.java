package dev.landfall.common.cluster;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDBLockClient;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDBLockClientOptions;
import dev.landfall.common.OutageLog;
import org.apache.camel.cluster.CamelPreemptiveClusterService;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.SimpleEventNotifierSupport;
import org.apache.camel.support.cluster.AbstractCamelClusterService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * Camel's preemptive cluster service on DynamoDB, for {@code master:} routes off Kubernetes (VMs, ECS, the local
 * run, the tests). Leadership of each namespace is a lock of AWS's own lock library
 * ({@code com.amazonaws:dynamodb-lock-client}): an item {@code key = lock#<namespace>} in the lease table, held by
 * heartbeats from the library's background thread, taken by another member only after it saw the item unchanged for
 * a whole lease (the library's rule, judged on each member's own monotonic clock, so clock skew cannot make two
 * leaders), deleted at once when the holder gives it up (a graceful stop, or the rebalancer moving it).
 * <p>
 * Membership, which the {@link org.apache.camel.support.cluster.RebalancingCamelClusterService} needs to share the
 * namespaces evenly, is one heartbeat item per member ({@code key = member#<id>}, wall-clock time of its last
 * heartbeat): a member whose heartbeat is older than the lease is gone. Membership only decides the balance, never
 * who may lead.
 * <p>
 * One thread per service does all the work, every {@code acquireInterval}: the member heartbeat and list, then each
 * view's try to acquire (or keep watching) its lock.
 */
public final class DynamoDbClusterService extends AbstractCamelClusterService<DynamoDbClusterView>
        implements CamelPreemptiveClusterService {

    private static final Logger LOG = LoggerFactory.getLogger(DynamoDbClusterService.class);

    static final String KEY = "key";
    static final String LOCK_PREFIX = "lock#";
    static final String MEMBER_PREFIX = "member#";
    static final String HEARTBEAT = "heartbeat_ms";
    static final String EXPIRES_AT = "expires_at";

    /** The settings; {@code lease} must be at least twice {@code heartbeat} (the library's rule). */
    public record Settings(String table, Duration lease, Duration heartbeat, Duration acquireInterval) {
        public Settings {
            if (lease.compareTo(heartbeat.multipliedBy(2)) < 0) {
                throw new IllegalArgumentException("landfall.cluster.lease-ms (" + lease.toMillis()
                        + ") must be at least twice landfall.cluster.heartbeat-ms (" + heartbeat.toMillis() + ")");
            }
        }
    }

    private final Supplier<DynamoDbClient> dynamoDb;
    private final Settings settings;
    private final Clock clock;
    private final Supplier<OutageLog> outages;
    private volatile AmazonDynamoDBLockClient locks;
    private volatile DynamoDbClient client;
    private volatile Set<String> members = Set.of();
    private final Map<String, DynamoDbClusterView> views = new java.util.concurrent.ConcurrentHashMap<>();
    private ScheduledExecutorService worker;

    /**
     * @param dynamoDb asked for at start, not before (the client is a lazy bean)
     * @param outages  where a failing DynamoDB call is told, once a while, not once a tick
     */
    public DynamoDbClusterService(Supplier<DynamoDbClient> dynamoDb, Settings settings, Clock clock, Supplier<OutageLog> outages) {
        this.dynamoDb = dynamoDb;
        this.settings = settings;
        this.clock = clock;
        this.outages = outages;
        setId(defaultId());
    }

    /** host-pid-random: unique per process, readable in the lease table. */
    static String defaultId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "host";
        }
        return host + "-" + ManagementFactory.getRuntimeMXBean().getPid() + "-" + UUID.randomUUID().toString().substring(0, 4);
    }

    /** The lease table: hash key {@code key} (the lock library's default name), TTL on the member items. */
    public static dev.landfall.common.StorageSpec.Table tableSpec(String table) {
        return new dev.landfall.common.StorageSpec.Table(table, KEY, null, EXPIRES_AT);
    }

    public Settings settings() {
        return settings;
    }

    AmazonDynamoDBLockClient locks() {
        return locks;
    }

    Set<String> members() {
        return members;
    }

    @Override
    public DynamoDbClusterView getView(String namespace) throws Exception {
        return (DynamoDbClusterView) super.getView(namespace);
    }

    @Override
    protected DynamoDbClusterView createView(String namespace) {
        DynamoDbClusterView view = new DynamoDbClusterView(this, namespace);
        views.put(namespace, view);
        return view;
    }

    @Override
    protected void doStart() throws Exception {
        String id = getId();
        try {
            client = dynamoDb.get();
        } catch (RuntimeException e) {
            // no AWS settings: no route starts either (SharedConfiguration); this member stays out of the cluster
            LOG.error("Cluster member {} cannot reach DynamoDB ({}); it leads nothing", id, e.getMessage());
            super.doStart();
            return;
        }
        locks = new AmazonDynamoDBLockClient(AmazonDynamoDBLockClientOptions.builder(client, settings.table())
                .withPartitionKeyName(KEY)
                .withOwnerName(id)
                .withLeaseDuration(settings.lease().toMillis())
                .withHeartbeatPeriod(settings.heartbeat().toMillis())
                .withTimeUnit(TimeUnit.MILLISECONDS)
                .withCreateHeartbeatBackgroundThread(true) // stopped by close()
                .build());
        members = Set.of(id);
        super.doStart();
        // a stopping replica leaves the membership first, so the others count without it while its routes drain
        getCamelContext().getManagementStrategy().addEventNotifier(new SimpleEventNotifierSupport() {
            @Override
            public boolean isEnabled(CamelEvent event) {
                return event instanceof CamelEvent.CamelContextStoppingEvent;
            }

            @Override
            public void notify(CamelEvent event) {
                leave();
            }
        });
        worker = getCamelContext().getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "cluster-dynamodb");
        worker.scheduleWithFixedDelay(this::tick, 0, settings.acquireInterval().toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("cluster {}: member on DynamoDB table {} (lease {} ms, heartbeat {} ms)", id, settings.table(),
                settings.lease().toMillis(), settings.heartbeat().toMillis());
    }

    private volatile boolean leaving;

    /** No more member heartbeats, and the member item deleted: the others re-balance without this one. */
    void leave() {
        leaving = true;
        if (client != null) {
            try {
                client.deleteItem(b -> b.tableName(settings.table()).key(Map.of(KEY, AttributeValue.fromS(MEMBER_PREFIX + getId()))));
            } catch (RuntimeException e) {
                LOG.debug("Could not remove member item of {}: {}", getId(), e.toString());
            }
        }
    }

    @Override
    protected void doStop() throws Exception {
        if (worker != null) {
            getCamelContext().getExecutorServiceManager().shutdownGraceful(worker, settings.lease().toMillis());
            worker = null;
        }
        // the views give up their locks (deleted: another member takes them at its next try, not after a lease)
        super.doStop();
        AmazonDynamoDBLockClient l = locks;
        if (l != null) {
            l.close(); // releases whatever is still held and stops the heartbeats
        }
        // again: a heartbeat that was on its way when the context began to stop may have written the item back
        leave();
        LOG.info("cluster {}: left (its locks deleted: the other members take them at once)", getId());
    }

    private long lastHeartbeat; // 0: the first tick beats

    /**
     * One pass: the member heartbeat (every heartbeat period) and list, then every view; one INFO line per kind of
     * change (taken, given up, lost) naming its namespaces. A failing DynamoDB call is told by the outage log's SDK
     * interceptor (the client's), once a while, not here.
     */
    void tick() {
        if (locks == null) {
            return;
        }
        try {
            long now = clock.millis();
            // membership changes at heartbeat pace: beat and re-read the members then, not at every try of the locks
            // (the read is a scan of the lease table)
            if (!leaving && now - lastHeartbeat >= settings.heartbeat().toMillis()) {
                heartbeat(now);
                lastHeartbeat = now;
                members = liveMembers(now);
            }
        } catch (RuntimeException e) {
            unlessReported(e);
        }
        Map<DynamoDbClusterView.Change, Set<String>> changes = new java.util.EnumMap<>(DynamoDbClusterView.Change.class);
        int leads = leading().size();
        int cap = share(views.size(), members.size());
        for (DynamoDbClusterView view : views.values()) {
            if (!view.isRunAllowed()) {
                continue;
            }
            try {
                DynamoDbClusterView.Change c = view.tick(leads < cap);
                if (c != DynamoDbClusterView.Change.NONE) {
                    changes.computeIfAbsent(c, k -> new java.util.TreeSet<>()).add(view.getNamespace());
                    leads += c == DynamoDbClusterView.Change.TAKEN ? 1 : -1;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                unlessReported(e);
            }
        }
        changes.forEach((change, namespaces) -> LOG.info("cluster {}: {} {}{}", getId(), switch (change) {
            case TAKEN -> "leads";
            case GIVEN_UP -> "gave up";
            case LOST -> "lost";
            case NONE -> "";
        }, String.join(",", namespaces), switch (change) {
            case GIVEN_UP -> " (rebalanced to another member)";
            case LOST -> " (no heartbeat went through for most of a lease: taken again when DynamoDB answers)";
            default -> "";
        }));
    }

    /**
     * The most namespaces one member may lead: the largest share Camel's rebalancer gives (its even quota plus at
     * most one of the remainder). The rebalancer opens every namespace to a member under its quota; without this cap
     * the first such member would take them all, hold each for {@link DynamoDbClusterView#MIN_HOLD_MS} and only then
     * give the surplus back: a graceful stop's hand-over would take seconds instead of a tick.
     */
    static int share(int namespaces, int members) {
        return members <= 0 ? namespaces : (namespaces + members - 1) / members;
    }

    /** The SDK interceptor told a DynamoDB failure already; anything else (a bug) is told here, once a while. */
    private void unlessReported(RuntimeException e) {
        OutageLog log = outages.get();
        boolean sdk = false;
        for (Throwable t = e; t != null; t = t.getCause()) {
            sdk |= t instanceof software.amazon.awssdk.core.exception.SdkException;
        }
        if (!sdk && !log.reported(e)) {
            log.failed("cluster", "leader election on " + settings.table(), e);
        }
    }

    private void heartbeat(long nowMs) {
        long expires = (nowMs + settings.lease().toMillis() * 10) / 1000;
        client.putItem(b -> b.tableName(settings.table()).item(Map.of(KEY, AttributeValue.fromS(MEMBER_PREFIX + getId()),
                HEARTBEAT, AttributeValue.fromN(Long.toString(nowMs)), EXPIRES_AT, AttributeValue.fromN(Long.toString(expires)))));
    }

    /** The members whose heartbeat is younger than a lease, this one always among them; sorted, immutable. */
    private Set<String> liveMembers(long nowMs) {
        Set<String> live = new java.util.TreeSet<>();
        live.add(getId());
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            ScanResponse r = client.scan(b -> b.tableName(settings.table()).consistentRead(true)
                    .filterExpression("begins_with(#k, :m)")
                    .expressionAttributeNames(Map.of("#k", KEY))
                    .expressionAttributeValues(Map.of(":m", AttributeValue.fromS(MEMBER_PREFIX)))
                    .exclusiveStartKey(from));
            for (Map<String, AttributeValue> item : r.items()) {
                AttributeValue beat = item.get(HEARTBEAT);
                if (beat != null && nowMs - Long.parseLong(beat.n()) <= settings.lease().toMillis()) {
                    live.add(item.get(KEY).s().substring(MEMBER_PREFIX.length()));
                }
            }
            start = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
        } while (start != null);
        return Collections.unmodifiableSet(live);
    }

    /** The namespaces this member leads now (for logs, metrics and tests). */
    public Set<String> leading() {
        Set<String> out = new java.util.TreeSet<>();
        views.values().forEach(v -> {
            if (v.getLocalMember().isLeader()) {
                out.add(v.getNamespace());
            }
        });
        return out;
    }
}
