package dev.landfall.landing;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landfall.directory.FactTypes;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Records as landing-table items. A record's id, {@code uuid}, is a UUID version 5 (RFC 9562: SHA-1, name-based) in the
 * namespace {@link #NAMESPACE} of the name {@code <source> LF <field>=<value> LF ...} over its natural-key fields in
 * their configured order, each value as JSON text (a string without quotes); a source without key fields names a record
 * by its whole content, {@code <source> LF <canonical JSON>}. {@code change_hash} is the first 128 bits of SHA-256 of
 * the canonical JSON (keys sorted, no spaces) of the change fields (all fields when none are configured); a missing
 * change field counts as null.
 */
public final class LandingItems {

    public static final String UUID_ATTR = "uuid";
    public static final String UPLOAD_DATE = "upload_date";
    public static final String SOURCE = "source";
    public static final String OBJECT_KEY = "object_key";
    public static final String RECORD = "record";
    public static final String CHANGE_HASH = "change_hash";
    /** The namespace of landing uuids: UUID v5 of "landfall.dev/landing" in the URL namespace of RFC 9562. */
    public static final UUID NAMESPACE = v5(UUID.fromString("6ba7b811-9dad-11d1-80b4-00c04fd430c8"), "landfall.dev/landing");

    private static final FactTypes CSV_TYPES = FactTypes.inferred();

    private LandingItems() {
    }

    /** What identifies a record: its uuid, or why it has none (a natural-key field missing or empty). */
    public record Identity(String uuid, String missing) {
    }

    public static Identity identity(String source, List<String> keyFields, ObjectNode record) {
        StringBuilder name = new StringBuilder(source);
        if (keyFields.isEmpty()) {
            name.append('\n').append(canonical(record));
        } else {
            for (String f : keyFields) {
                JsonNode v = record.get(f);
                if (v == null || v.isNull() || v.isContainerNode() || (v.isTextual() && v.textValue().isEmpty())) {
                    return new Identity(null, "the record has no natural-key field '" + f + "'");
                }
                name.append('\n').append(f).append('=').append(v.isTextual() ? v.textValue() : v.toString());
            }
        }
        return new Identity(v5(NAMESPACE, name.toString()).toString(), null);
    }

    public static String changeHash(List<String> changeFields, ObjectNode record) {
        String text;
        if (changeFields.isEmpty()) {
            text = canonical(record);
        } else {
            ObjectNode picked = record.objectNode();
            for (String f : changeFields) {
                JsonNode v = record.get(f);
                picked.set(f, v == null ? record.nullNode() : v);
            }
            text = canonical(picked);
        }
        return HexFormat.of().formatHex(sha256(text.getBytes(StandardCharsets.UTF_8)), 0, 16);
    }

    /** JSON with object keys sorted at every level and no spaces; numbers as written. */
    public static String canonical(JsonNode n) {
        StringBuilder b = new StringBuilder();
        canonical(n, b);
        return b.toString();
    }

    private static void canonical(JsonNode n, StringBuilder b) {
        if (n.isObject()) {
            TreeMap<String, JsonNode> sorted = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                sorted.put(e.getKey(), e.getValue());
            }
            b.append('{');
            boolean first = true;
            for (Map.Entry<String, JsonNode> e : sorted.entrySet()) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                b.append(com.fasterxml.jackson.databind.node.TextNode.valueOf(e.getKey()).toString()).append(':');
                canonical(e.getValue(), b);
            }
            b.append('}');
        } else if (n.isArray()) {
            b.append('[');
            for (int i = 0; i < n.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                canonical(n.get(i), b);
            }
            b.append(']');
        } else {
            b.append(n.toString());
        }
    }

    /** The record as a DynamoDB map: JSON types as they are; CSV text typed as the directory types facts. */
    public static AttributeValue record(ObjectNode record, LandingSource.Format format) {
        Map<String, AttributeValue> m = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = record.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            AttributeValue v = format == LandingSource.Format.CSV ? CSV_TYPES.type(e.getKey(), e.getValue().asText()) : value(e.getValue());
            if (v != null) {
                m.put(e.getKey(), v);
            }
        }
        return AttributeValue.fromM(m);
    }

    static AttributeValue value(JsonNode n) {
        if (n.isTextual()) {
            return AttributeValue.fromS(n.textValue());
        }
        if (n.isBoolean()) {
            return AttributeValue.fromBool(n.booleanValue());
        }
        if (n.isNull()) {
            return AttributeValue.fromNul(true);
        }
        if (n.isNumber()) {
            if ((n.isDouble() || n.isFloat()) && !Double.isFinite(n.doubleValue())) {
                return AttributeValue.fromS(n.asText());
            }
            BigDecimal d = n.decimalValue();
            // DynamoDB numbers: 38 digits of precision, exponent -130..125; larger ones are kept as written, as S
            if (d.precision() > 38 || d.scale() > 130 || d.precision() - d.scale() > 126) {
                return AttributeValue.fromS(n.toString());
            }
            return AttributeValue.fromN(n.toString());
        }
        if (n.isArray()) {
            List<AttributeValue> l = new ArrayList<>(n.size());
            for (JsonNode e : n) {
                l.add(value(e));
            }
            return AttributeValue.fromL(l);
        }
        if (n.isObject()) {
            Map<String, AttributeValue> m = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                m.put(e.getKey(), value(e.getValue()));
            }
            return AttributeValue.fromM(m);
        }
        if (n.isBinary()) {
            try {
                return AttributeValue.fromB(SdkBytes.fromByteArray(n.binaryValue()));
            } catch (java.io.IOException e) {
                return AttributeValue.fromS(n.asText());
            }
        }
        return AttributeValue.fromS(n.asText());
    }

    /**
     * The range key of a record's version: the object's LastModified (ISO-8601 UTC, so versions sort by time), its
     * version (S3 version id, else ETag) and the record's line in it (zero-padded), so that each record of each object
     * version has its own, the same every time the object is read.
     */
    public static String uploadDate(String lastModifiedIso, String version, long line) {
        return lastModifiedIso + "#" + version + "#" + String.format("%010d", line);
    }

    /** The object's LastModified part of an upload_date (versions of the same second are not ordered by it). */
    public static String uploadTime(String uploadDate) {
        int i = uploadDate.indexOf('#');
        return i < 0 ? uploadDate : uploadDate.substring(0, i);
    }

    /** One version of a record, as written to the landing table. */
    public static Map<String, AttributeValue> item(String uuid, String uploadDate, String source, String objectKey,
                                                   AttributeValue record, String changeHash) {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put(UUID_ATTR, AttributeValue.fromS(uuid));
        item.put(UPLOAD_DATE, AttributeValue.fromS(uploadDate));
        item.put(SOURCE, AttributeValue.fromS(source));
        item.put(OBJECT_KEY, AttributeValue.fromS(objectKey));
        item.put(RECORD, record);
        item.put(CHANGE_HASH, AttributeValue.fromS(changeHash));
        return item;
    }

    static UUID v5(UUID namespace, String name) {
        byte[] ns = new byte[16];
        long msb = namespace.getMostSignificantBits();
        long lsb = namespace.getLeastSignificantBits();
        for (int i = 0; i < 8; i++) {
            ns[i] = (byte) (msb >>> (56 - 8 * i));
            ns[8 + i] = (byte) (lsb >>> (56 - 8 * i));
        }
        MessageDigest sha1;
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        sha1.update(ns);
        byte[] h = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
        h[6] = (byte) ((h[6] & 0x0f) | 0x50);
        h[8] = (byte) ((h[8] & 0x3f) | 0x80);
        long m = 0;
        long l = 0;
        for (int i = 0; i < 8; i++) {
            m = (m << 8) | (h[i] & 0xff);
            l = (l << 8) | (h[8 + i] & 0xff);
        }
        return new UUID(m, l);
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
