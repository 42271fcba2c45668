package dev.landfall.common;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Route;

/**
 * Sends a failed exchange (reason, failure kind, source, original payload) to the dead letter of its pipeline. Bad
 * input ({@link IllegalArgumentException}) is dead-lettered at once; a failure of an S3 arrival that may pass is not a
 * dead letter yet: {@link ArrivalClaims} counts the attempt and quarantines the object after the last one. Neither is a
 * failure because a dependency is down, nor one whose dead letter cannot be written: those leave the exchange failed (so
 * its input is polled again) without a log line of their own, as the {@link OutageLog} tells the outage. A failed
 * {@link InputPart} (one month of a file) is dead-lettered as its whole input.
 */
public final class DeadLetterProcessor implements Processor {

    /** Header naming where a message came from when the consumer sets none of the usual ones. */
    public static final String SOURCE_HEADER = "landfallSource";
    /** Header naming the pipeline of the message; set by the templates that hand messages on. */
    public static final String PIPELINE_HEADER = "landfallPipeline";

    private final DeadLetterStore store;
    private final OutageLog outages;

    public DeadLetterProcessor(DeadLetterStore store, OutageLog outages) {
        this.store = store;
        this.outages = outages;
    }

    @Override
    public void process(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        boolean badInput = cause instanceof IllegalArgumentException;
        if (!badInput && exchange.getMessage().getHeader(ArrivalClaims.ARRIVAL_KEY_HEADER) != null) {
            return;
        }
        if (!badInput && outages.reported(cause)) {
            // a dependency is down (the outage log told it): the consumer polls the input again, so it is no dead letter
            failQuietly(exchange, cause);
            return;
        }
        Object body = exchange.getMessage().getBody();
        if (body instanceof InputPart part) {
            // one part of a split input failed: the whole input is the dead letter, so no other part of it is lost
            body = part.input();
        }
        if (body == null && source(exchange) == null) {
            // a failed poll or timer run has no input to keep: the next one retries, and the outage shows in health
            return;
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("routeId", exchange.getFromRouteId());
        details.put("failedAt", exchange.getProperty(Exchange.FAILURE_ROUTE_ID, String.class));
        String payload = null;
        if (body instanceof S3ObjectRef ref) {
            // the object itself is the input: a replay reads it again
            details.put("bucket", ref.bucket());
            details.put("key", ref.key());
            details.put("eTag", ref.eTag());
        } else {
            try {
                payload = exchange.getContext().getTypeConverter().convertTo(String.class, exchange, body);
            } catch (RuntimeException e) {
                details.put("payloadError", e.toString());
            }
        }
        String reason = cause == null ? "unknown failure" : String.valueOf(cause.getMessage());
        DeadLetterStore.Stored stored;
        try {
            stored = store.write(DeadLetter.of(pipeline(exchange), DeadLetter.kindOf(cause), reason,
                    cause == null ? null : cause.toString(), source(exchange), null, payload, details));
        } catch (RuntimeException e) {
            if (!outages.reported(e)) {
                throw e;
            }
            failQuietly(exchange, cause);
            return;
        }
        DeadLetterTrail.markDeadLettered(exchange, stored.key());
        exchange.getMessage().setHeader("landfallDeadLetterKey", stored.key());
    }

    /** Not handled after all: the exchange fails with its own exception (so the consumer tries its input again), unlogged. */
    private void failQuietly(Exchange exchange, Exception cause) {
        outages.followsFromReported(cause);
        exchange.getExchangeExtension().setErrorHandlerHandled(false);
    }

    /** The pipeline the templates named, else the group of the route where it failed, else of the route it started in. */
    static String pipeline(Exchange exchange) {
        String named = exchange.getMessage().getHeader(PIPELINE_HEADER, String.class);
        if (named != null) {
            return named;
        }
        for (String routeId : new String[] {exchange.getProperty(Exchange.FAILURE_ROUTE_ID, String.class), exchange.getFromRouteId()}) {
            Route route = routeId == null ? null : exchange.getContext().getRoute(routeId);
            if (route != null && route.getGroup() != null) {
                return route.getGroup();
            }
        }
        return String.valueOf(exchange.getFromRouteId());
    }

    static String source(Exchange exchange) {
        if (exchange.getMessage().getBody() instanceof S3ObjectRef ref && exchange.getMessage().getHeader(SOURCE_HEADER) == null) {
            return ref.source();
        }
        for (String n : new String[] {SOURCE_HEADER, "CamelFileAbsolutePath", "CamelFileName", "CamelAwsS3Key"}) {
            String v = exchange.getMessage().getHeader(n, String.class);
            if (v != null) {
                return v;
            }
        }
        return null;
    }
}
