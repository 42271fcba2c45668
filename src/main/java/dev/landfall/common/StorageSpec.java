package dev.landfall.common;

import java.util.List;

/** The buckets and tables a pipeline needs, declared so they can be created locally and verified in production. */
public record StorageSpec(List<String> buckets, List<Table> tables, List<String> queues) {

    public StorageSpec(List<String> buckets, List<Table> tables) {
        this(buckets, tables, List.of());
    }

    /** A table with a string hash key, an optional string range key and an optional TTL attribute. */
    public record Table(String name, String hashKey, String rangeKey, String ttlAttribute) {
    }
}
