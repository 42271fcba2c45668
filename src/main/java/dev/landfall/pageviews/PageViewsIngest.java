package dev.landfall.pageviews;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Supplier;

import dev.landfall.common.DeadLetter;
import dev.landfall.common.DeadLetterProcessor;
import dev.landfall.common.DeadLetterStore;
import dev.landfall.common.DeadLetterTrail;
import dev.landfall.common.PipelineMetrics;
import dev.landfall.common.S3ObjectRef;
import org.apache.camel.Exchange;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * The stages of page-views-ingest around its streaming split: {@link #open} reads one access-log object (gzip or
 * plain; or, replayed from a dead letter, its fixed bad lines as a String body) as chunks of lines, {@link #parse} turns
 * a chunk into page-view items for the batch sink, {@link #finish} — once every item is written — adds the views to the
 * aggregates once per object version, writes the object's one dead letter of bad lines, and sets the summary.
 */
public final class PageViewsIngest {

    public static final String PIPELINE = "page-views";
    public static final String RUN_PROPERTY = "landfallIngest";
    static final int CHUNK_LINES = 2000;
    private static final int MAX_LISTED_BAD_LINES = 1000;

    private final S3Client s3;
    private final DeadLetterStore deadLetters;
    private final PipelineMetrics metrics;
    private final PageViewRules rules;
    private final PageViewAggregatesWriter aggregatesWriter;

    public PageViewsIngest(S3Client s3, DeadLetterStore deadLetters, PipelineMetrics metrics, PageViewRules rules,
                           PageViewAggregatesWriter aggregatesWriter) {
        this.s3 = s3;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.rules = rules;
        this.aggregatesWriter = aggregatesWriter;
    }

    /** Sets the exchange property landfallIngest: the object's chunks of lines (read again from the start if the split is retried). */
    public void open(Exchange exchange) throws NoSuchAlgorithmException {
        var msg = exchange.getMessage();
        Run run;
        if (msg.getBody() instanceof S3ObjectRef ref) {
            run = new Run(ref, ref.source(), () -> s3.getObject(b -> b.bucket(ref.bucket()).key(ref.key())));
        } else {
            S3ObjectRef ref = S3ObjectRef.of(msg.getHeader("landfallBucket", String.class), msg.getHeader("landfallKey", String.class),
                    msg.getHeader("landfallETag", String.class));
            byte[] bytes = msg.getBody(String.class).getBytes(StandardCharsets.UTF_8);
            run = new Run(ref, msg.getHeader(DeadLetterProcessor.SOURCE_HEADER, ref.source(), String.class), () -> new ByteArrayInputStream(bytes));
            // the same fixed lines replayed twice add their views once; other fixed lines of the object add theirs
            run.version = ref.arrivalKey() + "#lines:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 16);
        }
        exchange.setProperty(RUN_PROPERTY, run);
    }

    /** One chunk's items; its views and bad lines are added to the run (chunks are parsed side by side). */
    public List<Map<String, AttributeValue>> parse(PageViewLines.Chunk chunk, Run run) {
        PageViewLines.Parsed parsed = PageViewLines.parse(chunk, rules, run.ref.key());
        run.add(parsed);
        return parsed.items();
    }

    public void finish(Exchange exchange) throws InterruptedException {
        Run run = exchange.getProperty(RUN_PROPERTY, Run.class);
        var msg = exchange.getMessage();
        if (run.gone) {
            // deleted between listing and reading (or listed mid-upload by a store that shows temporary names)
            msg.setHeader("landfallSummary", "page views: " + run.source + " is gone; nothing to ingest");
            return;
        }
        // after the items, before the arrival is confirmed
        aggregatesWriter.write(run.version, run.aggregates);
        if (run.bad > 0) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("bucket", run.ref.bucket());
            details.put("key", run.ref.key());
            details.put("eTag", run.ref.eTag());
            details.put("badLines", run.bad);
            // in line order whatever order the chunks were parsed in, so the dead letter's id is that of the input
            List<Map<String, Object>> listed = new ArrayList<>();
            StringBuilder text = new StringBuilder();
            for (PageViewLines.BadLine b : run.badLines.values()) {
                if (listed.size() < MAX_LISTED_BAD_LINES) {
                    listed.add(Map.of("line", b.line(), "reason", b.reason()));
                }
                if (text.length() <= DeadLetter.MAX_PAYLOAD_CHARS) {
                    text.append(b.text()).append('\n');
                }
            }
            details.put("listedBadLines", listed);
            DeadLetterStore.Stored stored = deadLetters.write(DeadLetter.of(PIPELINE, "bad-lines", run.bad + " of " + run.lines
                    + " lines could not be parsed", run.source, null, text.toString(), details));
            DeadLetterTrail.add(exchange, stored.key());
        }
        metrics.read(PIPELINE, run.lines);
        metrics.landed(PIPELINE, run.views);
        metrics.count(PIPELINE, "invalid_utf8", run.invalidUtf8);
        long ms = (System.nanoTime() - run.started) / 1_000_000;
        msg.setHeader("landfallLines", run.lines);
        msg.setHeader("landfallSummary", String.format("page views: %s%s lines=%d views=%d unparseable=%d invalid-utf8=%d in %d ms",
                run.source, run.gzipped ? " (gzip)" : "", run.lines, run.views, run.bad, run.invalidUtf8, ms));
    }

    /** One read of an object: its chunks, and what its lines added up to. Each iteration reads it again from the start. */
    public static final class Run implements Iterable<PageViewLines.Chunk> {
        private final S3ObjectRef ref;
        private final String source;
        private final Supplier<InputStream> content;
        private String version;
        private LogLines reader;
        private boolean gone;
        private boolean gzipped;
        private long started;
        private long lines;
        private long views;
        private long bad;
        private long invalidUtf8;
        private PageViewAggregates aggregates;
        /** The first bad lines by line number: the first MAX_LISTED_BAD_LINES, and as many as the payload holds. */
        private java.util.TreeMap<Long, PageViewLines.BadLine> badLines;
        private long badTextChars;

        Run(S3ObjectRef ref, String source, Supplier<InputStream> content) {
            this.ref = ref;
            this.source = source;
            this.content = content;
        }

        @Override
        public synchronized Iterator<PageViewLines.Chunk> iterator() {
            close();
            started = System.nanoTime();
            lines = views = bad = invalidUtf8 = 0;
            aggregates = new PageViewAggregates();
            badLines = new java.util.TreeMap<>();
            badTextChars = 0;
            gone = false;
            InputStream in;
            try {
                in = content.get();
            } catch (NoSuchKeyException e) {
                gone = true;
                return java.util.Collections.emptyIterator();
            }
            if (in instanceof ResponseInputStream<?> r && r.response() instanceof GetObjectResponse got) {
                // aggregates are keyed by the version read, so a replay of the object adds nothing
                version = S3ObjectRef.of(ref.bucket(), ref.key(), got.eTag() != null ? got.eTag() : ref.eTag()).arrivalKey();
            }
            try {
                reader = new LogLines(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            LogLines lines = reader;
            return new Iterator<>() {
                private PageViewLines.Chunk next;

                @Override
                public boolean hasNext() {
                    if (next == null) {
                        next = read(lines);
                    }
                    return next != null;
                }

                @Override
                public PageViewLines.Chunk next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    PageViewLines.Chunk c = next;
                    next = null;
                    return c;
                }
            };
        }

        private PageViewLines.Chunk read(LogLines in) {
            List<String> chunk = new ArrayList<>(CHUNK_LINES);
            long[] numbers = new long[CHUNK_LINES];
            try {
                String line;
                while (chunk.size() < CHUNK_LINES && (line = in.next()) != null) {
                    if (!line.isBlank()) {
                        numbers[chunk.size()] = in.lineNumber();
                        chunk.add(line);
                    }
                }
                if (chunk.size() < CHUNK_LINES) {
                    // the end: what the reader saw of the whole object
                    synchronized (this) {
                        gzipped = in.gzipped();
                        invalidUtf8 = in.invalidUtf8Lines();
                    }
                    in.close();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            synchronized (this) {
                lines += chunk.size();
            }
            return chunk.isEmpty() ? null : new PageViewLines.Chunk(numbers, chunk);
        }

        synchronized void add(PageViewLines.Parsed parsed) {
            views += parsed.pages().size();
            for (int i = 0; i < parsed.pages().size(); i++) {
                aggregates.add(parsed.pages().get(i), parsed.epochs()[i]);
            }
            for (PageViewLines.BadLine b : parsed.bad()) {
                // a bad line costs only itself: listed (and kept for a replay) in the object's one dead letter
                bad++;
                badLines.put(b.line(), b);
                badTextChars += b.text().length() + 1;
                while (badLines.size() > MAX_LISTED_BAD_LINES) {
                    PageViewLines.BadLine last = badLines.lastEntry().getValue();
                    if (badTextChars - last.text().length() - 1 <= DeadLetter.MAX_PAYLOAD_CHARS) {
                        break; // still within the payload
                    }
                    badLines.pollLastEntry();
                    badTextChars -= last.text().length() + 1;
                }
            }
        }

        private synchronized void close() {
            if (reader != null) {
                try {
                    reader.close();
                } catch (IOException ignored) {
                    // a reader of a failed attempt
                }
                reader = null;
            }
        }
    }
}
