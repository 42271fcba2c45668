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
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * The latest version of each record (table {@code latest}: {@code uuid} -> {@code upload_date}, {@code change_hash}),
 * read 100 keys per BatchGetItem, moved with compare-and-set conditional writes only (100 to a transaction) (a version never replaces a later one,
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

    /** A record's latest version to move from {@code was} (as read; null: none yet) to {@code now}. */
    public record Advance(Latest was, Latest now) {
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
     * Moves each record's latest version from the one read to the one given, compare-and-set: a conditional put that
     * holds only while the stored latest version is still the one read (none: still none), 100 to a TransactWriteItems
     * call (one call, not 100). A put whose condition failed (another replica moved that record meanwhile) is decided
     * again against the version now stored: a later object's version stays; other content, or the same content of an
     * earlier version, is moved from that one (so the latest is the newest version written). The calls
     * side by side. Returns how many were moved.
     */
    public int advance(Map<String, Advance> versions) {
        AtomicInteger moved = new AtomicInteger();
        List<Map.Entry<String, Advance>> all = new ArrayList<>(versions.entrySet());
        List<CompletableFuture<Void>> calls = new ArrayList<>();
        for (int i = 0; i < all.size(); i += TRANSACTION_ITEMS) {
            List<Map.Entry<String, Advance>> slice = all.subList(i, Math.min(all.size(), i + TRANSACTION_ITEMS));
            calls.add(CompletableFuture.runAsync(() -> moved.addAndGet(advanceAll(slice)), executor));
        }
        for (CompletableFuture<Void> c : calls) {
            join(c);
        }
        return moved.get();
    }

    static final int TRANSACTION_ITEMS = 100;

    private int advanceAll(List<Map.Entry<String, Advance>> slice) {
        List<Map.Entry<String, Advance>> pending = new ArrayList<>(slice);
        int moved = 0;
        for (int attempt = 0; ; attempt++) {
            if (pending.isEmpty()) {
                return moved;
            }
            List<TransactWriteItem> puts = new ArrayList<>(pending.size());
            for (Map.Entry<String, Advance> e : pending) {
                puts.add(TransactWriteItem.builder().put(put(e.getKey(), e.getValue())).build());
            }
            try {
                dynamoDb.transactWriteItems(b -> b.transactItems(puts));
                return moved + pending.size();
            } catch (TransactionCanceledException e) {
                List<CancellationReason> reasons = e.hasCancellationReasons() ? e.cancellationReasons() : List.of();
                List<Map.Entry<String, Advance>> again = new ArrayList<>();
                List<String> moot = new ArrayList<>();
                boolean onlyConditions = !reasons.isEmpty();
                for (int i = 0; i < pending.size(); i++) {
                    String code = i < reasons.size() ? reasons.get(i).code() : null;
                    if ("ConditionalCheckFailed".equals(code)) {
                        moot.add(pending.get(i).getKey());
                    } else {
                        again.add(pending.get(i));
                        if (code != null && !"None".equals(code)) {
                            onlyConditions = false;
                        }
                    }
                }
                if (!moot.isEmpty()) {
                    // moved by someone else since it was read: decide again against what is there now
                    Map<String, Latest> now = latestPage(moot);
                    Map<String, Advance> wanted = new HashMap<>();
                    pending.forEach(p -> wanted.put(p.getKey(), p.getValue()));
                    for (String uuid : moot) {
                        Latest stored = now.get(uuid);
                        Advance a = wanted.get(uuid);
                        if (stored != null && LandingItems.uploadTime(stored.uploadDate()).compareTo(LandingItems.uploadTime(a.now().uploadDate())) > 0) {
                            continue; // a version of a later object is there now: it stays the latest
                        }
                        // other content: moved from it; the same content of an earlier version (its twin, written by a
                        // replica that read the same older latest): moved too, so the latest is the newest version written
                        if (stored == null || !stored.changeHash().equals(a.now().changeHash())
                                || stored.uploadDate().compareTo(a.now().uploadDate()) < 0) {
                            again.add(Map.entry(uuid, new Advance(stored, a.now())));
                        }
                    }
                }
                if (!onlyConditions) {
                    // a conflict with another transaction on one of the items, or throttling: the same again, later
                    if (attempt >= 10) {
                        throw e;
                    }
                    backoff(attempt + 1);
                }
                pending = again;
            }
        }
    }

    private Put put(String uuid, Advance a) {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put(LandingItems.UUID_ATTR, AttributeValue.fromS(uuid));
        item.put(LandingItems.UPLOAD_DATE, AttributeValue.fromS(a.now().uploadDate()));
        item.put(LandingItems.CHANGE_HASH, AttributeValue.fromS(a.now().changeHash()));
        Put.Builder p = Put.builder().tableName(latestTable).item(item);
        if (a.was() == null) {
            return p.conditionExpression("attribute_not_exists(#u)").expressionAttributeNames(Map.of("#u", LandingItems.UUID_ATTR)).build();
        }
        return p.conditionExpression("#d = :d AND #h = :h")
                .expressionAttributeNames(Map.of("#d", LandingItems.UPLOAD_DATE, "#h", LandingItems.CHANGE_HASH))
                .expressionAttributeValues(Map.of(":d", AttributeValue.fromS(a.was().uploadDate()), ":h", AttributeValue.fromS(a.was().changeHash())))
                .build();
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
