package dev.landfall.common;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

import org.apache.camel.Exchange;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The claims of S3 arrivals (bucket + key + ETag), for the idempotent consumer of the {@code s3-arrival} template: an
 * arrival whose input was dead-lettered is completed (a replay retries it); one that failed otherwise is free to be
 * claimed again at once, until it has failed {@code maxAttempts} times: then it is quarantined, with one dead letter
 * that gives the last reason, and no poll takes it up again. When DynamoDB is down a release is left to the repository's
 * heartbeat and a confirm to the claim's lease, with the outage told once by the {@link OutageLog}.
 */
public final class ArrivalClaims extends ServiceSupport implements IdempotentRepository {

    /** Header the arrival template sets to the arrival's key (bucket/key#ETag). */
    public static final String ARRIVAL_KEY_HEADER = "landfallArrivalKey";
    public static final String QUARANTINED = "QUARANTINED";
    public static final String DEAD_LETTERED = "DEAD_LETTERED";

    private final DynamoDbIdempotentRepository claims;
    private final DeadLetterStore deadLetters;
    private final PipelineMetrics metrics;
    private final OutageLog outages;
    private final int maxAttempts;
    // quarantined by this process since it started and not replayed since: arrival key -> dead-letter key
    private final Map<String, String> quarantined = new ConcurrentSkipListMap<>();

    public ArrivalClaims(DynamoDbIdempotentRepository claims, DeadLetterStore deadLetters, PipelineMetrics metrics,
                         OutageLog outages, int maxAttempts) {
        this.claims = claims;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.outages = outages;
        this.maxAttempts = Math.max(1, maxAttempts);
    }

    /** The claim state of an arrival key (see {@link DynamoDbIdempotentRepository#state}). */
    public String state(String key) {
        return claims.state(key);
    }

    /**
     * Whether every object of an SQS message is done with (landed, dead-lettered or quarantined), so the message may
     * be deleted. An object another replica is still working on is not: its message comes back after its visibility
     * timeout and is deleted once that replica has completed it, or the object is done here if that replica died.
     */
    public boolean settled(java.util.List<S3ObjectRef> objects) {
        for (S3ObjectRef o : objects) {
            if (!DynamoDbIdempotentRepository.COMPLETED.equals(claims.state(o.arrivalKey()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean add(String key) {
        return claims.add(key);
    }

    @Override
    public boolean contains(String key) {
        return claims.contains(key);
    }

    @Override
    public boolean confirm(String key) {
        quarantined.remove(key);
        try {
            return claims.confirm(key);
        } catch (RuntimeException e) {
            // the work is done and idempotent: once the claim's lease runs out the arrival is simply done again
            return outageOr(e, false);
        }
    }

    @Override
    public boolean remove(String key) {
        return claims.remove(key);
    }

    @Override
    public boolean remove(Exchange exchange, String key) {
        try {
            return release(exchange, key);
        } catch (RuntimeException e) {
            try {
                // kept by the repository and released by its heartbeat as soon as DynamoDB answers
                claims.fail(key);
            } catch (RuntimeException stillDown) {
                e.addSuppressed(stillDown);
            }
            return outageOr(e, false);
        }
    }

    /** Called from the idempotent consumer's completion, where a throw would only be logged with its stack trace. */
    private boolean outageOr(RuntimeException e, boolean result) {
        if (!outages.reported(e)) {
            throw e;
        }
        return result;
    }

    private boolean release(Exchange exchange, String key) {
        if (DeadLetterTrail.deadLettered(exchange)) {
            claims.complete(key, DEAD_LETTERED, null);
            return true;
        }
        Exception cause = exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (outages.reported(cause)) {
            // a dependency was down: not the object's fault, so it does not count towards its quarantine
            return claims.fail(key, false) >= 0;
        }
        Map<String, AttributeValue> item = claims.item(key);
        long attempts = 1 + (item != null && item.get(StateTable.ATTEMPTS) != null ? Long.parseLong(item.get(StateTable.ATTEMPTS).n()) : 0);
        if (attempts < maxAttempts) {
            return claims.fail(key) >= 0;
        }
        quarantine(exchange, key, attempts);
        return true;
    }

    private void quarantine(Exchange exchange, String key, long attempts) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        Map<String, Object> details = new LinkedHashMap<>();
        if (exchange.getMessage().getBody() instanceof S3ObjectRef ref) {
            details.put("bucket", ref.bucket());
            details.put("key", ref.key());
            details.put("eTag", ref.eTag());
        }
        details.put("attempts", attempts);
        String pipeline = DeadLetterProcessor.pipeline(exchange);
        String reason = "quarantined after " + attempts + " attempts: " + (cause == null ? "unknown failure" : cause.getMessage());
        DeadLetterStore.Stored stored = deadLetters.write(DeadLetter.of(pipeline, "quarantined", reason,
                cause == null ? null : cause.toString(), DeadLetterProcessor.source(exchange), null, null, details));
        claims.complete(key, QUARANTINED, stored.key());
        quarantined.put(key, stored.key());
        metrics.count(pipeline, "quarantined", 1);
    }

    /** Arrivals this process quarantined and nobody replayed since: arrival key → dead-letter key. */
    public Map<String, String> quarantined() {
        return Map.copyOf(quarantined);
    }

    @Override
    public void clear() {
        claims.clear();
    }

    @Override
    protected void doStart() {
    }

    @Override
    protected void doStop() {
    }
}
