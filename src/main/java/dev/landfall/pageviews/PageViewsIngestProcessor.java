package dev.landfall.pageviews;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.landfall.common.DeadLetter;
import dev.landfall.common.DeadLetterProcessor;
import dev.landfall.common.DeadLetterTrail;
import dev.landfall.common.DeadLetterStore;
import dev.landfall.common.DynamoDbBatchWriter;
import dev.landfall.common.PipelineMetrics;
import dev.landfall.common.S3ObjectRef;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Streams one access-log object (gzip or plain) into page-view items through the shared batch writer; returns
 * only once every item is written, so the arrival is confirmed after the write. Unparseable lines of the object
 * go to one dead letter listing their line numbers and reasons, with the lines as its payload; such a payload,
 * fixed and replayed, comes back here as a String body and is ingested the same way. The views per page and hour are
 * then added to the aggregates, once per object version (and once per replayed payload).
 */
public final class PageViewsIngestProcessor implements Processor {

    public static final String PIPELINE = "page-views";
    static final List<String> KEYS = List.of(PageViewItems.PAGE_NAME, PageViewItems.SORT_KEY);
    private static final int SUBMIT_EVERY = 500;
    private static final int MAX_LISTED_BAD_LINES = 1000;

    private final S3Client s3;
    private final DynamoDbBatchWriter writer;
    private final DeadLetterStore deadLetters;
    private final PipelineMetrics metrics;
    private final PageViewRules rules;
    private final String table;
    private final PageViewAggregatesWriter aggregatesWriter;

    public PageViewsIngestProcessor(S3Client s3, DynamoDbBatchWriter writer, DeadLetterStore deadLetters,
                                    PipelineMetrics metrics, PageViewRules rules, String table,
                                    PageViewAggregatesWriter aggregatesWriter) {
        this.s3 = s3;
        this.writer = writer;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.rules = rules;
        this.table = table;
        this.aggregatesWriter = aggregatesWriter;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        Object body = exchange.getMessage().getBody();
        if (body instanceof S3ObjectRef ref) {
            ResponseInputStream<GetObjectResponse> in;
            try {
                in = s3.getObject(b -> b.bucket(ref.bucket()).key(ref.key()));
            } catch (NoSuchKeyException e) {
                // deleted between listing and reading (or listed mid-upload by a store that shows temporary names)
                exchange.getMessage().setHeader("landfallSummary", "page views: " + ref.source() + " is gone; nothing to ingest");
                return;
            }
            // aggregates are keyed by the version read, so a replay of the object adds nothing
            String version = S3ObjectRef.of(ref.bucket(), ref.key(), in.response().eTag() != null ? in.response().eTag() : ref.eTag()).arrivalKey();
            ingest(exchange, ref, in, ref.source(), version);
        } else {
            // the bad lines of an object, fixed in their dead letter and replayed
            var msg = exchange.getMessage();
            S3ObjectRef ref = S3ObjectRef.of(msg.getHeader("landfallBucket", String.class), msg.getHeader("landfallKey", String.class),
                    msg.getHeader("landfallETag", String.class));
            String text = msg.getMandatoryBody(String.class);
            byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            // the same fixed lines replayed twice add their views once; other fixed lines of the object add theirs
            String version = ref.arrivalKey() + "#lines:" + java.util.HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-256").digest(bytes), 0, 16);
            ingest(exchange, ref, new java.io.ByteArrayInputStream(bytes),
                    msg.getHeader(DeadLetterProcessor.SOURCE_HEADER, ref.source(), String.class), version);
        }
    }

    private void ingest(Exchange exchange, S3ObjectRef ref, InputStream in, String source, String version) throws Exception {
        long started = System.nanoTime();
        long lines = 0;
        long views = 0;
        long bad = 0;
        long invalidUtf8;
        boolean gzipped;
        List<Map<String, Object>> badLines = new ArrayList<>();
        StringBuilder badText = new StringBuilder();
        DynamoDbBatchWriter.Batches batches = writer.batches();
        PageViewAggregates aggregates = new PageViewAggregates();
        try (in; LogLines reader = new LogLines(in)) {
            List<Map<String, AttributeValue>> pending = new ArrayList<>(SUBMIT_EVERY);
            String line;
            while ((line = reader.next()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                lines++;
                S3AccessLogParser.Result result = S3AccessLogParser.parse(line);
                String page = null;
                String rejected = result instanceof S3AccessLogParser.Rejected r ? r.reason() : null;
                if (rejected == null) {
                    try {
                        page = rules.pageName((S3AccessLogRecord) result);
                    } catch (IllegalArgumentException e) {
                        rejected = e.getMessage();
                    }
                }
                if (rejected != null) {
                    // a bad line costs only itself: listed (and kept for a replay) in the object's one dead letter
                    bad++;
                    if (badLines.size() < MAX_LISTED_BAD_LINES) {
                        badLines.add(Map.of("line", reader.lineNumber(), "reason", rejected));
                    }
                    if (badText.length() <= DeadLetter.MAX_PAYLOAD_CHARS) {
                        badText.append(line).append('\n');
                    }
                    continue;
                }
                if (page == null) {
                    continue;
                }
                S3AccessLogRecord r = (S3AccessLogRecord) result;
                // a record without request id still needs a stable key: its place in this object
                String requestId = r.requestId() != null ? r.requestId() : "L" + reader.lineNumber() + "@" + ref.key();
                pending.add(PageViewItems.item(page, r.epochSeconds(), requestId, r.userAgent(), r.remoteIp(), r.referer(),
                        r.httpStatus(), ref.key()));
                views++;
                aggregates.add(page, r.epochSeconds());
                if (pending.size() == SUBMIT_EVERY) {
                    batches.submit(table, KEYS, pending);
                    pending = new ArrayList<>(SUBMIT_EVERY);
                }
            }
            batches.submit(table, KEYS, pending);
            batches.await();
            // after the items, before the arrival is confirmed
            aggregatesWriter.write(version, aggregates);
            invalidUtf8 = reader.invalidUtf8Lines();
            gzipped = reader.gzipped();
        }
        if (bad > 0) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("bucket", ref.bucket());
            details.put("key", ref.key());
            details.put("eTag", ref.eTag());
            details.put("badLines", bad);
            details.put("listedBadLines", badLines);
            DeadLetterStore.Stored stored = deadLetters.write(DeadLetter.of(PIPELINE, "bad-lines", bad + " of " + lines
                    + " lines could not be parsed", source, null, badText.toString(), details));
            DeadLetterTrail.add(exchange, stored.key());
        }
        metrics.read(PIPELINE, lines);
        metrics.landed(PIPELINE, views);
        metrics.count(PIPELINE, "invalid_utf8", invalidUtf8);
        long ms = (System.nanoTime() - started) / 1_000_000;
        exchange.getMessage().setHeader("landfallLines", lines);
        exchange.getMessage().setHeader("landfallSummary", String.format(
                "page views: %s%s lines=%d views=%d unparseable=%d invalid-utf8=%d in %d ms",
                source, gzipped ? " (gzip)" : "", lines, views, bad, invalidUtf8, ms));
    }
}
