package dev.landfall.common;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Route;

/** Sends the failed exchange (reason, exception, source, original payload) to the dead letter of its route's pipeline. */
public final class DeadLetterProcessor implements Processor {

    /** Header naming where a message came from when the consumer sets none of the usual ones. */
    public static final String SOURCE_HEADER = "landfallSource";

    private final DeadLetterStore store;

    public DeadLetterProcessor(DeadLetterStore store) {
        this.store = store;
    }

    @Override
    public void process(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        Route route = exchange.getContext().getRoute(exchange.getFromRouteId());
        String pipeline = route != null && route.getGroup() != null ? route.getGroup() : String.valueOf(exchange.getFromRouteId());
        String source = firstHeader(exchange, SOURCE_HEADER, "CamelFileAbsolutePath", "CamelFileName", "CamelAwsS3Key");
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("routeId", exchange.getFromRouteId());
        details.put("failedAt", exchange.getProperty(Exchange.FAILURE_ROUTE_ID, String.class));
        details.put("exchangeId", exchange.getExchangeId());
        String payload;
        try {
            payload = exchange.getMessage().getBody(String.class);
        } catch (RuntimeException e) {
            payload = null;
            details.put("payloadError", e.toString());
        }
        String reason = cause == null ? "unknown failure" : String.valueOf(cause.getMessage());
        String key = store.write(DeadLetter.of(pipeline, reason, cause == null ? null : cause.toString(), source, null, payload, details));
        exchange.getMessage().setHeader("landfallDeadLetterKey", key);
    }

    private static String firstHeader(Exchange exchange, String... names) {
        for (String n : names) {
            String v = exchange.getMessage().getHeader(n, String.class);
            if (v != null) {
                return v;
            }
        }
        return null;
    }
}
