package dev.landfall.directory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.landfall.common.StateTable;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;

/**
 * Where a directory source's generations live, in the shared state table: the pointer {@code directory#<source>}
 * (the current generation, its manifest, the CSV it came from, the manifest before it and whether the documents that
 * generation dropped have their TTL yet) and the manifests' gzipped chunks {@code directory#<source>#manifest#<id>#<n>}.
 * The switch to a new generation is one conditional write of the pointer: readers see the old generation or the new
 * one, never a mix.
 */
public final class DirectoryStore {

    static final int CHUNK_BYTES = 300_000;

    /** The current generation of a source. */
    public record Pointer(long generation, String manifestId, int chunks, long modifiedMillis, String eTag, String object,
                          String previousId, int previousChunks, boolean cleaned) {
    }

    private final DynamoDbClient dynamoDb;
    private final String stateTable;
    private final Clock clock;
    private final Duration staleTtl;

    private final java.util.concurrent.Executor updates;
    private final int parallelism;

    /**
     * @param updates     runs the TTL updates of a switch, {@code parallelism} at a time (one UpdateItem per version)
     */
    public DirectoryStore(DynamoDbClient dynamoDb, String stateTable, Clock clock, Duration staleTtl,
                          java.util.concurrent.Executor updates, int parallelism) {
        this.dynamoDb = dynamoDb;
        this.stateTable = stateTable;
        this.clock = clock;
        this.staleTtl = staleTtl;
        this.updates = updates;
        this.parallelism = Math.max(1, parallelism);
    }

    static String pointerKey(String source) {
        return "directory#" + source;
    }

    static String chunkKey(String source, String manifestId, int n) {
        return "directory#" + source + "#manifest#" + manifestId + "#" + n;
    }

    /** The current pointer, or null before the first load. */
    public Pointer pointer(String source) {
        GetItemResponse r = dynamoDb.getItem(b -> b.tableName(stateTable).consistentRead(true)
                .key(Map.of(StateTable.KEY, AttributeValue.fromS(pointerKey(source)))));
        if (!r.hasItem() || r.item().isEmpty()) {
            return null;
        }
        Map<String, AttributeValue> i = r.item();
        return new Pointer(Long.parseLong(i.get("generation").n()), i.get("manifest").s(), Integer.parseInt(i.get("chunks").n()),
                Long.parseLong(i.get("modified").n()), i.get("etag").s(), i.get("object").s(),
                i.containsKey("previous") ? i.get("previous").s() : null,
                i.containsKey("previous_chunks") ? Integer.parseInt(i.get("previous_chunks").n()) : 0,
                i.containsKey("cleaned") && Boolean.TRUE.equals(i.get("cleaned").bool()));
    }

    public DirectoryManifest manifest(String source, Pointer p) {
        return p == null ? DirectoryManifest.EMPTY : manifest(source, p.manifestId(), p.chunks());
    }

    DirectoryManifest manifest(String source, String id, int chunks) {
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        for (int n = 0; n < chunks; n++) {
            keys.add(Map.of(StateTable.KEY, AttributeValue.fromS(chunkKey(source, id, n))));
        }
        Map<String, byte[]> got = new HashMap<>();
        Map<String, KeysAndAttributes> ask = Map.of(stateTable, KeysAndAttributes.builder().keys(keys).consistentRead(true).build());
        while (!ask.isEmpty()) {
            Map<String, KeysAndAttributes> asking = ask;
            var r = dynamoDb.batchGetItem(b -> b.requestItems(asking));
            for (Map<String, AttributeValue> item : r.responses().getOrDefault(stateTable, List.of())) {
                got.put(item.get(StateTable.KEY).s(), item.get(StateTable.VALUE).b().asByteArray());
            }
            ask = r.hasUnprocessedKeys() ? r.unprocessedKeys() : Map.of();
        }
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (int n = 0; n < chunks; n++) {
            byte[] b = got.get(chunkKey(source, id, n));
            if (b == null) {
                throw new IllegalStateException("manifest chunk " + chunkKey(source, id, n) + " is missing");
            }
            all.writeBytes(b);
        }
        return DirectoryManifest.decode(all.toByteArray());
    }

