package dev.landfall.common;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness: S3 and DynamoDB answer and every declared bucket and table exists (created on the way in local mode).
 * The check runs in the background every {@code refreshMs}; a health request only reads its last result, so health
 * answers at once however slow storage is and however many requests ask.
 */
public final class StorageHealthCheck extends AbstractHealthCheck {

    private record Outcome(boolean up, String message, String missing) {
    }

    private final StorageProvisioner provisioner;
    private final String missingSettings;
    private final String cause;
    private final long refreshMs;
    private final ScheduledExecutorService checker;
    private static final String UNREACHABLE = "S3 or DynamoDB unreachable: ";

    private volatile Outcome last = new Outcome(false, "storage not checked yet", null);
    private volatile boolean started;

    /**
     * @param missingSettings the AWS settings found missing at start (then DOWN without a call), or null
     * @param checker         runs the background check (Camel's, so it stops with the context)
     */
    public StorageHealthCheck(StorageProvisioner provisioner, String missingSettings, String cause, long refreshMs,
                              ScheduledExecutorService checker) {
        super("landfall", "storage");
        this.provisioner = provisioner;
        this.missingSettings = missingSettings;
        this.cause = cause;
        this.refreshMs = refreshMs;
        this.checker = checker;
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
        startChecking();
        Outcome o = last;
        if (o.up()) {
            builder.up();
            return;
        }
        if (o.missing() != null) {
            builder.detail("missing", o.missing());
        }
        builder.message(o.message()).down();
    }

    /** Runs the check now (also what the background runs). */
    public void refresh() {
        try {
            List<String> missing = provisioner.ensure();
            last = missing.isEmpty() ? new Outcome(true, null, null) : new Outcome(false, "missing storage", String.join("; ", missing));
        } catch (RuntimeException e) {
            // the outage itself is told by the outage log (the clients' interceptor), once a while
            last = new Outcome(false, UNREACHABLE + DeadLetter.kindOf(e) + ": " + e.getMessage(), null);
        }
    }

    /**
     * Starts the background check: the first pass at once (on the checker's thread) unless {@code checkedNow}, the next
     * ones every {@code refreshMs}. Called at start-up, so readiness follows the first pass without waiting for a
     * health request to ask; a health request before that answers DOWN "storage not checked yet".
     *
     * @param checkedNow the caller ran {@link #refresh()} itself just now (the local run provisions before routes start)
     */
    public void startChecking(boolean checkedNow) {
        synchronized (this) {
            if (!started) {
                checker.scheduleWithFixedDelay(this::refresh, checkedNow ? refreshMs : 0, refreshMs, TimeUnit.MILLISECONDS);
                started = true;
            }
        }
    }

    private void startChecking() {
        if (!started) {
            startChecking(false);
        }
    }
}
