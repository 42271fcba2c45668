package dev.landfall.directory;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landfall.common.NotFound;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * {@code GET /api/directory/<key>} and {@code GET /api/directory?prefix=&limit=&cursor=}: answered from the current
 * generation only. Each source's pointer is re-read at most every {@code refreshMs}; a new generation's manifest is then
 * read once and swapped in whole, so a reader sees one generation or the next, never a mix. Unknown keys, lists and
 * unchanged documents ({@code If-None-Match}) are answered from the manifest without a DynamoDB call; documents are
 * immutable per version, so their JSON is cached.
 */
public final class DirectoryApi {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_LIMIT = 1000;

    private record Current(DirectoryStore.Pointer pointer, DirectoryManifest manifest, long readAtNanos) {
    }

    private final Map<String, DirectorySource> sources = new LinkedHashMap<>();
    private final DirectoryStore store;
    private final long refreshNanos;
    private final int cacheDocuments;
    private final Map<String, Current> current = new ConcurrentHashMap<>();
    private final Map<String, byte[]> documents = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicBoolean refreshing = new java.util.concurrent.atomic.AtomicBoolean();

    public DirectoryApi(List<DirectorySource> sources, DirectoryStore store, long refreshMs, int cacheDocuments) {
        sources.forEach(s -> this.sources.put(s.name(), s));
        this.store = store;
        this.refreshNanos = refreshMs * 1_000_000;
        this.cacheDocuments = cacheDocuments;
    }

    /** One document as plain JSON with its ETag, or 304 when the client's copy is current. */
    public byte[] document(String key, String sourceName, Exchange exchange) {
        DirectorySource source = source(sourceName);
        Current c = current(source);
        DirectoryManifest.Entry entry = c.manifest().get(key);
        if (entry == null) {
            throw new NotFound("no document " + key + " in directory " + source.name());
        }
        Message msg = exchange.getMessage();
        String etag = "\"" + entry.hash() + "\"";
        msg.setHeader("ETag", etag);
        msg.setHeader(Exchange.CONTENT_TYPE, "application/json");
        String ifNoneMatch = msg.getHeader("If-None-Match", String.class);
        if (ifNoneMatch != null && (ifNoneMatch.equals(etag) || ifNoneMatch.equals("W/" + etag) || ifNoneMatch.equals("*"))) {
            msg.setHeader(Exchange.HTTP_RESPONSE_CODE, 304);
            return new byte[0];
        }
        String cacheKey = source.name() + '\u0000' + key + '\u0000' + entry.hash();
        byte[] json = documents.get(cacheKey);
        if (json == null) {
            List<Map<String, AttributeValue>> items = store.document(source.table(), key, entry);
            if (items.isEmpty()) {
                throw new IllegalStateException("document " + key + " of generation " + c.pointer().generation() + " is not readable");
            }
            json = render(key, entry, items);
            if (documents.size() >= cacheDocuments) {
                documents.clear();
            }
            documents.put(cacheKey, json);
        }
        return json;
    }

    static byte[] render(String key, DirectoryManifest.Entry entry, List<Map<String, AttributeValue>> items) {
        Map<String, Object> members = new java.util.TreeMap<>();
        for (Map<String, AttributeValue> item : items) {
            item.get(DirectoryDocuments.MEMBERS).m().forEach((m, facts) -> members.put(m, DirectoryDocuments.plain(facts)));
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("department", key);
        doc.put("members", members);
        doc.put("generation", entry.generation());
        doc.put("updated_at", Instant.ofEpochMilli(entry.updatedAtMillis()).toString());
        try {
            return JSON.writeValueAsBytes(doc);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A page of keys, in order, with the cursor of the next page (absent on the last). */
    public Map<String, Object> list(String prefix, Integer limit, String cursor, String sourceName) {
        DirectorySource source = source(sourceName);
        int n = limit == null ? 100 : limit;
        if (n < 1 || n > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT + ", not " + n);
        }
        String after = null;
        if (cursor != null && !cursor.isEmpty()) {
            try {
                after = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("cursor is not one this API gave");
            }
        }
        Current c = current(source);
        List<String> keys = c.manifest().keys(prefix == null ? "" : prefix, after, n + 1);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("generation", c.pointer() == null ? 0 : c.pointer().generation());
        out.put("departments", keys.size() > n ? keys.subList(0, n) : keys);
        if (keys.size() > n) {
            out.put("next_cursor", Base64.getUrlEncoder().withoutPadding().encodeToString(keys.get(n - 1).getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    private DirectorySource source(String name) {
        if (name == null || name.isEmpty()) {
            return sources.values().iterator().next();
        }
        DirectorySource s = sources.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no directory source " + name + " (there are: " + String.join(", ", sources.keySet()) + ")");
        }
        return s;
    }

    private Current current(DirectorySource source) {
        Current c = current.get(source.name());
        long now = System.nanoTime();
        if (c != null && now - c.readAtNanos() < refreshNanos) {
            return c;
        }
        if (c != null && !refreshing.compareAndSet(false, true)) {
            return c; // another request is reading the pointer: this one answers from the generation it has
        }
        if (c == null) {
            refreshing.set(true);
        }
        try {
            DirectoryStore.Pointer p = store.pointer(source.name());
            DirectoryManifest m = c != null && p != null && c.pointer() != null && c.pointer().manifestId().equals(p.manifestId())
                    ? c.manifest() : store.manifest(source.name(), p);
            c = new Current(p, m, System.nanoTime());
            current.put(source.name(), c);
            return c;
        } finally {
            refreshing.set(false);
        }
    }
}
