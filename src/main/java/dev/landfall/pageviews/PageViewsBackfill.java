package dev.landfall.pageviews;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import dev.landfall.common.S3ObjectRef;
import dev.landfall.common.StateTable;
import dev.landfall.common.PipelineMetrics;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Imports the log objects already lying under a bucket/prefix, optionally limited to a date range (log keys
 * start with their date), through the same once-only arrival route as live objects. The job lives in the state
 * table, so it resumes after a restart from the last object done; only the leader runs it.
 */
public final class PageViewsBackfill {

    private static final Logger LOG = LoggerFactory.getLogger(PageViewsBackfill.class);
    private static final String JOB = "backfill#page-views";
    private static final long PROGRESS_EVERY_MS = 5000;

    private final DynamoDbClient dynamoDb;
    private final String stateTable;
    private final S3Client s3;
    private final CamelContext camel;
    private final String arrivalEndpoint;
    private final Clock clock;
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong linesPerSecond = new AtomicLong();
    private final PipelineMetrics metrics;
    private final List<String> logBuckets;

    /** @param logBuckets the buckets a backfill may read (never, say, the dead-letter bucket) */
    public PageViewsBackfill(DynamoDbClient dynamoDb, String stateTable, S3Client s3, CamelContext camel,
                             String arrivalEndpoint, Clock clock, PipelineMetrics metrics, List<String> logBuckets) {
        this.logBuckets = List.copyOf(logBuckets);
        this.dynamoDb = dynamoDb;
        this.stateTable = stateTable;
        this.s3 = s3;
        this.camel = camel;
        this.arrivalEndpoint = arrivalEndpoint;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** Records a backfill request of one of the configured log buckets; the leader starts it within a few seconds. */
    public Map<String, Object> request(String bucket, String prefix, String from, String to) {
        if (!logBuckets.contains(bucket)) {
            throw new IllegalArgumentException("'bucket' must be a configured log bucket (landfall.page-views.log-buckets): "
                    + String.join(", ", logBuckets));
        }
        checkDate("from", from);
        checkDate("to", to);
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put(StateTable.KEY, AttributeValue.fromS(JOB));
        item.put("status", AttributeValue.fromS("PENDING"));
        item.put("bucket", AttributeValue.fromS(bucket));
        item.put("prefix", AttributeValue.fromS(prefix == null ? "" : prefix));
        item.put("from", AttributeValue.fromS(from == null ? "" : from));
        item.put("to", AttributeValue.fromS(to == null ? "" : to));
        item.put("lastKey", AttributeValue.fromS(""));
        item.put("done", AttributeValue.fromN("0"));
        item.put("requestedAt", AttributeValue.fromN(Long.toString(clock.millis())));
        item.put("reason", AttributeValue.fromS(""));
        dynamoDb.putItem(b -> b.tableName(stateTable).item(item));
        return status();
    }

    public Map<String, Object> status() {
        Map<String, AttributeValue> item = job();
        Map<String, Object> out = new LinkedHashMap<>();
        if (item == null) {
            out.put("status", "NONE");
            return out;
        }
        item.forEach((k, v) -> {
            if (!k.equals(StateTable.KEY)) {
                out.put(k, v.s() != null ? v.s() : Long.parseLong(v.n()));
            }
        });
        out.put("objectsDone", done.get());
        out.put("objectsTotal", total.get());
        out.put("linesPerSecond", linesPerSecond.get());
        return out;
    }

    /**
     * Runs the pending or interrupted job, if any (called on the leader by a timer). A job that cannot run ends FAILED
     * with the reason; it is not tried again until it is requested again.
     */
    public void runPending() throws Exception {
        Map<String, AttributeValue> job = job();
        if (job == null || "DONE".equals(job.get("status").s()) || "FAILED".equals(job.get("status").s())) {
            return;
        }
        try {
            run(job);
        } catch (Exception e) {
            String reason = "s3://" + job.get("bucket").s() + "/" + job.get("prefix").s() + ": " + e.getMessage();
            LOG.error("Backfill of s3://{}/{} failed: {}", job.get("bucket").s(), job.get("prefix").s(), reason);
            update("status", "FAILED");
            update("reason", reason);
        }
    }

    private void run(Map<String, AttributeValue> job) throws Exception {
        String bucket = job.get("bucket").s();
        String prefix = job.get("prefix").s();
        String from = job.get("from").s();
        String to = job.get("to").s();
        String lastKey = job.get("lastKey").s();
        update("status", "RUNNING");
        // registered when a job runs: Camel's registry does not exist yet when this bean is built
        metrics.gauge("landfall.backfill.objects.done", "Log objects the page-views backfill has ingested",
                PageViewsIngest.PIPELINE, done);
        metrics.gauge("landfall.backfill.objects.total", "Log objects in the range of the page-views backfill",
                PageViewsIngest.PIPELINE, total);
        metrics.gauge("landfall.backfill.lines.per.second", "Log lines per second the page-views backfill ingests",
                PageViewsIngest.PIPELINE, linesPerSecond);
        List<S3Object> objects = s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
                .filter(o -> inRange(o.key().substring(prefix.length()), from, to)).toList();
        total.set(objects.size());
        done.set(objects.stream().filter(o -> o.key().compareTo(lastKey) <= 0).count());
        LOG.info("Backfill of s3://{}/{} ({} to {}): {} objects, {} done before", bucket, prefix, blankAsOpen(from), blankAsOpen(to), total.get(), done.get());
        long started = clock.millis();
        long lastReport = started;
        long lines = 0;
        ProducerTemplate producer = camel.createProducerTemplate();
        try {
            for (S3Object o : objects) {
                if (o.key().compareTo(lastKey) <= 0) {
                    continue;
                }
                Exchange result = producer.send(arrivalEndpoint, ex -> ex.getMessage().setBody(new S3ObjectRef(bucket, o.key(), o.eTag(), o.size())));
                if (result.getException() != null) {
                    throw result.getException();
                }
                Long n = result.getMessage().getHeader("landfallLines", Long.class);
                lines += n == null ? 0 : n;
                done.incrementAndGet();
                long now = clock.millis();
                if (now - lastReport >= PROGRESS_EVERY_MS) {
                    progress(o.key(), lines, started, now);
                    lastReport = now;
                }
            }
            progress(objects.isEmpty() ? lastKey : objects.get(objects.size() - 1).key(), lines, started, clock.millis());
            update("status", "DONE");
            LOG.info("Backfill of s3://{}/{} done: {} objects, {} lines", bucket, prefix, done.get(), lines);
        } finally {
            producer.stop();
        }
    }

    private void progress(String lastKey, long lines, long started, long now) {
        double seconds = Math.max(0.001, (now - started) / 1000.0);
        long rate = Math.round(lines / seconds);
        linesPerSecond.set(rate);
        long remaining = total.get() - done.get();
        double objectsPerSecond = done.get() / seconds;
        long etaSeconds = objectsPerSecond > 0 ? Math.round(remaining / objectsPerSecond) : -1;
        update("lastKey", lastKey);
        update("done", done.get());
        LOG.info("Backfill progress: {}/{} objects, {} lines/s, ETA {} s", done.get(), total.get(), rate, etaSeconds);
    }

    static boolean inRange(String keyAfterPrefix, String from, String to) {
        if (keyAfterPrefix.length() < 10) {
            return from.isEmpty() && to.isEmpty();
        }
        String date = keyAfterPrefix.substring(0, 10);
        return (from.isEmpty() || date.compareTo(from) >= 0) && (to.isEmpty() || date.compareTo(to) <= 0);
    }

    private static void checkDate(String name, String value) {
        if (value != null && !value.isEmpty() && !value.matches("\\d{4}-\\d{2}-\\d{2}")) {
            throw new IllegalArgumentException("'" + name + "' must be yyyy-MM-dd, not '" + value + "'");
        }
    }

    private static String blankAsOpen(String v) {
        return v.isEmpty() ? "open" : v;
    }

    private Map<String, AttributeValue> job() {
        var r = dynamoDb.getItem(b -> b.tableName(stateTable).key(Map.of(StateTable.KEY, AttributeValue.fromS(JOB))).consistentRead(true));
        return r.hasItem() && !r.item().isEmpty() ? r.item() : null;
    }

    private void update(String attribute, Object value) {
        AttributeValue v = value instanceof Number n ? AttributeValue.fromN(n.toString()) : AttributeValue.fromS(value.toString());
        dynamoDb.updateItem(b -> b.tableName(stateTable).key(Map.of(StateTable.KEY, AttributeValue.fromS(JOB)))
                .updateExpression("SET #a = :v").expressionAttributeNames(Map.of("#a", attribute))
                .expressionAttributeValues(Map.of(":v", v)));
    }
}
