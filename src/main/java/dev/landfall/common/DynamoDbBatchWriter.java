package dev.landfall.common;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Writes items with BatchWriteItem: 25 per call, never the same key twice in one call, UnprocessedItems and
 * throttling retried with exponential backoff and full jitter, at most {@code parallelism} calls in flight.
 * <p>
 * Callers {@link #submit} batches while they keep reading and {@link Batches#await} at the end; a write is
 * acknowledged only when DynamoDB accepted every item of it.
 */
public final class DynamoDbBatchWriter implements AutoCloseable {

    public static final int MAX_ITEMS_PER_CALL = 25;

    private final DynamoDbClient dynamoDb;
    private final int maxAttempts;
    private final long baseBackoffMs;
    private final long maxBackoffMs;
    private final Semaphore inFlight;
    private final ExecutorService executor;
    private final PipelineMetrics metrics;
    private final LongAdder items = new LongAdder();
    private final LongAdder calls = new LongAdder();
    private final LongAdder retries = new LongAdder();

    public DynamoDbBatchWriter(DynamoDbClient dynamoDb, int parallelism, int maxAttempts, long baseBackoffMs,
                               long maxBackoffMs, PipelineMetrics metrics) {
        this.dynamoDb = dynamoDb;
        this.maxAttempts = maxAttempts;
        this.baseBackoffMs = baseBackoffMs;
        this.maxBackoffMs = maxBackoffMs;
        this.inFlight = new Semaphore(parallelism);
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(parallelism, r -> {
            Thread t = new Thread(r, "ddb-batch-writer-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.metrics = metrics;
    }

    /** The writes of one unit of work (a file, an object) to await together. */
    public final class Batches {
        private final List<CompletableFuture<Void>> pending = new ArrayList<>();

        /** Queues the items (any number) for {@code table}; blocks while {@code parallelism} calls are in flight. */
        public void submit(String table, List<String> keyAttributes, List<Map<String, AttributeValue>> batch)
                throws InterruptedException {
            for (List<Map<String, AttributeValue>> call : chunk(keyAttributes, batch)) {
                inFlight.acquire();
                pending.add(CompletableFuture.runAsync(() -> {
                    try {
                        writeCall(table, call);
                    } finally {
                        inFlight.release();
                    }
                }, executor));
            }
        }

        /** Waits until every submitted item is written; throws the first failure. */
        public void await() {
            try {
                CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : e;
            }
        }
    }

    public Batches batches() {
        return new Batches();
    }

    /** Writes the items and waits for all of them. */
    public void write(String table, List<String> keyAttributes, List<Map<String, AttributeValue>> batch)
            throws InterruptedException {
        Batches b = batches();
        b.submit(table, keyAttributes, batch);
        b.await();
    }

    /** For the dynamodb-batch-sink template: the key attributes comma-separated. */
    public void writeAll(String table, String keyAttributes, List<Map<String, AttributeValue>> batch) throws InterruptedException {
        write(table, java.util.Arrays.stream(keyAttributes.split(",")).map(String::trim).filter(k -> !k.isEmpty()).toList(), batch);
    }

    /** Splits into calls of at most 25 items; a key seen again replaces the earlier item (the same record re-sent). */
    static List<List<Map<String, AttributeValue>>> chunk(List<String> keyAttributes, List<Map<String, AttributeValue>> batch) {
        Map<List<AttributeValue>, Map<String, AttributeValue>> byKey = new LinkedHashMap<>(batch.size() * 2);
        for (Map<String, AttributeValue> item : batch) {
            List<AttributeValue> key = new ArrayList<>(keyAttributes.size());
            for (String k : keyAttributes) {
                key.add(item.get(k));
            }
            byKey.put(key, item);
        }
        List<List<Map<String, AttributeValue>>> calls = new ArrayList<>();
        List<Map<String, AttributeValue>> current = new ArrayList<>(MAX_ITEMS_PER_CALL);
        for (Map<String, AttributeValue> item : byKey.values()) {
            current.add(item);
            if (current.size() == MAX_ITEMS_PER_CALL) {
                calls.add(current);
                current = new ArrayList<>(MAX_ITEMS_PER_CALL);
            }
        }
        if (!current.isEmpty()) {
            calls.add(current);
        }
        return calls;
    }

    private void writeCall(String table, List<Map<String, AttributeValue>> call) {
        List<WriteRequest> requests = new ArrayList<>(call.size());
        for (Map<String, AttributeValue> item : call) {
            requests.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
        }
        Map<String, List<WriteRequest>> remaining = Map.of(table, requests);
        for (int attempt = 1; ; attempt++) {
            try {
                calls.increment();
                count("landfall.ddb.batch.calls", "BatchWriteItem calls sent to DynamoDB, retries included", 1);
                Map<String, List<WriteRequest>> sending = remaining;
                BatchWriteItemResponse r = dynamoDb.batchWriteItem(b -> b.requestItems(sending));
                int unprocessed = r.hasUnprocessedItems() ? r.unprocessedItems().values().stream().mapToInt(List::size).sum() : 0;
                int written = sending.values().stream().mapToInt(List::size).sum() - unprocessed;
                items.add(written);
                count("landfall.ddb.batch.items", "Items DynamoDB stored through BatchWriteItem", written);
                if (unprocessed == 0) {
                    return;
                }
                remaining = r.unprocessedItems();
                count("landfall.ddb.batch.unprocessed", "Items DynamoDB handed back unprocessed (sent again with backoff)", unprocessed);
            } catch (DynamoDbException e) {
                if (!retryable(e) || attempt >= maxAttempts) {
                    throw e;
                }
            } catch (SdkException e) {
                if (!e.retryable() || attempt >= maxAttempts) {
                    throw e;
                }
            }
            if (attempt >= maxAttempts) {
                throw new IllegalStateException("DynamoDB left items of " + table + " unprocessed after " + attempt + " attempts");
            }
            retries.increment();
            count("landfall.ddb.batch.retries", "BatchWriteItem calls sent again after throttling or a server error", 1);
            backoff(attempt);
        }
    }

    private static boolean retryable(DynamoDbException e) {
        String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
        return e.isThrottlingException() || e.statusCode() >= 500
                || "ProvisionedThroughputExceededException".equals(code) || "ThrottlingException".equals(code)
                || "RequestLimitExceeded".equals(code);
    }

    private void backoff(int attempt) {
        long cap = Math.min(maxBackoffMs, baseBackoffMs << Math.min(attempt - 1, 20));
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(cap + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while backing off", e);
        }
    }

    private void count(String name, String description, long n) {
        metrics.increment(name, description, n);
    }

    public long itemsWritten() {
        return items.sum();
    }

    public long callsMade() {
        return calls.sum();
    }

    public long retriesMade() {
        return retries.sum();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
