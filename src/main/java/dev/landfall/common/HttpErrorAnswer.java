package dev.landfall.common;

import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one answer of every HTTP route that failed: 400 {@code {"error": <message>, "message": <message>}} for bad
 * input (an IllegalArgumentException, e.g. a bad query parameter), 404 for {@link NotFound}, 503 with Retry-After and the message for {@link TryLater},
 * 502 or 504 with the message for {@link UpstreamFailed} (a device asked on the caller's behalf failed), 503 without details
 * when a dependency failed (logged once here); never retried, never dead-lettered.
 */
public final class HttpErrorAnswer implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(HttpErrorAnswer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void process(Exchange exchange) throws Exception {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        boolean notFound = cause instanceof NotFound;
        boolean badInput = cause instanceof IllegalArgumentException || notFound;
        boolean tryLater = cause instanceof TryLater;
        boolean upstream = cause instanceof UpstreamFailed;
        String error = badInput || tryLater || upstream ? String.valueOf(cause.getMessage())
                : "could not be answered now (" + DeadLetter.kindOf(cause) + "); try again later";
        var msg = exchange.getMessage();
        if (tryLater) {
            msg.setHeader("Retry-After", "1");
        } else if (!badInput && !upstream) {
            LOG.warn("{} {} failed: {}", exchange.getMessage().getHeader(Exchange.HTTP_METHOD),
                    exchange.getMessage().getHeader(Exchange.HTTP_PATH), String.valueOf(cause));
        }
        msg.setHeader(Exchange.HTTP_RESPONSE_CODE, notFound ? 404 : badInput ? 400 : upstream ? ((UpstreamFailed) cause).status() : 503);
        msg.setHeader(Exchange.CONTENT_TYPE, "application/json");
        // "error" for the first APIs' clients, "message" as the later APIs document it: the same text
        msg.setBody(JSON.writeValueAsString(Map.of("error", error, "message", error)));
    }
}
