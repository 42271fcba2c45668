package dev.landfall.common;

import java.time.Clock;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** Writes dead letters to S3 as {@code dead-letter/<pipeline>/<yyyy>/<MM>/<dd>/<id>.json}, each one once. */
public final class DeadLetterStore {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterStore.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final DynamoDbIdempotentRepository written;
    private final PipelineMetrics metrics;
    private final Clock clock;

    public DeadLetterStore(S3Client s3, String bucket, String prefix, DynamoDbIdempotentRepository written,
                           PipelineMetrics metrics, Clock clock) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix;
        this.written = written;
        this.metrics = metrics;
        this.clock = clock;
    }

    public String bucket() {
        return bucket;
    }

    /** Where a dead letter is stored, and whether this call stored it (false: the same one was stored before). */
    public record Stored(String key, boolean created) {
    }

    /** Stores the dead letter unless the same one (same id) was stored before; either way returns where it is. */
    public Stored write(DeadLetter dl) {
        String id = dl.id();
        ZonedDateTime now = ZonedDateTime.now(clock.withZone(ZoneOffset.UTC));
        String key = String.format("%s%s/%04d/%02d/%02d/%s.json", prefix, dl.pipeline(),
                now.getYear(), now.getMonthValue(), now.getDayOfMonth(), id);
        if (!written.add(id)) {
            String earlier = written.value(id);
            return new Stored(earlier != null ? earlier : key, false);
        }
        try {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("id", id);
            doc.put("at", now.toInstant().toString());
            doc.put("pipeline", dl.pipeline());
            doc.put("kind", dl.kind());
            doc.put("reason", dl.reason());
            doc.put("exception", dl.exception());
            doc.put("source", dl.source());
            doc.put("line", dl.line());
            doc.put("details", dl.details());
            doc.put("payloadTruncated", dl.payloadTruncated());
            doc.put("payload", dl.payload());
            s3.putObject(b -> b.bucket(bucket).key(key).contentType("application/json"),
                    RequestBody.fromBytes(JSON.writeValueAsBytes(doc)));
            written.complete(id, null, key);
        } catch (RuntimeException | com.fasterxml.jackson.core.JsonProcessingException e) {
            try {
                written.remove(id);
            } catch (RuntimeException alsoDown) {
                // DynamoDB is down as well: its heartbeat releases the claim once it answers
                e.addSuppressed(alsoDown);
            }
            throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
        }
        metrics.deadLettered(dl.pipeline(), 1);
        LOG.warn("Dead letter {} {}: {} (source {}{})", dl.pipeline(), key, dl.reason(), dl.source(),
                dl.line() == null ? "" : ", line " + dl.line());
        return new Stored(key, true);
    }

    /** Whether a replay may read this key: a JSON object under the dead-letter prefix, no path tricks. */
    public boolean isDeadLetterKey(String key) {
        return key != null && key.startsWith(prefix) && key.endsWith(".json") && key.length() <= 512
                && key.chars().allMatch(c -> c >= 0x21 && c < 0x7f && c != '\\')
                && java.util.Arrays.stream(key.split("/")).noneMatch(seg -> seg.isEmpty() || seg.equals(".") || seg.equals(".."));
    }

    public String prefix() {
        return prefix;
    }

    /** Reads a stored dead letter back (for replay). */
    @SuppressWarnings("unchecked")
    public Map<String, Object> read(String key) throws java.io.IOException {
        byte[] bytes = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArrayUnsafe();
        return JSON.readValue(bytes, Map.class);
    }
}
