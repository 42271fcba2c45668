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
    /** Failed attempts of a claim so far. */
    public static final String ATTEMPTS = "attempts";
    /** How a COMPLETED claim ended when not in success (e.g. QUARANTINED). */
    public static final String OUTCOME = "outcome";
    /** A value kept with a completed key (e.g. the object key of a dead letter). */
    public static final String VALUE = "value";

    private StateTable() {
    }

    public static StorageSpec.Table spec(String tableName) {
        return new StorageSpec.Table(tableName, KEY, null, EXPIRES_AT);
    }

    public static List<String> attributes() {
        return List.of(KEY, STATE, OWNER, LEASE_UNTIL, EXPIRES_AT, ATTEMPTS, OUTCOME, VALUE);
    }
}
