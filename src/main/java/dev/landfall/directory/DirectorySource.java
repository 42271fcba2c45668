package dev.landfall.directory;

import java.util.Set;

/**
 * One configured directory source: where its CSV drops arrive (bucket, and a key prefix or exact key, and a suffix),
 * its two key columns, the table its documents go to, and the columns forced to S or to N.
 */
public record DirectorySource(String name, String bucket, String prefix, String key, String suffix,
                              String documentKey, String memberKey, String table,
                              Set<String> stringColumns, Set<String> numberColumns) {

    public DirectorySource {
        if (!name.matches("[a-z0-9][a-z0-9-]*")) {
            throw new IllegalArgumentException("directory source name '" + name + "': use lower-case letters, digits and '-'");
        }
        require(name, "bucket", bucket);
        require(name, "document-key", documentKey);
        require(name, "member-key", memberKey);
        require(name, "table", table);
        if (documentKey.equals(memberKey)) {
            throw new IllegalArgumentException("directory source " + name + ": document-key and member-key are both " + documentKey);
        }
        prefix = prefix == null ? "" : prefix;
        key = key == null ? "" : key;
        suffix = suffix == null ? "" : suffix;
        stringColumns = Set.copyOf(stringColumns);
        numberColumns = Set.copyOf(numberColumns);
    }

    private static void require(String name, String what, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("directory source " + name + " needs landfall.directory.source." + name + "." + what);
        }
    }

    /** Whether an object of this bucket and key is one of this source's drops. */
    public boolean matches(String objectBucket, String objectKey) {
        return bucket.equals(objectBucket)
                && (key.isEmpty() ? objectKey.startsWith(prefix) : objectKey.equals(key))
                && objectKey.endsWith(suffix);
    }

    /** The prefix to list: the exact key itself when one is given. */
    public String listPrefix() {
        return key.isEmpty() ? prefix : key;
    }

    public FactTypes types() {
        return new FactTypes(stringColumns, numberColumns);
    }
}
