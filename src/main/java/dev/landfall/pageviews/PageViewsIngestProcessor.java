package dev.landfall.pageviews;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.landfall.common.DeadLetter;
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
 * go to one dead letter listing their line numbers and reasons. The object's views per page and hour are then
 * added to the aggregates, once per object version.
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
        long started = System.nanoTime();
        S3ObjectRef ref = exchange.getMessage().getMandatoryBody(S3ObjectRef.class);
        String source = "s3://" + ref.bucket() + "/" + ref.key();
        long lines = 0;
        long views = 0;
        long bad = 0;
        long invalidUtf8;
        boolean gzipped;
        List<Map<String, Object>> badLines = new ArrayList<>();
        DynamoDbBatchWriter.Batches batches = writer.batches();
        PageViewAggregates aggregates = new PageViewAggregates();
        ResponseInputStream<GetObjectResponse> in;
        try {
            in = s3.getObject(b -> b.bucket(ref.bucket()).key(ref.key()));
        } catch (NoSuchKeyException e) {
            // deleted between listing and reading (or listed mid-upload by a store that shows temporary names)
            exchange.getMessage().setHeader("landfallSummary", "page views: " + source + " is gone; nothing to ingest");
            return;
        }
        try (in; LogLines reader = new LogLines(in)) {
            List<Map<String, AttributeValue>> pending = new ArrayList<>(SUBMIT_EVERY);
            String line;
            while ((line = reader.next()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                lines++;
                S3AccessLogParser.Result result = S3AccessLogParser.parse(line);
                if (result instanceof S3AccessLogParser.Rejected rejected) {
                    bad++;
                    if (badLines.size() < MAX_LISTED_BAD_LINES) {
                        badLines.add(Map.of("line", reader.lineNumber(), "reason", rejected.reason()));
                    }
                    continue;
                }
                S3AccessLogRecord r = (S3AccessLogRecord) result;
                String page = rules.pageName(r);
                if (page == null) {
                    continue;
                }
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
            // after the items, before the arrival is confirmed; keyed by the version read, so a replay adds nothing
            aggregatesWriter.write(S3ObjectRef.of(ref.bucket(), ref.key(),
                    in.response().eTag() != null ? in.response().eTag() : ref.eTag()).arrivalKey(), aggregates);
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
            deadLetters.write(DeadLetter.of(PIPELINE, bad + " of " + lines + " lines could not be parsed", source, null,
                    null, details));
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
