package dev.landfall.landing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * The latest version of each record (table {@code latest}: {@code uuid} -> {@code upload_date}, {@code change_hash}),
 * read 100 keys per BatchGetItem, moved forward with conditional writes only (a version never replaces a later one,
 * so two replicas landing the same key stay correct), and a record's history from the landing table.
 */
public final class LandingStore {

    static final int GET_PAGE = 100;

    private final DynamoDbClient dynamoDb;
    private final String table;
    private final String latestTable;
    private final ExecutorService executor;
    private final int parallelism;

    public LandingStore(DynamoDbClient dynamoDb, String table, String latestTable, ExecutorService executor, int parallelism) {
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.latestTable = latestTable;
        this.executor = executor;
        this.parallelism = parallelism;
    }

    public String table() {
        return table;
    }

    public String latestTable() {
        return latestTable;
    }

    /** The latest version of a record as stored. */
    public record Latest(String uploadDate, String changeHash) {
    }

    /** The latest versions of these records (missing: never landed), read 100 per call, the calls side by side. */
    public Map<String, Latest> latest(Collection<String> uuids) {
        List<String> all = List.copyOf(new java.util.LinkedHashSet<>(uuids));
        List<CompletableFuture<Map<String, Latest>>> pages = new ArrayList<>();
        for (int i = 0; i < all.size(); i += GET_PAGE) {
            List<String> page = all.subList(i, Math.min(all.size(), i + GET_PAGE));
            pages.add(CompletableFuture.supplyAsync(() -> latestPage(page), executor));
        }
        Map<String, Latest> found = new HashMap<>();
        for (CompletableFuture<Map<String, Latest>> p : pages) {
            found.putAll(join(p));
        }
        return found;
    }

    private Map<String, Latest> latestPage(List<String> page) {
        List<Map<String, AttributeValue>> keys = new ArrayList<>(page.size());
        for (String u : page) {
            keys.add(Map.of(LandingItems.UUID_ATTR, AttributeValue.fromS(u)));
        }
        Map<String, KeysAndAttributes> request = Map.of(latestTable, KeysAndAttributes.builder().keys(keys).consistentRead(true)
                .projectionExpression("#u, #d, #h").expressionAttributeNames(Map.of("#u", LandingItems.UUID_ATTR,
                        "#d", LandingItems.UPLOAD_DATE, "#h", LandingItems.CHANGE_HASH)).build());
        Map<String, Latest> found = new HashMap<>();
        for (int attempt = 0; !request.isEmpty(); attempt++) {
            if (attempt > 0) {
                backoff(attempt);
            }
            Map<String, KeysAndAttributes> sending = request;
            BatchGetItemResponse r = dynamoDb.batchGetItem(b -> b.requestItems(sending));
            for (Map<String, AttributeValue> item : r.responses().getOrDefault(latestTable, List.of())) {
                found.put(item.get(LandingItems.UUID_ATTR).s(), new Latest(item.get(LandingItems.UPLOAD_DATE).s(),
                        item.get(LandingItems.CHANGE_HASH).s()));
            }
            request = r.hasUnprocessedKeys() ? r.unprocessedKeys() : Map.of();
            if (attempt > 10 && !request.isEmpty()) {
                throw new IllegalStateException("DynamoDB left keys of " + latestTable + " unprocessed after " + attempt + " attempts");
            }
        }
        return found;
    }

    /**
     * Moves each record's latest version forward to the one given, unless a later one is there already (another
     * object, another replica); the calls side by side. Returns how many were moved.
     */
    public int advance(Map<String, Latest> versions) {
        AtomicInteger moved = new AtomicInteger();
        List<Map.Entry<String, Latest>> all = new ArrayList<>(versions.entrySet());
        List<CompletableFuture<Void>> calls = new ArrayList<>();
        int per = Math.max(1, (all.size() + parallelism - 1) / parallelism);
        for (int i = 0; i < all.size(); i += per) {
            List<Map.Entry<String, Latest>> slice = all.subList(i, Math.min(all.size(), i + per));
            calls.add(CompletableFuture.runAsync(() -> {
                for (Map.Entry<String, Latest> e : slice) {
                    if (advance(e.getKey(), e.getValue())) {
                        moved.incrementAndGet();
                    }
                }
            }, executor));
        }
        for (CompletableFuture<Void> c : calls) {
            join(c);
        }
        return moved.get();
    }

    boolean advance(String uuid, Latest v) {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put(LandingItems.UUID_ATTR, AttributeValue.fromS(uuid));
        item.put(LandingItems.UPLOAD_DATE, AttributeValue.fromS(v.uploadDate()));
        item.put(LandingItems.CHANGE_HASH, AttributeValue.fromS(v.changeHash()));
        try {
            dynamoDb.putItem(b -> b.tableName(latestTable).item(item)
                    .conditionExpression("attribute_not_exists(#u) OR #d <= :d")
                    .expressionAttributeNames(Map.of("#u", LandingItems.UUID_ATTR, "#d", LandingItems.UPLOAD_DATE))
                    .expressionAttributeValues(Map.of(":d", AttributeValue.fromS(v.uploadDate()))));
            return true;
        } catch (ConditionalCheckFailedException later) {
            return false;
        }
    }

    /** A record's versions, oldest first, at most {@code limit}. */
    public List<Map<String, AttributeValue>> history(String uuid, int limit) {
        List<Map<String, AttributeValue>> out = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse r = dynamoDb.query(b -> b.tableName(table).keyConditionExpression("#u = :u")
                    .expressionAttributeNames(Map.of("#u", LandingItems.UUID_ATTR))
                    .expressionAttributeValues(Map.of(":u", AttributeValue.fromS(uuid)))
                    .limit(Math.min(limit - out.size(), 1000)).exclusiveStartKey(from));
            out.addAll(r.items());
            start = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
        } while (start != null && out.size() < limit);
        return out;
    }

    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : e;
        }
    }

    private static void backoff(int attempt) {
        try {
            Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextLong(Math.min(2000, 25L << Math.min(attempt, 6)) + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while backing off", e);
        }
    }
}
