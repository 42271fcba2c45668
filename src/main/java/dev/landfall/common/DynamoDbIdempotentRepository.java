package dev.landfall.common;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.camel.api.management.ManagedResource;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

import static dev.landfall.common.StateTable.ATTEMPTS;
import static dev.landfall.common.StateTable.EXPIRES_AT;
import static dev.landfall.common.StateTable.KEY;
import static dev.landfall.common.StateTable.LEASE_UNTIL;
import static dev.landfall.common.StateTable.OUTCOME;
import static dev.landfall.common.StateTable.OWNER;
import static dev.landfall.common.StateTable.STATE;
import static dev.landfall.common.StateTable.VALUE;

/**
 * Idempotent repository on DynamoDB conditional writes, shared by replicas and restarts.
 * <p>
 * {@code add} claims a key as IN_PROGRESS under a short lease that a heartbeat renews while the work runs (so a
 * crashed holder's claim frees within one lease, and long work keeps its claim); {@code confirm} marks it
 * COMPLETED; {@code remove} records a failed attempt (state FAILED, {@code attempts} + 1), which anyone may claim
 * again at once. A release that fails because DynamoDB is down is retried by the heartbeat as soon as it answers.
 * Every item carries a TTL; an expired item is treated as absent because DynamoDB deletes expired items lazily
 * (DynamoDB Local never does). With {@code completeOnAdd} (for consumers that only call {@code add} after success,
 * like the file consumers) {@code add} writes COMPLETED directly.
 */
@ManagedResource(description = "DynamoDB idempotent repository")
public class DynamoDbIdempotentRepository extends ServiceSupport implements IdempotentRepository {

    private static final Logger LOG = LoggerFactory.getLogger(DynamoDbIdempotentRepository.class);

    public static final String IN_PROGRESS = "IN_PROGRESS";
    public static final String COMPLETED = "COMPLETED";
    public static final String FAILED = "FAILED";

    private final DynamoDbClient dynamoDb;
    private final String table;
    private final String namespace;
    private final Duration lease;
    private final Duration ttl;
    private final boolean completeOnAdd;
    private final Clock clock;
    private final String instance = UUID.randomUUID().toString();
    private final AtomicLong claims = new AtomicLong();
    // the token of each claim this process holds, so remove() releases only its own claim and the heartbeat renews it
    private final Map<String, String> held = new ConcurrentHashMap<>();
    // failed claims whose release did not reach DynamoDB yet: key -> token
    private final Map<String, String> unreleased = new ConcurrentHashMap<>();
    private volatile ScheduledExecutorService heartbeat;

    public DynamoDbIdempotentRepository(DynamoDbClient dynamoDb, String table, String namespace,
                                        Duration lease, Duration ttl, boolean completeOnAdd, Clock clock) {
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.namespace = namespace;
        this.lease = lease;
        this.ttl = ttl;
        this.completeOnAdd = completeOnAdd;
        this.clock = clock;
    }

