package dev.landfall.common;

import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The answer of an HTTP route that failed: 400 with the message for bad input, 503 when a dependency failed; never retried. */
public final class HttpErrorAnswer implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(HttpErrorAnswer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void process(Exchange exchange) throws Exception {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        boolean badInput = cause instanceof IllegalArgumentException;
        String error = badInput ? String.valueOf(cause.getMessage())
                : "could not be answered now (" + DeadLetter.kindOf(cause) + "); try again later";
        if (!badInput) {
            LOG.warn("{} {} failed: {}", exchange.getMessage().getHeader(Exchange.HTTP_METHOD),
                    exchange.getMessage().getHeader(Exchange.HTTP_PATH), String.valueOf(cause));
        }
        var msg = exchange.getMessage();
        msg.setHeader(Exchange.HTTP_RESPONSE_CODE, badInput ? 400 : 503);
        msg.setHeader(Exchange.CONTENT_TYPE, "application/json");
        msg.setBody(JSON.writeValueAsString(Map.of("error", error)));
    }
}
