package dev.landfall.common;

import java.util.List;
import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/** Readiness: S3 and DynamoDB answer and every declared bucket and table exists (created on the way in local mode). */
public final class StorageHealthCheck extends AbstractHealthCheck {

    private final StorageProvisioner provisioner;

    public StorageHealthCheck(StorageProvisioner provisioner) {
        super("landfall", "storage");
        this.provisioner = provisioner;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
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
