package dev.landfall.common;

import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/** Shows the S3 arrivals quarantined after failing too often (with their dead letters), until they are replayed. */
public final class QuarantineHealthCheck extends AbstractHealthCheck {

    private final ArrivalClaims claims;

    public QuarantineHealthCheck(ArrivalClaims claims) {
        super("landfall", "quarantine");
        this.claims = claims;
    }

    // a quarantined object needs a person, not a restart or less traffic
    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    public boolean isReadiness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Map<String, String> quarantined = claims.quarantined();
        if (quarantined.isEmpty()) {
            builder.up();
        } else {
            builder.details(new java.util.TreeMap<String, Object>(quarantined)).message(quarantined.size() + " arrival(s) quarantined; replay their dead letters: "
                    + quarantined.keySet()).down();
        }
    }
}
