package dev.landfall.common.access;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * Keys, plans and their counters in one DynamoDB table (hash key {@code pk}, TTL attribute {@code expires_at}), shared by
 * every replica. Items: {@code key#<digest>} (a key's digest, never the key), {@code plan#<name>}, {@code rate#<key id>}
 * (the GCRA state) and {@code quota#<key id>#<window start>} (requests counted in the window). Counters change only
 * with conditional writes, so replicas racing on one key never grant more than the plan allows.
 */
public final class AccessStore {

    /** A stored key: never the key itself, only its digest and what it may do. */
    public record KeyRecord(String digest, String id, String name, Role role, String plan, Instant created, Instant expires,
                            boolean revoked) {

        public boolean usable(Instant now) {
            return !revoked && (expires == null || now.isBefore(expires));
        }
    }

    public enum Role {
        ADMIN, READER;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Role of(String text) {
            for (Role r : values()) {
                if (r.label().equals(text)) {
                    return r;
                }
            }
            throw new IllegalArgumentException("role must be admin or reader: " + text);
        }
    }

    private static final String PK = "pk";
    private static final String TTL = "expires_at";

    private final DynamoDbClient dynamoDb;
    private final String table;

    public AccessStore(DynamoDbClient dynamoDb, String table) {
        this.dynamoDb = dynamoDb;
        this.table = table;
    }

    public String table() {
        return table;
    }

    // --- keys ---

    /** Stores a new key; fails if its digest is already stored (a collision of 256 random bits: never in practice). */
    public void createKey(KeyRecord key) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(PK, s("key#" + key.digest()));
        item.put("id", s(key.id()));
        item.put("name", s(key.name()));
        item.put("role", s(key.role().label()));
        if (key.plan() != null) {
            item.put("plan", s(key.plan()));
        }
        item.put("created", s(key.created().toString()));
        if (key.expires() != null) {
            item.put("expires", s(key.expires().toString()));
        }
        item.put("revoked", AttributeValue.fromBool(key.revoked()));
        dynamoDb.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
    }

    /** The key with this digest, or null. */
    public KeyRecord findKey(String digest) {
        GetItemResponse got = dynamoDb.getItem(b -> b.tableName(table).key(Map.of(PK, s("key#" + digest))).consistentRead(true));
        return got.hasItem() && !got.item().isEmpty() ? key(got.item()) : null;
    }

    public List<KeyRecord> listKeys() {
        List<KeyRecord> keys = new ArrayList<>();
        for (Map<String, AttributeValue> item : scan("key#")) {
            keys.add(key(item));
        }
        keys.sort(java.util.Comparator.comparing(KeyRecord::created).thenComparing(KeyRecord::id));
        return keys;
    }

    /** Revokes the key with this id; false when there is none. */
    public boolean revoke(String id) {
        for (KeyRecord k : listKeys()) {
            if (k.id().equals(id)) {
                dynamoDb.updateItem(b -> b.tableName(table).key(Map.of(PK, s("key#" + k.digest())))
                        .updateExpression("SET revoked = :t").expressionAttributeValues(Map.of(":t", AttributeValue.fromBool(true))));
                return true;
            }
        }
        return false;
    }

    // --- plans ---

    public void putPlan(UsagePlan plan) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(PK, s("plan#" + plan.name()));
        item.put("name", s(plan.name()));
        item.put("rate", AttributeValue.fromN(Double.toString(plan.ratePerSecond())));
        item.put("burst", AttributeValue.fromN(Integer.toString(plan.burst())));
        item.put("quota", AttributeValue.fromN(Long.toString(plan.quota())));
        if (plan.period() != null) {
            item.put("period", s(plan.period().name()));
        }
        item.put("apis", s(String.join(",", new TreeSet<>(plan.apis()))));
        dynamoDb.putItem(b -> b.tableName(table).item(item));
    }

    /** The plan with this name, or null. */
    public UsagePlan findPlan(String name) {
        GetItemResponse got = dynamoDb.getItem(b -> b.tableName(table).key(Map.of(PK, s("plan#" + name))).consistentRead(true));
        return got.hasItem() && !got.item().isEmpty() ? plan(got.item()) : null;
    }

    public List<UsagePlan> listPlans() {
        List<UsagePlan> plans = new ArrayList<>();
        for (Map<String, AttributeValue> item : scan("plan#")) {
            plans.add(plan(item));
        }
        plans.sort(java.util.Comparator.comparing(UsagePlan::name));
        return plans;
    }

    public boolean deletePlan(String name) {
        var deleted = dynamoDb.deleteItem(b -> b.tableName(table).key(Map.of(PK, s("plan#" + name)))
                .returnValues(software.amazon.awssdk.services.dynamodb.model.ReturnValue.ALL_OLD));
        return deleted.hasAttributes() && !deleted.attributes().isEmpty();
    }

    // --- counters ---

    /**
     * Takes up to {@code wanted} tokens from the key's shared bucket (GCRA state {@code rate#<id>}), read and written
     * back under the condition that no other replica wrote it in between; retried on a race.
     */
    public Gcra.Take takeRate(String keyId, long nowMicros, int wanted, long interval, int burst) {
        Map<String, AttributeValue> key = Map.of(PK, s("rate#" + keyId));
        for (int attempt = 0; ; attempt++) {
            GetItemResponse got = dynamoDb.getItem(b -> b.tableName(table).key(key).consistentRead(true));
            Long tat = got.hasItem() && got.item().containsKey("tat") ? Long.valueOf(got.item().get("tat").n()) : null;
            Gcra.Take take = Gcra.take(tat == null ? 0 : tat, nowMicros, wanted, interval, burst);
            if (take.granted() == 0) {
                return take;
            }
            Map<String, AttributeValue> values = new HashMap<>();
            values.put(":new", AttributeValue.fromN(Long.toString(take.tat())));
            // the state is worthless once it is behind now: let DynamoDB drop it a day later
            values.put(":ttl", AttributeValue.fromN(Long.toString(take.tat() / 1_000_000 + 86_400)));
            String condition;
            if (tat == null) {
                condition = "attribute_not_exists(tat)";
            } else {
                condition = "tat = :old";
                values.put(":old", AttributeValue.fromN(Long.toString(tat)));
            }
            try {
                dynamoDb.updateItem(b -> b.tableName(table).key(key).updateExpression("SET tat = :new, " + TTL + " = :ttl")
                        .conditionExpression(condition).expressionAttributeValues(values));
                return take;
            } catch (ConditionalCheckFailedException e) {
                if (attempt >= 20) {
                    throw e;
                }
            }
        }
    }

    /** What {@link #takeQuota} decided: {@code granted} requests (0 to {@code wanted}) and how many the window has used. */
    public record QuotaTake(long granted, long used) {
    }

    /**
     * Counts up to {@code wanted} requests in the key's quota window, never past {@code limit}: an atomic conditional
     * add, and when the whole block does not fit, what is left of it.
     */
    public QuotaTake takeQuota(String keyId, Instant windowStart, Instant windowEnd, long limit, long wanted) {
        Map<String, AttributeValue> key = Map.of(PK, s("quota#" + keyId + "#" + windowStart));
        long ask = wanted;
        while (ask > 0) {
            long n = ask;
            try {
                var updated = dynamoDb.updateItem(b -> b.tableName(table).key(key)
                        .updateExpression("ADD used :n SET " + TTL + " = :ttl")
                        .conditionExpression("attribute_not_exists(used) OR used <= :max")
                        .expressionAttributeValues(Map.of(":n", AttributeValue.fromN(Long.toString(n)),
                                ":max", AttributeValue.fromN(Long.toString(limit - n)),
                                ":ttl", AttributeValue.fromN(Long.toString(windowEnd.getEpochSecond() + 86_400))))
                        .returnValues(software.amazon.awssdk.services.dynamodb.model.ReturnValue.UPDATED_NEW));
                return new QuotaTake(n, Long.parseLong(updated.attributes().get("used").n()));
            } catch (ConditionalCheckFailedException e) {
                GetItemResponse got = dynamoDb.getItem(b -> b.tableName(table).key(key).consistentRead(true));
                long used = got.hasItem() && got.item().containsKey("used") ? Long.parseLong(got.item().get("used").n()) : 0;
                ask = Math.min(ask - 1, limit - used);
                if (ask <= 0) {
                    return new QuotaTake(0, used);
                }
            }
        }
        return new QuotaTake(0, limit);
    }

    private List<Map<String, AttributeValue>> scan(String prefix) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            ScanRequest.Builder req = ScanRequest.builder().tableName(table).consistentRead(true)
                    .filterExpression("begins_with(pk, :p)").expressionAttributeValues(Map.of(":p", s(prefix)));
            if (start != null) {
                req.exclusiveStartKey(start);
            }
            ScanResponse page = dynamoDb.scan(req.build());
            items.addAll(page.items());
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return items;
    }

    private static KeyRecord key(Map<String, AttributeValue> item) {
        String digest = item.get(PK).s().substring("key#".length());
        return new KeyRecord(digest, item.get("id").s(), item.get("name").s(), Role.of(item.get("role").s()),
                item.containsKey("plan") ? item.get("plan").s() : null, Instant.parse(item.get("created").s()),
                item.containsKey("expires") ? Instant.parse(item.get("expires").s()) : null,
                item.containsKey("revoked") && Boolean.TRUE.equals(item.get("revoked").bool()));
    }

    private static UsagePlan plan(Map<String, AttributeValue> item) {
        String apis = item.containsKey("apis") ? item.get("apis").s() : "";
        Set<String> set = new TreeSet<>();
        for (String a : apis.split(",")) {
            if (!a.isBlank()) {
                set.add(a.strip());
            }
        }
        return new UsagePlan(item.get("name").s(), Double.parseDouble(item.get("rate").n()), Integer.parseInt(item.get("burst").n()),
                Long.parseLong(item.get("quota").n()), item.containsKey("period") ? UsagePlan.Period.valueOf(item.get("period").s()) : null, set);
    }

    private static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }
}
