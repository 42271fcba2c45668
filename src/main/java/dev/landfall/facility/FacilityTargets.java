package dev.landfall.facility;

import java.util.HashMap;
import java.util.Map;

/**
 * Refuses facilities that would write into each other's monthly objects: two facilities with the same bucket and
 * prefix share every {@code <prefix>yyyyMM} object, so each needs its own prefix (or bucket).
 */
public final class FacilityTargets {

    private final Map<String, String> owners = new HashMap<>();

    /** Adds a facility's target; throws naming both facilities when another one already writes there. */
    public void add(String facility, String bucket, String prefix) {
        String target = "s3://" + bucket + "/" + prefix;
        String other = owners.putIfAbsent(target, facility);
        if (other != null && !other.equals(facility)) {
            throw new IllegalArgumentException("facilities '" + other + "' and '" + facility + "' would both write the monthly objects "
                    + target + "yyyyMM: give each its own prefix (camel.routeTemplate[<id>].prefix)");
        }
    }
}
