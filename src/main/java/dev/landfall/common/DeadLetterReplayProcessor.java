package dev.landfall.common;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Replays a stored dead letter: sends its payload to {@code direct:<pipeline>-replay} with its source and details as
 * headers ({@code details.bucket} becomes {@code landfallBucket}) and answers with the outcome, within the request:
 * 200 when the input went through, 409 with the dead letter it left when it failed again (the same one, if nothing
 * was fixed). Only keys under the dead-letter prefix are read. Edit the payload in the dead-letter object first to
 * replay a fixed record.
 */
public final class DeadLetterReplayProcessor implements org.apache.camel.Processor {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DeadLetterStore store;

    public DeadLetterReplayProcessor(DeadLetterStore store) {
        this.store = store;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        var msg = exchange.getMessage();
        String key = msg.getHeader("key", String.class);
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("query parameter 'key' (the key of a dead letter under " + store.prefix() + ") is required");
        }
        if (!store.isDeadLetterKey(key)) {
            throw new IllegalArgumentException("'key' must name a dead letter: an object key under " + store.prefix() + " ending in .json");
        }
        Map<String, Object> entry;
        try {
            entry = store.read(key);
        } catch (NoSuchKeyException e) {
            reply(msg, 404, Map.of("error", "no dead letter at " + key));
            return;
        }
        String pipeline = String.valueOf(entry.get("pipeline"));
        String endpoint = "direct://" + pipeline + "-replay";
        if (exchange.getContext().getRoutes().stream().map(Route::getEndpoint).noneMatch(e -> endpoint.equals(e.getEndpointUri()))) {
            reply(msg, 409, Map.of("error", "dead letters of pipeline '" + pipeline + "' cannot be replayed"));
            return;
        }
        if (Boolean.TRUE.equals(entry.get("payloadTruncated"))) {
            reply(msg, 409, Map.of("error", "dead letter has no complete payload; re-feed its source instead"));
            return;
        }
        ProducerTemplate producer = exchange.getContext().createProducerTemplate();
        List<String> left;
        Exchange result;
        try {
            List<String>[] trail = new List[1];
            result = producer.send(endpoint, ex -> {
                trail[0] = DeadLetterTrail.start(ex);
                ex.getMessage().setBody(entry.get("payload"));
                ex.getMessage().setHeader(DeadLetterProcessor.PIPELINE_HEADER, pipeline);
                ex.getMessage().setHeader(DeadLetterProcessor.SOURCE_HEADER, entry.get("source"));
                if (entry.get("details") instanceof Map<?, ?> details) {
                    details.forEach((k, v) -> ex.getMessage().setHeader(header(String.valueOf(k)), v));
                }
            });
            left = trail[0];
        } finally {
            producer.stop();
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("replayed", key);
        answer.put("pipeline", pipeline);
        if (result.getException() != null) {
            throw result.getException();
        }
        if (left.isEmpty()) {
            answer.put("outcome", "completed");
            reply(msg, 200, answer);
        } else {
            answer.put("outcome", "failed again");
            answer.put("deadLetter", left.get(0));
            answer.put("deadLetters", left);
            reply(msg, 409, answer);
        }
    }

    private static void reply(org.apache.camel.Message msg, int status, Map<String, Object> body) throws Exception {
        msg.setHeader(Exchange.CONTENT_TYPE, "application/json");
        msg.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        msg.setBody(JSON.writeValueAsString(body));
    }

    private static String header(String detail) {
        return "landfall" + Character.toUpperCase(detail.charAt(0)) + detail.substring(1);
    }
}
