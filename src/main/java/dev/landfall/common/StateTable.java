package dev.landfall.common;

import java.util.List;

/** Attribute names of the shared DynamoDB state table that holds idempotency keys and lease locks. */
public final class StateTable {

    public static final String KEY = "pk";
    public static final String STATE = "state";
    public static final String OWNER = "owner";
    public static final String LEASE_UNTIL = "leaseUntil";
    /** DynamoDB TTL attribute (epoch seconds); readers treat an expired item as absent. */
    public static final String EXPIRES_AT = "expiresAt";

    private StateTable() {
    }

    public static StorageSpec.Table spec(String tableName) {
        return new StorageSpec.Table(tableName, KEY, null, EXPIRES_AT);
    }

    public static List<String> attributes() {
        return List.of(KEY, STATE, OWNER, LEASE_UNTIL, EXPIRES_AT);
    }
}
