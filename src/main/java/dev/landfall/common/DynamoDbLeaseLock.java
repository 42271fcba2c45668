package dev.landfall.common;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

import static dev.landfall.common.DynamoDbIdempotentRepository.n;
import static dev.landfall.common.DynamoDbIdempotentRepository.s;
import static dev.landfall.common.StateTable.EXPIRES_AT;
import static dev.landfall.common.StateTable.KEY;
import static dev.landfall.common.StateTable.LEASE_UNTIL;
import static dev.landfall.common.StateTable.OWNER;

/** A named mutual-exclusion lease on DynamoDB conditional writes; a holder that dies loses it when the lease runs out. */
public final class DynamoDbLeaseLock {

    private final DynamoDbClient dynamoDb;
    private final String table;
    private final Duration lease;
    private final Clock clock;

    public DynamoDbLeaseLock(DynamoDbClient dynamoDb, String table, Duration lease, Clock clock) {
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.lease = lease;
        this.clock = clock;
    }

    /** A held lease; closing it releases the lock if still ours. */
    public final class Lease implements AutoCloseable {
        private final String name;
        private final String owner;

        private Lease(String name, String owner) {
            this.name = name;
            this.owner = owner;
        }

        @Override
        public void close() {
            try {
                dynamoDb.deleteItem(b -> b.tableName(table).key(Map.of(KEY, s(pk(name))))
                        .conditionExpression("#o = :me")
                        .expressionAttributeNames(Map.of("#o", OWNER))
                        .expressionAttributeValues(Map.of(":me", s(owner))));
            } catch (ConditionalCheckFailedException e) {
                // our lease ran out and someone else holds it now: nothing of ours to release
            }
        }
    }

    /** Waits up to {@code maxWait} for the lock, backing off with jitter between tries. */
    public Lease acquire(String name, Duration maxWait) throws InterruptedException {
        String owner = UUID.randomUUID().toString();
        long deadline = clock.millis() + maxWait.toMillis();
        long backoff = 20;
        while (true) {
            if (tryAcquire(name, owner)) {
                return new Lease(name, owner);
            }
            if (clock.millis() >= deadline) {
                throw new IllegalStateException("lock '" + name + "' still held by another writer after " + maxWait);
            }
            Thread.sleep(backoff + ThreadLocalRandom.current().nextLong(backoff));
            backoff = Math.min(backoff * 2, 1000);
        }
    }

    private boolean tryAcquire(String name, String owner) {
        long nowMs = clock.millis();
        try {
            dynamoDb.putItem(b -> b.tableName(table)
                    .item(Map.of(KEY, s(pk(name)), OWNER, s(owner), LEASE_UNTIL, n(nowMs + lease.toMillis()),
                            EXPIRES_AT, n((nowMs + lease.toMillis()) / 1000 + 3600)))
                    .conditionExpression("attribute_not_exists(#k) OR #l < :now")
                    .expressionAttributeNames(Map.of("#k", KEY, "#l", LEASE_UNTIL))
                    .expressionAttributeValues(Map.of(":now", n(nowMs)))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return true;
        } catch (ConditionalCheckFailedException e) {
            // the SDK may have retried a write that had succeeded: then the lease found is ours
            return e.hasItem() && e.item().get(OWNER) != null && owner.equals(e.item().get(OWNER).s());
        }
    }

    private static String pk(String name) {
        return "lock#" + name;
    }
}
