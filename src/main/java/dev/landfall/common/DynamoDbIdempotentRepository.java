package dev.landfall.common;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.apache.camel.api.management.ManagedResource;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

import static dev.landfall.common.StateTable.EXPIRES_AT;
import static dev.landfall.common.StateTable.KEY;
import static dev.landfall.common.StateTable.LEASE_UNTIL;
import static dev.landfall.common.StateTable.OWNER;
import static dev.landfall.common.StateTable.STATE;

/**
 * Idempotent repository on DynamoDB conditional writes, shared by replicas and restarts.
 * <p>
 * {@code add} claims a key as IN_PROGRESS under a lease (so a crash never blocks it forever), {@code confirm}
 * marks it COMPLETED, {@code remove} releases a failed claim. Every item carries a TTL; an expired item is
 * treated as absent because DynamoDB deletes expired items lazily (DynamoDB Local never does).
 * With {@code completeOnAdd} (for consumers that only call {@code add} after success, like the file
 * consumers) {@code add} writes COMPLETED directly.
 */
@ManagedResource(description = "DynamoDB idempotent repository")
public class DynamoDbIdempotentRepository extends ServiceSupport implements IdempotentRepository {

    public static final String IN_PROGRESS = "IN_PROGRESS";
    public static final String COMPLETED = "COMPLETED";

    private final DynamoDbClient dynamoDb;
    private final String table;
    private final String namespace;
    private final Duration lease;
    private final Duration ttl;
    private final boolean completeOnAdd;
    private final Clock clock;
    private final String instance = UUID.randomUUID().toString();
    private final java.util.concurrent.atomic.AtomicLong claims = new java.util.concurrent.atomic.AtomicLong();
    // the token of each claim this process holds, so remove() releases only its own claim
    private final java.util.Map<String, String> held = new java.util.concurrent.ConcurrentHashMap<>();

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
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(KEY, s(pk(key)));
        item.put(STATE, s(completeOnAdd ? COMPLETED : IN_PROGRESS));
        item.put(OWNER, s(token));
        item.put(LEASE_UNTIL, n(nowMs + lease.toMillis()));
        item.put(EXPIRES_AT, n(nowMs / 1000 + ttl.toSeconds()));
        try {
            dynamoDb.putItem(b -> b.tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(#k) OR #e < :nowS OR (#s = :inProgress AND #l < :nowMs)")
                    .expressionAttributeNames(Map.of("#k", KEY, "#e", EXPIRES_AT, "#s", STATE, "#l", LEASE_UNTIL))
                    .expressionAttributeValues(Map.of(":nowS", n(nowMs / 1000), ":nowMs", n(nowMs),
                            ":inProgress", s(IN_PROGRESS)))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
        } catch (ConditionalCheckFailedException e) {
            // the SDK may have retried a write that had succeeded: then the item found is our own claim
            if (!e.hasItem() || !token.equals(e.item().get(OWNER) == null ? null : e.item().get(OWNER).s())) {
                return false;
            }
        }
        if (!completeOnAdd) {
            held.put(key, token);
        }
        return true;
    }

    @Override
    public boolean contains(String key) {
        return state(key) != null;
    }

    /** The live state of a key (IN_PROGRESS under a valid lease, or COMPLETED and not expired), else null. */
    public String state(String key) {
        GetItemResponse r = dynamoDb.getItem(b -> b.tableName(table).key(Map.of(KEY, s(pk(key)))).consistentRead(true));
        if (!r.hasItem() || r.item().isEmpty()) {
            return null;
        }
        long nowMs = clock.millis();
        Map<String, AttributeValue> item = r.item();
        if (Long.parseLong(item.get(EXPIRES_AT).n()) < nowMs / 1000) {
            return null;
        }
        String state = item.get(STATE).s();
        if (IN_PROGRESS.equals(state) && Long.parseLong(item.get(LEASE_UNTIL).n()) < nowMs) {
            return null;
        }
        return state;
    }

    @Override
    public boolean confirm(String key) {
        held.remove(key);
        long nowS = clock.millis() / 1000;
        dynamoDb.updateItem(b -> b.tableName(table).key(Map.of(KEY, s(pk(key))))
                .updateExpression("SET #s = :completed, #e = :expires REMOVE #l")
                .expressionAttributeNames(Map.of("#s", STATE, "#e", EXPIRES_AT, "#l", LEASE_UNTIL))
                .expressionAttributeValues(Map.of(":completed", s(COMPLETED), ":expires", n(nowS + ttl.toSeconds()))));
        return true;
    }

    @Override
    public boolean remove(String key) {
        String token = held.remove(key);
        if (token == null) {
            return false;
        }
        try {
            // only our own unfinished claim: never drop a key another replica completed
            dynamoDb.deleteItem(b -> b.tableName(table).key(Map.of(KEY, s(pk(key))))
                    .conditionExpression("#s = :inProgress AND #o = :me")
                    .expressionAttributeNames(Map.of("#s", STATE, "#o", OWNER))
                    .expressionAttributeValues(Map.of(":inProgress", s(IN_PROGRESS), ":me", s(token))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public void clear() {
        throw new UnsupportedOperationException("clear is not supported on a shared DynamoDB repository");
    }

    private String pk(String key) {
        return namespace + "#" + key;
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
    }
}