    /** Writes a manifest's chunks (before the pointer names them); returns how many. */
    public int writeManifest(String source, String id, DirectoryManifest manifest) {
        byte[] bytes = manifest.encode();
        int chunks = Math.max(1, (bytes.length + CHUNK_BYTES - 1) / CHUNK_BYTES);
        for (int n = 0; n < chunks; n++) {
            byte[] part = java.util.Arrays.copyOfRange(bytes, n * CHUNK_BYTES, Math.min(bytes.length, (n + 1) * CHUNK_BYTES));
            String k = chunkKey(source, id, n);
            dynamoDb.putItem(b -> b.tableName(stateTable).item(Map.of(StateTable.KEY, AttributeValue.fromS(k),
                    StateTable.VALUE, AttributeValue.fromB(SdkBytes.fromByteArray(part)))));
        }
        return chunks;
    }

    /**
     * Makes {@code next} the current generation if the current one is still {@code basedOn} (null: none yet).
     *
     * @return false if another load switched first
     */
    public boolean switchTo(String source, Pointer basedOn, Pointer next) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(StateTable.KEY, AttributeValue.fromS(pointerKey(source)));
        item.put("generation", AttributeValue.fromN(Long.toString(next.generation())));
        item.put("manifest", AttributeValue.fromS(next.manifestId()));
        item.put("chunks", AttributeValue.fromN(Integer.toString(next.chunks())));
        item.put("modified", AttributeValue.fromN(Long.toString(next.modifiedMillis())));
        item.put("etag", AttributeValue.fromS(next.eTag()));
        item.put("object", AttributeValue.fromS(next.object()));
        item.put("cleaned", AttributeValue.fromBool(basedOn == null));
        item.put("updated_at", AttributeValue.fromS(clock.instant().toString()));
        if (basedOn != null) {
            item.put("previous", AttributeValue.fromS(basedOn.manifestId()));
            item.put("previous_chunks", AttributeValue.fromN(Integer.toString(basedOn.chunks())));
        }
        try {
            if (basedOn == null) {
                dynamoDb.putItem(b -> b.tableName(stateTable).item(item).conditionExpression("attribute_not_exists(#k)")
                        .expressionAttributeNames(Map.of("#k", StateTable.KEY)));
            } else {
                dynamoDb.putItem(b -> b.tableName(stateTable).item(item).conditionExpression("#m = :m")
                        .expressionAttributeNames(Map.of("#m", "manifest"))
                        .expressionAttributeValues(Map.of(":m", AttributeValue.fromS(basedOn.manifestId()))));
            }
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /**
     * A newer drop whose documents are those of the current generation: the generation stays, but it now stands for
     * this drop, so that a drop older than this one, arriving later, is still recognised as older.
     */
    public void restamp(String source, Pointer current, long modifiedMillis, String eTag, String object) {
        try {
            dynamoDb.updateItem(b -> b.tableName(stateTable).key(Map.of(StateTable.KEY, AttributeValue.fromS(pointerKey(source))))
                    .updateExpression("SET modified = :m, etag = :e, #o = :o")
                    .conditionExpression("manifest = :id AND modified < :m")
                    .expressionAttributeNames(Map.of("#o", "object"))
                    .expressionAttributeValues(Map.of(":m", AttributeValue.fromN(Long.toString(modifiedMillis)),
                            ":e", AttributeValue.fromS(eTag), ":o", AttributeValue.fromS(object),
                            ":id", AttributeValue.fromS(current.manifestId()))));
        } catch (ConditionalCheckFailedException e) {
            // a newer generation or drop got there first
        }
    }

    /**
     * After a switch: the document versions the new generation no longer serves, and the old manifest, get their TTL
     * ({@code landfall.directory.stale-ttl}); then the pointer says so. Idempotent: a crash before the end repeats it.
     *
     * @return how many document versions were given a TTL
     */
    public int expireSuperseded(String source, String table, Pointer current, DirectoryManifest currentManifest) {
        if (current.cleaned() || current.previousId() == null) {
            return 0;
        }
        DirectoryManifest previous = manifest(source, current.previousId(), current.previousChunks());
        long expires = clock.instant().plus(staleTtl).getEpochSecond();
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        int expired = 0;
        for (Map.Entry<String, DirectoryManifest.Entry> e : previous.entries().entrySet()) {
            DirectoryManifest.Entry now = currentManifest.get(e.getKey());
            if (now != null && now.hash().equals(e.getValue().hash())) {
                continue;
            }
            for (int part = 0; part < e.getValue().parts(); part++) {
                keys.add(Map.of(DirectoryDocuments.DEPARTMENT, AttributeValue.fromS(e.getKey()),
                        DirectoryDocuments.VERSION, AttributeValue.fromS(DirectoryDocuments.versionKey(e.getValue().hash(), part))));
            }
            expired++;
        }
        // UpdateItem has no batch form: a few in flight at once
        java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(parallelism);
        List<java.util.concurrent.CompletableFuture<Void>> pending = new ArrayList<>(keys.size());
        for (Map<String, AttributeValue> key : keys) {
            inFlight.acquireUninterruptibly();
            pending.add(java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    dynamoDb.updateItem(b -> b.tableName(table).key(key)
                            .updateExpression("SET #t = :t")
                            .conditionExpression("attribute_exists(#d)")
                            .expressionAttributeNames(Map.of("#t", DirectoryDocuments.EXPIRES_AT, "#d", DirectoryDocuments.DEPARTMENT))
                            .expressionAttributeValues(Map.of(":t", AttributeValue.fromN(Long.toString(expires)))));
                } catch (ConditionalCheckFailedException gone) {
                    // already expired and removed
                } finally {
                    inFlight.release();
                }
            }, updates));
        }
        try {
            java.util.concurrent.CompletableFuture.allOf(pending.toArray(java.util.concurrent.CompletableFuture[]::new)).join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : e;
        }
        for (int n = 0; n < current.previousChunks(); n++) {
            String k = chunkKey(source, current.previousId(), n);
            dynamoDb.updateItem(b -> b.tableName(stateTable).key(Map.of(StateTable.KEY, AttributeValue.fromS(k)))
                    .updateExpression("SET #t = :t")
                    .expressionAttributeNames(Map.of("#t", StateTable.EXPIRES_AT))
                    .expressionAttributeValues(Map.of(":t", AttributeValue.fromN(Long.toString(expires)))));
        }
        try {
            dynamoDb.updateItem(b -> b.tableName(stateTable).key(Map.of(StateTable.KEY, AttributeValue.fromS(pointerKey(source))))
                    .updateExpression("SET cleaned = :t").conditionExpression("#m = :m")
                    .expressionAttributeNames(Map.of("#m", "manifest"))
                    .expressionAttributeValues(Map.of(":t", AttributeValue.fromBool(true), ":m", AttributeValue.fromS(current.manifestId()))));
        } catch (ConditionalCheckFailedException moved) {
            // a newer generation took over meanwhile; it cleans up after itself
        }
        return expired;
    }

    /** The items of one document version, all parts, or an empty list if they are not (or no longer) there. */
    public List<Map<String, AttributeValue>> document(String table, String department, DirectoryManifest.Entry entry) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (int part = 0; part < entry.parts(); part++) {
            String version = DirectoryDocuments.versionKey(entry.hash(), part);
            Map<String, AttributeValue> key = Map.of(DirectoryDocuments.DEPARTMENT, AttributeValue.fromS(department),
                    DirectoryDocuments.VERSION, AttributeValue.fromS(version));
            GetItemResponse r = dynamoDb.getItem(b -> b.tableName(table).key(key));
            if (!r.hasItem() || r.item().isEmpty()) {
                // written just before the switch: an eventually consistent read may not see it yet
                r = dynamoDb.getItem(b -> b.tableName(table).key(key).consistentRead(true));
            }
            if (!r.hasItem() || r.item().isEmpty()) {
                return List.of();
            }
            items.add(r.item());
        }
        return items;
    }
}
