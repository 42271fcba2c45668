package dev.landfall.common;

import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.ProducerTemplate;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Replays a stored dead letter: sends its payload to {@code direct:<pipeline>-replay} with its source and
 * details as headers ({@code details.bucket} becomes {@code landfallBucket}). Edit the payload in the
 * dead-letter object first to replay a fixed record.
 */
public final class DeadLetterReplayProcessor implements Processor {

    private final DeadLetterStore store;

    public DeadLetterReplayProcessor(DeadLetterStore store) {
        this.store = store;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        var msg = exchange.getMessage();
        String key = msg.getHeader("key", String.class);
        msg.setHeader(Exchange.CONTENT_TYPE, "application/json");
        if (key == null || key.isBlank()) {
            reply(msg, 400, "{\"error\":\"query parameter 'key' (the dead-letter object key) is required\"}");
            return;
        }
        Map<String, Object> entry;
        try {
            entry = store.read(key);
        } catch (NoSuchKeyException e) {
            reply(msg, 404, "{\"error\":\"no dead letter at " + key.replace("\"", "") + "\"}");
            return;
        }
        String pipeline = String.valueOf(entry.get("pipeline"));
        Object payload = entry.get("payload");
        if (payload == null || Boolean.TRUE.equals(entry.get("payloadTruncated"))) {
            reply(msg, 409, "{\"error\":\"dead letter has no complete payload; re-feed its source instead\"}");
            return;
        }
        ProducerTemplate producer = exchange.getContext().createProducerTemplate();
        try {
            producer.send("direct:" + pipeline + "-replay", ex -> {
                ex.getMessage().setBody(payload);
                ex.getMessage().setHeader(DeadLetterProcessor.SOURCE_HEADER, entry.get("source"));
                if (entry.get("details") instanceof Map<?, ?> details) {
                    details.forEach((k, v) -> ex.getMessage().setHeader(header(String.valueOf(k)), v));
                }
            });
        } finally {
            producer.stop();
        }
        reply(msg, 200, "{\"replayed\":\"" + key.replace("\"", "") + "\",\"pipeline\":\"" + pipeline + "\"}");
    }

    private static void reply(org.apache.camel.Message msg, int status, String body) {
        msg.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        msg.setBody(body);
    }

    private static String header(String detail) {
        return "landfall" + Character.toUpperCase(detail.charAt(0)) + detail.substring(1);
    }
}
