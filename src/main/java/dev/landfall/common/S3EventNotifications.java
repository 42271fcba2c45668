package dev.landfall.common;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads the S3 event notification JSON that S3 sends to SQS: several {@code Records} per message, keys
 * URL-encoded with {@code +} for spaces; an {@code s3:TestEvent} (and any non-create event) yields nothing.
 */
public final class S3EventNotifications {

    private static final ObjectMapper JSON = new ObjectMapper();

    private S3EventNotifications() {
    }

    /** The created objects the message announces; throws IllegalArgumentException for a message that is not one. */
    public static List<S3ObjectRef> createdObjects(String message) {
        JsonNode root;
        try {
            root = JSON.readTree(message);
        } catch (Exception e) {
            throw new IllegalArgumentException("not an S3 event notification: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("not an S3 event notification: no JSON object");
        }
        if ("s3:TestEvent".equals(root.path("Event").asText())) {
            return List.of();
        }
        JsonNode records = root.get("Records");
        if (records == null || !records.isArray()) {
            throw new IllegalArgumentException("not an S3 event notification: no Records");
        }
        List<S3ObjectRef> out = new ArrayList<>();
        for (JsonNode r : records) {
            if (!r.path("eventName").asText().startsWith("ObjectCreated:")) {
                continue;
            }
            JsonNode s3 = r.path("s3");
            String bucket = s3.path("bucket").path("name").asText(null);
            String key = s3.path("object").path("key").asText(null);
            if (bucket == null || key == null) {
                throw new IllegalArgumentException("S3 event record without bucket or key");
            }
            out.add(new S3ObjectRef(bucket, URLDecoder.decode(key, StandardCharsets.UTF_8),
                    s3.path("object").path("eTag").asText(null), s3.path("object").path("size").asLong(0)));
        }
        return out;
    }
}
