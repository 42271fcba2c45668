package dev.landfall.directory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A directory document as DynamoDB items: {@code department} (hash key), {@code version} (range key: the content
 * hash, {@code <hash>#<n>} for the parts after the first), {@code members}, {@code generation}, {@code updated_at},
 * {@code parts}. A document too large for one item (DynamoDB's limit is 400 KB) is split by members into numbered
 * parts, read back whole. Items are content-addressed, so writing the same document again writes the same items.
 */
public final class DirectoryDocuments {

    public static final String DEPARTMENT = "department";
    public static final String VERSION = "version";
    public static final String MEMBERS = "members";
    public static final String GENERATION = "generation";
    public static final String UPDATED_AT = "updated_at";
    public static final String PARTS = "parts";
    public static final String EXPIRES_AT = "expires_at";

    /** Members per item at most this many bytes (DynamoDB's measure: names + values), well under the 400 KB limit. */
    static final int PART_BYTES = 350_000;

    private DirectoryDocuments() {
    }

    /** The content hash: 128 bits of SHA-256 over the members in order, each fact (in name order) with its type, as 32 hex digits. */
    public static String hash(SortedMap<String, Map<String, AttributeValue>> members) {
        Canonical c = new Canonical();
        for (Map.Entry<String, Map<String, AttributeValue>> m : members.entrySet()) {
            c.field('m', m.getKey());
            for (Map.Entry<String, AttributeValue> f : new java.util.TreeMap<>(m.getValue()).entrySet()) {
                c.field('c', f.getKey());
                AttributeValue v = f.getValue();
                if (v.s() != null) {
                    c.field('s', v.s());
                } else if (v.n() != null) {
                    c.field('n', v.n());
                } else {
                    c.field('b', String.valueOf(v.bool()));
                }
            }
        }
        return c.digest();
    }

    /** The canonical bytes of a document (tag, length, UTF-8 per field), hashed in large blocks. */
    static final class Canonical {
        private final MessageDigest sha;
        private byte[] buf = new byte[1 << 16];
        private int n;

        Canonical() {
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        void field(char tag, String value) {
            byte[] b = value.getBytes(StandardCharsets.UTF_8);
            if (n + b.length + 5 > buf.length) {
                sha.update(buf, 0, n);
                n = 0;
                if (b.length + 5 > buf.length) {
                    buf = new byte[b.length + 5];
                }
            }
            buf[n++] = (byte) tag;
            buf[n++] = (byte) (b.length >>> 24);
            buf[n++] = (byte) (b.length >>> 16);
            buf[n++] = (byte) (b.length >>> 8);
            buf[n++] = (byte) b.length;
            System.arraycopy(b, 0, buf, n, b.length);
            n += b.length;
        }

        String digest() {
            sha.update(buf, 0, n);
            return HexFormat.of().formatHex(sha.digest(), 0, 16);
        }
    }

    /** The members split into parts of at most {@link #PART_BYTES} each (one part for almost every document). */
    public static List<Map<String, AttributeValue>> parts(SortedMap<String, Map<String, AttributeValue>> members, int partBytes) {
        List<Map<String, AttributeValue>> parts = new ArrayList<>();
        Map<String, AttributeValue> current = new LinkedHashMap<>();
        long size = 0;
        for (Map.Entry<String, Map<String, AttributeValue>> m : members.entrySet()) {
            long s = size(m.getKey(), m.getValue());
            if (!current.isEmpty() && size + s > partBytes) {
                parts.add(current);
                current = new LinkedHashMap<>();
                size = 0;
            }
            current.put(m.getKey(), AttributeValue.fromM(m.getValue()));
            size += s;
        }
        parts.add(current);
        return parts;
    }

    /** DynamoDB's size of one member entry: its name, and per fact the name and value (numbers counted as written, +1). */
    static long size(String member, Map<String, AttributeValue> facts) {
        long s = utf8(member) + 3;
        for (Map.Entry<String, AttributeValue> f : facts.entrySet()) {
            AttributeValue v = f.getValue();
            s += utf8(f.getKey()) + 1 + (v.s() != null ? utf8(v.s()) : v.n() != null ? v.n().length() + 1 : 1);
        }
        return s;
    }

    private static long utf8(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            n += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return n;
    }

    /** The range key of part {@code n} (0 = the first) of a version. */
    public static String versionKey(String hash, int part) {
        return part == 0 ? hash : hash + "#" + part;
    }

    /** The items of one document version. */
    public static List<Map<String, AttributeValue>> items(String department, String hash, List<Map<String, AttributeValue>> parts,
                                                          long generation, String updatedAt) {
        List<Map<String, AttributeValue>> items = new ArrayList<>(parts.size());
        for (int i = 0; i < parts.size(); i++) {
            Map<String, AttributeValue> item = new HashMap<>();
            item.put(DEPARTMENT, AttributeValue.fromS(department));
            item.put(VERSION, AttributeValue.fromS(versionKey(hash, i)));
            item.put(MEMBERS, AttributeValue.fromM(parts.get(i)));
            item.put(GENERATION, AttributeValue.fromN(Long.toString(generation)));
            item.put(UPDATED_AT, AttributeValue.fromS(updatedAt));
            if (i == 0) {
                item.put(PARTS, AttributeValue.fromN(Integer.toString(parts.size())));
            }
            items.add(item);
        }
        return items;
    }

    /** A DynamoDB attribute as plain JSON-ready Java: maps, strings, numbers as BigDecimal, booleans. */
    public static Object plain(AttributeValue v) {
        if (v.s() != null) {
            return v.s();
        }
        if (v.n() != null) {
            return new java.math.BigDecimal(v.n());
        }
        if (v.bool() != null) {
            return v.bool();
        }
        if (v.hasM()) {
            Map<String, Object> out = new java.util.TreeMap<>();
            v.m().forEach((k, x) -> out.put(k, plain(x)));
            return out;
        }
        if (v.hasL()) {
            return v.l().stream().map(DirectoryDocuments::plain).toList();
        }
        return null;
    }
}