    @Override
    public boolean add(String key) {
        long nowMs = clock.millis();
        String token = instance + ":" + claims.incrementAndGet();
        try {
            // an update, not a put: the attempts of earlier failed claims stay on the item
            dynamoDb.updateItem(b -> b.tableName(table).key(key(key))
                    .updateExpression("SET #s = :state, #o = :token, #l = :lease, #e = :expires")
                    .conditionExpression("attribute_not_exists(#k) OR #e < :nowS OR #s = :failed OR (#s = :inProgress AND #l < :nowMs)")
                    .expressionAttributeNames(Map.of("#k", KEY, "#e", EXPIRES_AT, "#s", STATE, "#l", LEASE_UNTIL, "#o", OWNER))
                    .expressionAttributeValues(Map.of(":state", s(completeOnAdd ? COMPLETED : IN_PROGRESS), ":token", s(token),
                            ":lease", n(nowMs + lease.toMillis()), ":expires", n(nowMs / 1000 + ttl.toSeconds()),
                            ":nowS", n(nowMs / 1000), ":nowMs", n(nowMs), ":inProgress", s(IN_PROGRESS), ":failed", s(FAILED)))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
        } catch (ConditionalCheckFailedException e) {
            // the SDK may have retried a write that had succeeded: then the item found is our own claim
            if (!e.hasItem() || !token.equals(e.item().get(OWNER) == null ? null : e.item().get(OWNER).s())) {
                return false;
            }
        }
        if (!completeOnAdd) {
            held.put(key, token);
            startHeartbeat();
        }
        return true;
    }

    @Override
    public boolean contains(String key) {
        return state(key) != null;
    }

    /** The live state of a key (IN_PROGRESS under a valid lease, or COMPLETED and not expired), else null (free to claim). */
    public String state(String key) {
        Map<String, AttributeValue> item = item(key);
        if (item == null) {
            return null;
        }
        long nowMs = clock.millis();
        if (Long.parseLong(item.get(EXPIRES_AT).n()) < nowMs / 1000) {
            return null;
        }
        String state = item.get(STATE).s();
        if (FAILED.equals(state) || IN_PROGRESS.equals(state) && Long.parseLong(item.get(LEASE_UNTIL).n()) < nowMs) {
            return null;
        }
        return state;
    }

    /** The stored item of a key (consistent read), or null. */
    public Map<String, AttributeValue> item(String key) {
        GetItemResponse r = dynamoDb.getItem(b -> b.tableName(table).key(key(key)).consistentRead(true));
        return r.hasItem() && !r.item().isEmpty() ? r.item() : null;
    }

    /** The value stored with a completed key (see {@link #complete}), or null. */
    public String value(String key) {
        Map<String, AttributeValue> item = item(key);
        return item == null || item.get(VALUE) == null ? null : item.get(VALUE).s();
    }

    @Override
    public boolean confirm(String key) {
        complete(key, null, null);
        return true;
    }

    /**
     * Marks a key COMPLETED, with an outcome other than success (e.g. QUARANTINED) and/or a value to keep with it;
     * a plain confirm clears the attempts and outcome of earlier failures.
     */
    public void complete(String key, String outcome, String value) {
        held.remove(key);
        long nowS = clock.millis() / 1000;
        Map<String, String> names = new HashMap<>(Map.of("#s", STATE, "#e", EXPIRES_AT, "#l", LEASE_UNTIL, "#o", OUTCOME));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":completed", s(COMPLETED), ":expires", n(nowS + ttl.toSeconds())));
        StringBuilder set = new StringBuilder("SET #s = :completed, #e = :expires");
        StringBuilder remove = new StringBuilder(" REMOVE #l");
        if (outcome != null) {
            set.append(", #o = :outcome");
            values.put(":outcome", s(outcome));
        } else {
            remove.append(", #o, #a");
            names.put("#a", ATTEMPTS);
        }
        if (value != null) {
            set.append(", #v = :value");
            names.put("#v", VALUE);
            values.put(":value", s(value));
        }
        String expression = set.append(remove).toString();
        dynamoDb.updateItem(b -> b.tableName(table).key(key(key)).updateExpression(expression)
                .expressionAttributeNames(names).expressionAttributeValues(values));
    }

    /** Records a failed attempt of our own claim: FAILED, free to claim again; false if the claim was not ours. */
    @Override
    public boolean remove(String key) {
        return fail(key) >= 0;
    }

    /**
     * Records a failed attempt of our own claim and returns the attempts so far, or -1 if the claim was not ours
     * (or was already released). When DynamoDB cannot be reached the release is kept and retried by the heartbeat.
     */
    public long fail(String key) {
        return fail(key, true);
    }

    /** As {@link #fail(String)}; with {@code countAttempt} false the claim is released without counting an attempt. */
    public long fail(String key, boolean countAttempt) {
        String token = held.remove(key);
        if (token == null) {
            return -1;
        }
        try {
            return release(key, token, countAttempt ? 1 : 0);
        } catch (ConditionalCheckFailedException e) {
            return -1;
        } catch (RuntimeException e) {
            unreleased.put(key, token);
            throw e;
        }
    }

    private long release(String key, String token, long count) {
        // only our own unfinished claim: never touch a key another replica took over or completed; the owner becomes
        // "released:<token>", so an SDK retry of a release that had succeeded recognises its own work
        String released = "released:" + token;
        try {
            var r = dynamoDb.updateItem(b -> b.tableName(table).key(key(key))
                    .updateExpression("SET #s = :failed, #o = :released, #a = if_not_exists(#a, :zero) + :one REMOVE #l")
                    .conditionExpression("#s = :inProgress AND #o = :me")
                    .expressionAttributeNames(Map.of("#s", STATE, "#o", OWNER, "#a", ATTEMPTS, "#l", LEASE_UNTIL))
                    .expressionAttributeValues(Map.of(":inProgress", s(IN_PROGRESS), ":me", s(token), ":failed", s(FAILED),
                            ":released", s(released), ":zero", n(0), ":one", n(count)))
                    .returnValues(ReturnValue.UPDATED_NEW)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return Long.parseLong(r.attributes().get(ATTEMPTS).n());
        } catch (ConditionalCheckFailedException e) {
            if (e.hasItem() && e.item().get(OWNER) != null && released.equals(e.item().get(OWNER).s())) {
                return Long.parseLong(e.item().get(ATTEMPTS).n());
            }
            throw e;
        }
    }

    /** Renews the lease of every claim this process holds (the heartbeat calls it every third of a lease). */
    void renewLeases() {
        long until = clock.millis() + lease.toMillis();
        held.forEach((key, token) -> {
            try {
                dynamoDb.updateItem(b -> b.tableName(table).key(key(key))
                        .updateExpression("SET #l = :until")
                        .conditionExpression("#s = :inProgress AND #o = :me")
                        .expressionAttributeNames(Map.of("#s", STATE, "#o", OWNER, "#l", LEASE_UNTIL))
                        .expressionAttributeValues(Map.of(":inProgress", s(IN_PROGRESS), ":me", s(token), ":until", n(until))));
            } catch (ConditionalCheckFailedException e) {
                held.remove(key, token);
                LOG.warn("Claim {} of {} was taken over by another replica while its work ran", key, namespace);
            }
        });
    }

    /** Releases the failed claims that could not be released while DynamoDB was unreachable. */
    void retryReleases() {
        for (var e : unreleased.entrySet()) {
            try {
                release(e.getKey(), e.getValue(), 1);
            } catch (ConditionalCheckFailedException taken) {
                // taken over or expired meanwhile: nothing left to release
            } catch (RuntimeException stillDown) {
                return;
            }
            unreleased.remove(e.getKey(), e.getValue());
        }
    }

    /** Keys of claims held by this process right now. */
    public int heldClaims() {
        return held.size();
    }

    private void startHeartbeat() {
        if (heartbeat != null) {
            return;
        }
        synchronized (this) {
            if (heartbeat == null) {
                ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "claims-heartbeat-" + namespace);
                    t.setDaemon(true);
                    return t;
                });
                long every = Math.max(100, lease.toMillis() / 3);
                s.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.MILLISECONDS);
                heartbeat = s;
            }
        }
    }

    private void beat() {
        try {
            renewLeases();
            retryReleases();
        } catch (RuntimeException e) {
            // DynamoDB is down: the outage is reported by the storage health check; the next beat tries again
            LOG.debug("Claim heartbeat of {} failed: {}", namespace, e.toString());
        }
    }

    @Override
    public void clear() {
        throw new UnsupportedOperationException("clear is not supported on a shared DynamoDB repository");
    }

    private Map<String, AttributeValue> key(String key) {
        return Map.of(KEY, s(namespace + "#" + key));
    }

    static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    static AttributeValue n(long v) {
        return AttributeValue.fromN(Long.toString(v));
    }

    @Override
    protected void doStart() {
    }

    @Override
    protected void doStop() {
        ScheduledExecutorService s = heartbeat;
        if (s != null) {
            s.shutdownNow();
        }
    }
}
