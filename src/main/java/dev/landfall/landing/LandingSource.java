package dev.landfall.landing;

import java.nio.charset.Charset;
import java.util.List;
import java.util.Locale;

/**
 * One source of the landing pipeline: the objects of {@code bucket} under {@code prefix} (ending with {@code suffix}),
 * their format, the fields naming a record (its natural key; none: the whole record is its identity) and the fields
 * whose change makes a new version (none: the whole record), and the charset of text without a byte-order mark.
 */
public record LandingSource(String name, String bucket, String prefix, String suffix, Format format, List<String> keyFields,
                            List<String> changeFields, Charset charset) {

    /** How an object's records are written. */
    public enum Format {
        /** One JSON object per line (blank lines skipped). */
        JSONL,
        /** One JSON array of objects. */
        JSON,
        /** CSV with a header line. */
        CSV;

        public static Format of(String name) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("landing format must be jsonl, json or csv, not '" + name + "'");
            }
        }
    }

    public LandingSource {
        if (name == null || !name.matches("[a-z0-9][a-z0-9-]{0,62}")) {
            throw new IllegalArgumentException("a landing source name is lower-case letters, digits and '-': '" + name + "'");
        }
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("landing source " + name + " needs a bucket");
        }
        prefix = prefix == null ? "" : prefix;
        suffix = suffix == null ? "" : suffix;
        keyFields = List.copyOf(keyFields);
        changeFields = List.copyOf(changeFields);
    }

    public boolean matches(String bucket, String key) {
        return this.bucket.equals(bucket) && key.startsWith(prefix) && key.endsWith(suffix) && !key.endsWith("/");
    }
}
