package dev.landfall.landing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landfall.common.NotFound;
import dev.landfall.directory.DirectoryDocuments;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * {@code GET /api/landing/<source>/<key value>.../history}: a record's versions, oldest first. The key values are
 * the source's natural-key fields in their configured order, one path segment each; a source without key fields
 * takes the record's uuid as its one segment.
 */
public final class LandingApi {

    static final int MAX_VERSIONS = 1000;

    private final List<LandingSource> sources;
    private final LandingStore store;

    public LandingApi(List<LandingSource> sources, LandingStore store) {
        this.sources = List.copyOf(sources);
        this.store = store;
    }

    /** {@code path}: what follows /api/landing/, decoded. */
    public Map<String, Object> history(String path) {
        String p = path == null ? "" : path.replaceFirst("^/+", "");
        if (!p.endsWith("/history")) {
            throw new NotFound("no such landing resource: /api/landing/" + p + " (GET /api/landing/<source>/<key>.../history)");
        }
        String[] segments = p.substring(0, p.length() - "/history".length()).split("/", -1);
        String name = segments[0];
        LandingSource source = sources.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new NotFound("no landing source '" + name + "'; sources: "
                        + sources.stream().map(LandingSource::name).toList()));
        int want = Math.max(1, source.keyFields().size());
        if (segments.length - 1 != want) {
            throw new IllegalArgumentException("landing source " + name + " names a record by " + (source.keyFields().isEmpty()
                    ? "its uuid" : String.join(", ", source.keyFields())) + ": " + want + " path segment(s) before /history, not "
                    + (segments.length - 1));
        }
        Map<String, Object> key = new LinkedHashMap<>();
        String uuid;
        if (source.keyFields().isEmpty()) {
            uuid = segments[1];
            key.put(LandingItems.UUID_ATTR, uuid);
        } else {
            ObjectNode fields = JsonNodeFactory.instance.objectNode();
            for (int i = 0; i < source.keyFields().size(); i++) {
                fields.put(source.keyFields().get(i), segments[i + 1]);
                key.put(source.keyFields().get(i), segments[i + 1]);
            }
            uuid = LandingItems.identity(source.name(), source.keyFields(), fields).uuid();
        }
        List<Map<String, AttributeValue>> items = store.history(uuid, MAX_VERSIONS);
        if (items.isEmpty()) {
            throw new NotFound("no record " + key + " in landing source " + name);
        }
        List<Map<String, Object>> versions = new ArrayList<>(items.size());
        for (Map<String, AttributeValue> item : items) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("upload_date", item.get(LandingItems.UPLOAD_DATE).s());
            v.put("object_key", item.get(LandingItems.OBJECT_KEY).s());
            v.put("change_hash", item.get(LandingItems.CHANGE_HASH).s());
            v.put("record", DirectoryDocuments.plain(item.get(LandingItems.RECORD)));
            versions.add(v);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("source", name);
        out.put("key", key);
        out.put("uuid", uuid);
        out.put("versions", versions);
        return out;
    }
}
