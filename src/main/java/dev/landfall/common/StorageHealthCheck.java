package dev.landfall.common;

import java.util.List;
import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/** Readiness: S3 and DynamoDB answer and every declared bucket and table exists (created on the way in local mode). */
public final class StorageHealthCheck extends AbstractHealthCheck {

    private final StorageProvisioner provisioner;
    private final String missingSettings;
    private final String cause;

    /** @param missingSettings the AWS settings found missing at start (then DOWN without a call), or null */
    public StorageHealthCheck(StorageProvisioner provisioner, String missingSettings, String cause) {
        super("landfall", "storage");
        this.provisioner = provisioner;
        this.missingSettings = missingSettings;
        this.cause = cause;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        if (missingSettings != null) {
            builder.detail("cause", cause).message(missingSettings).down();
            return;
        }
        try {
            List<String> missing = provisioner.ensure();
            if (missing.isEmpty()) {
                builder.up();
            } else {
                builder.detail("missing", String.join("; ", missing)).message("missing storage").down();
            }
        } catch (RuntimeException e) {
            builder.message("S3 or DynamoDB unreachable: " + e.getMessage()).error(e).down();
        }
    }
}
