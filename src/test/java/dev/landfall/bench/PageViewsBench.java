package dev.landfall.bench;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.landfall.common.DynamoDbBatchWriter;
import dev.landfall.local.LocalServers;
import dev.landfall.pageviews.LogLines;
import dev.landfall.pageviews.PageViewItems;
import dev.landfall.pageviews.PageViewRules;
import dev.landfall.pageviews.S3AccessLogParser;
import dev.landfall.pageviews.S3AccessLogRecord;
import dev.landfall.testing.AccessLogLines;
import dev.landfall.testing.Aws;
import dev.landfall.testing.LandfallApp;
import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.ExchangeSendingEvent;
import org.apache.camel.spi.CamelEvent.ExchangeSentEvent;
import org.apache.camel.support.EventNotifierSupport;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.Select;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;
import software.amazon.awssdk.services.s3.S3Client;

import static dev.landfall.bench.BenchSupport.deleteTree;
import static dev.landfall.bench.BenchSupport.round;

/**
 * Benchmarks the page-views pipeline end to end on the local servers (in memory): 1,000,000 generated access-log
 * lines in S3, polled, parsed, filtered and mapped into DynamoDB Local, against the ceiling: the raw SDK
 * BatchWriteItem rate for the same items at the best thread count. Writes {@code target/bench/page-views.json}.
 * <p>
 * Run with {@code ./mvnw -Pbench}. System properties: {@code bench.out} (default {@code target/bench}),
 * {@code bench.lines} (default 1,000,000), {@code bench.objects} (default 10), {@code bench.timeout-seconds} (600).
 */
public final class PageViewsBench {

    static final String NAME = "page-views";
    static final String LOG_BUCKET = "landfall-site-logs";
    static final String LOG_PREFIX = "logs/";
    static final String TABLE = "landfall-page-views";
    static final String INGEST = "page-views-ingest";
    static final int SEED = 7;
    static final String BOT_PATTERN = "bot|crawl|spider|slurp|bingpreview|facebookexternalhit";
    static final double TARGET_RATIO = 0.9;
    static final int[] CEILING_THREADS = {1, 2, 4, 8, 16};
    static final int CEILING_SAMPLE = 20_000;
    static final List<String> KEYS = List.of(PageViewItems.PAGE_NAME, PageViewItems.SORT_KEY);

    private PageViewsBench() {
    }

    record LogObject(String key, byte[] content, int lines) {
    }

    record Expected(List<Map<String, AttributeValue>> items, long lines, long rejected, double parseSeconds) {
    }

    record Ceiling(double itemsPerSecond, int threads, Map<Integer, Long> trials, int items, double seconds) {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(System.getProperty("bench.out", "target/bench")).toAbsolutePath();
        int lineCount = Integer.getInteger("bench.lines", 1_000_000);
        int objectCount = Integer.getInteger("bench.objects", 10);
        long timeoutSeconds = Long.getLong("bench.timeout-seconds", 600L);
        Path work = out.resolve("work-" + NAME);
        deleteTree(work);
        Files.createDirectories(work);

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("name", NAME);
        int exit = 1;
        try (LocalServers servers = LocalServers.start(LocalServers.Options.forTests(work.resolve("servers")))) {
            Path log = out.resolve("s3-access-" + lineCount + "-" + SEED + ".log");
            String generator = generate(log, lineCount);
            List<LogObject> objects = split(log, objectCount);
            Expected expected = expected(objects);
            int items = expected.items().size();
            System.out.printf("bench %s: %,d lines, %,d items expected (%s)%n", NAME, expected.lines(), items, generator);

            S3Client s3 = Aws.s3(servers);
            DynamoDbClient ddb = Aws.dynamoDb(servers);
            Ceiling ceiling;
            try (s3; ddb) {
                Aws.provision(s3, ddb, "landfall-state", List.of(LOG_BUCKET, "landfall-dead-letter"));
                for (LogObject o : objects) {
                    s3.putObject(b -> b.bucket(LOG_BUCKET).key(o.key()), RequestBody.fromBytes(o.content()));
                }
                ceiling = ceiling(ddb, expected.items());
            }
            objects = null; // the app reads them from S3 now
            System.out.printf("bench %s: ceiling %,d items/s with %d threads; starting the app%n", NAME,
                    Math.round(ceiling.itemsPerSecond()), ceiling.threads());

            Map<String, String> props = LandfallApp.testProperties(servers, work.resolve("app"));
            props.put("landfall.page-views.poll-delay-ms", "200");
            props.put("landfall.page-views.bot-pattern", BOT_PATTERN); // the expected items were filtered with it
            props.put("landfall.page-views.backfill.check-ms", "60000");
            Timings timings = new Timings(objectCount);
            long pipelineItems;
            // bound before start, so the first poll (at once) is seen
            try (LandfallApp app = LandfallApp.start(props, Map.of("pageViewsBenchTimings", timings))) {
                if (!app.context().getManagementStrategy().getEventNotifiers().contains(timings)) {
                    app.context().getManagementStrategy().addEventNotifier(timings);
                }
                if (!timings.done.await(timeoutSeconds, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the objects were not ingested within " + timeoutSeconds + " s ("
                            + timings.completed.get() + " of " + objectCount + ")");
                }
                pipelineItems = count(app.dynamoDb(), TABLE);
            }
            double pipelineSeconds = (timings.end.get() - timings.start.get()) / 1e9;
            double pipelineRate = items / pipelineSeconds;
            double ratio = pipelineRate / ceiling.itemsPerSecond();
            boolean verified = pipelineItems == items && timings.failure == null;
            boolean pass = verified && ratio >= TARGET_RATIO;

            result.put("lines", expected.lines());
            result.put("items", items);
            result.put("pipelineSeconds", round(pipelineSeconds, 3));
            result.put("pipelineItemsPerSecond", Math.round(pipelineRate));
            result.put("ceilingItemsPerSecond", Math.round(ceiling.itemsPerSecond()));
            result.put("ceilingThreads", ceiling.threads());
            result.put("ratio", round(ratio, 3));
            result.put("targetRatio", TARGET_RATIO);
            result.put("pass", pass);
            result.put("verified", verified);
            result.put("tableItems", pipelineItems);
            result.put("failure", timings.failure);
            result.put("objects", objectCount);
            result.put("pipelineLinesPerSecond", Math.round(expected.lines() / pipelineSeconds));
            result.put("parseLinesPerSecond", Math.round(expected.lines() / expected.parseSeconds()));
            result.put("parseNote", "one thread: read + parse + filter + map, no writes");
            result.put("unparseableLines", expected.rejected());
            result.put("ceilingItems", ceiling.items());
            result.put("ceilingSeconds", round(ceiling.seconds(), 3));
            result.put("ceilingSampleItemsPerSecondByThreads", ceiling.trials());
            result.put("ceilingNote", "plain DynamoDbClient, BatchWriteItem of 25, same items, separate table, same DynamoDB Local");
            result.put("generator", generator);
            BenchSupport.putMachine(result);
            exit = pass ? 0 : 1;
        } catch (Exception | Error e) {
            result.put("pass", false);
            result.put("error", String.valueOf(e));
            e.printStackTrace();
        }
        BenchSupport.finish(out, NAME, result, line(result), exit);
    }

    /** The input file, kept between runs: the shared Python generator if there is python3, else Java lines. */
    static String generate(Path log, int lines) throws Exception {
        Path script = Path.of(System.getProperty("bench.generator", "/work/shared/data/gen_s3_access_log.py"));
        if (Files.exists(log) && Files.size(log) > 0) {
            return "cached " + log.getFileName();
        }
        Files.createDirectories(log.getParent());
        Path tmp = log.resolveSibling(log.getFileName() + ".tmp");
        if (Files.exists(script)) {
            try {
                Process p = new ProcessBuilder("python3", script.toString(), Integer.toString(lines), Integer.toString(SEED))
                        .redirectOutput(tmp.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                if (p.waitFor() == 0) {
                    Files.move(tmp, log);
                    return script.getFileName() + " " + lines + " " + SEED;
                }
            } catch (IOException e) {
                // no python3: fall through
            }
        }
        // every 3rd line a view of one of 50 pages, the rest assets, errors and bots
        try (OutputStream o = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
            long t = 1_666_000_000L;
            for (int i = 0; i < lines; i++) {
                String l = switch (i % 6) {
                    case 0, 3 -> AccessLogLines.view(t + i / 10, "R" + i, "blog/p" + (i % 50) + "/index.html");
                    case 1 -> AccessLogLines.line(t + i / 10, "R" + i, "WEBSITE.GET.OBJECT", "css/site.css", 200, "curl/8");
                    case 2 -> AccessLogLines.line(t + i / 10, "R" + i, "WEBSITE.GET.OBJECT", "index.html", 200, "Googlebot/2.1");
                    case 4 -> AccessLogLines.line(t + i / 10, "R" + i, "WEBSITE.GET.OBJECT", "a.html", 404, "curl/8");
                    default -> AccessLogLines.view(t + i / 10, "R" + i, "index.html");
                };
                o.write(l.getBytes(StandardCharsets.UTF_8));
                o.write('\n');
            }
        }
        Files.move(tmp, log);
        return "AccessLogLines (Java) " + lines;
    }

    /** Splits the file at line ends into objects of about equal line counts. */
    static List<LogObject> split(Path log, int objects) throws IOException {
        byte[] all = Files.readAllBytes(log);
        int lines = 0;
        for (byte b : all) {
            if (b == '\n') {
                lines++;
            }
        }
        List<LogObject> out = new ArrayList<>();
        int per = (lines + objects - 1) / objects;
        int from = 0;
        int n = 0;
        int pos = 0;
        for (int o = 0; o < objects && from < all.length; o++) {
            int count = 0;
            while (pos < all.length && count < per) {
                if (all[pos++] == '\n') {
                    count++;
                }
            }
            n++;
            out.add(new LogObject(String.format("%s2022-10-20-%02d-00-00-BENCH", LOG_PREFIX, n),
                    java.util.Arrays.copyOfRange(all, from, pos), count));
            from = pos;
        }
        return out;
    }

    /** The items the pipeline must write, by the app's own parser and rules, one per key (a re-sent key replaces). */
    static Expected expected(List<LogObject> objects) throws IOException {
        // the app's rules: the defaults plus its default bot filter (application.properties landfall.page-views.bot-pattern)
        PageViewRules d = PageViewRules.defaults();
        PageViewRules rules = new PageViewRules(d.operations(), d.statuses(), d.pageSuffixes(), d.excludedPrefixes(),
                java.util.regex.Pattern.compile(BOT_PATTERN, java.util.regex.Pattern.CASE_INSENSITIVE), d.pageNames());
        Map<String, Map<String, AttributeValue>> byKey = new LinkedHashMap<>();
        long lines = 0;
        long rejected = 0;
        long parseNanos = 0;
        for (LogObject o : objects) {
            List<Map<String, AttributeValue>> items = new ArrayList<>();
            long started = System.nanoTime();
            try (LogLines reader = new LogLines(new ByteArrayInputStream(o.content()))) {
                String line;
                while ((line = reader.next()) != null) {
                    if (line.isBlank()) {
                        continue;
                    }
                    lines++;
                    S3AccessLogParser.Result result = S3AccessLogParser.parse(line);
                    if (!(result instanceof S3AccessLogRecord r)) {
                        rejected++;
                        continue;
                    }
                    String page = rules.pageName(r);
                    if (page == null) {
                        continue;
                    }
                    String requestId = r.requestId() != null ? r.requestId() : "L" + reader.lineNumber() + "@" + o.key();
                    items.add(PageViewItems.item(page, r.epochSeconds(), requestId, r.userAgent(), r.remoteIp(), r.referer(),
                            r.httpStatus(), o.key()));
                }
            }
            parseNanos += System.nanoTime() - started;
            for (Map<String, AttributeValue> item : items) {
                byKey.put(item.get(PageViewItems.PAGE_NAME).s() + "\u0000" + item.get(PageViewItems.SORT_KEY).s(), item);
            }
        }
        return new Expected(new ArrayList<>(byKey.values()), lines, rejected, parseNanos / 1e9);
    }

    /** Raw BatchWriteItem of 25: short runs per thread count on samples, then the best count on all items. */
    static Ceiling ceiling(DynamoDbClient ddb, List<Map<String, AttributeValue>> items) throws Exception {
        List<List<Map<String, AttributeValue>>> calls = new ArrayList<>();
        for (int i = 0; i < items.size(); i += DynamoDbBatchWriter.MAX_ITEMS_PER_CALL) {
            calls.add(items.subList(i, Math.min(items.size(), i + DynamoDbBatchWriter.MAX_ITEMS_PER_CALL)));
        }
        createTable(ddb, "bench-ceiling-sample");
        int sampleCalls = Math.min(calls.size() / CEILING_THREADS.length, CEILING_SAMPLE / DynamoDbBatchWriter.MAX_ITEMS_PER_CALL);
        Map<Integer, Long> trials = new LinkedHashMap<>();
        int best = 1;
        double bestRate = 0;
        for (int k = 0; k < CEILING_THREADS.length; k++) {
            List<List<Map<String, AttributeValue>>> sample = calls.subList(k * sampleCalls, (k + 1) * sampleCalls);
            double rate = write(ddb, "bench-ceiling-sample", sample, CEILING_THREADS[k]);
            trials.put(CEILING_THREADS[k], Math.round(rate));
            System.out.printf("bench %s: ceiling sample, %d threads: %,d items/s%n", NAME, CEILING_THREADS[k], Math.round(rate));
            if (rate > bestRate) {
                bestRate = rate;
                best = CEILING_THREADS[k];
            }
        }
        createTable(ddb, "bench-ceiling");
        long started = System.nanoTime();
        double rate = write(ddb, "bench-ceiling", calls, best);
        double seconds = (System.nanoTime() - started) / 1e9;
        long landed = count(ddb, "bench-ceiling");
        if (landed != items.size()) {
            throw new IllegalStateException("ceiling table has " + landed + " items, expected " + items.size());
        }
        return new Ceiling(rate, best, trials, items.size(), seconds);
    }

    /** Items per second of writing the calls with the given threads; unprocessed items are sent again. */
    static double write(DynamoDbClient ddb, String table, List<List<Map<String, AttributeValue>>> calls, int threads)
            throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicLong written = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long started = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < calls.size()) {
                        List<WriteRequest> requests = new ArrayList<>();
                        for (Map<String, AttributeValue> item : calls.get(i)) {
                            requests.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
                        }
                        Map<String, List<WriteRequest>> remaining = Map.of(table, requests);
                        while (!remaining.isEmpty()) {
                            Map<String, List<WriteRequest>> sending = remaining;
                            BatchWriteItemResponse r = ddb.batchWriteItem(b -> b.requestItems(sending));
                            remaining = r.hasUnprocessedItems() ? r.unprocessedItems() : Map.of();
                        }
                        written.addAndGet(requests.size());
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            return written.get() / ((System.nanoTime() - started) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }

    static void createTable(DynamoDbClient ddb, String table) {
        ddb.createTable(b -> b.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        AttributeDefinition.builder().attributeName(PageViewItems.PAGE_NAME).attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName(PageViewItems.SORT_KEY).attributeType(ScalarAttributeType.S).build())
                .keySchema(
                        KeySchemaElement.builder().attributeName(PageViewItems.PAGE_NAME).keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder().attributeName(PageViewItems.SORT_KEY).keyType(KeyType.RANGE).build()));
    }

    static long count(DynamoDbClient ddb, String table) {
        long n = 0;
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            ScanResponse r = ddb.scan(b -> b.tableName(table).select(Select.COUNT).limit(5_000).exclusiveStartKey(from));
            n += r.count();
            start = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
        } while (start != null);
        return n;
    }

    /** From the first ingest's start to the end of the last of N ingests of the page-views-ingest route. */
    static final class Timings extends EventNotifierSupport {

        final int expected;
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicLong start = new AtomicLong();
        final AtomicLong end = new AtomicLong();
        final AtomicInteger completed = new AtomicInteger();
        volatile String failure;

        Timings(int expected) {
            this.expected = expected;
            setIgnoreCamelContextEvents(true);
            setIgnoreRouteEvents(true);
            setIgnoreServiceEvents(true);
            setIgnoreStepEvents(true);
        }

        @Override
        public boolean isEnabled(CamelEvent event) {
            return event instanceof ExchangeSendingEvent s && isIngest(s.getEndpoint().getEndpointUri())
                    || event instanceof ExchangeSentEvent t && isIngest(t.getEndpoint().getEndpointUri());
        }

        @Override
        public void notify(CamelEvent event) {
            long now = System.nanoTime();
            if (event instanceof ExchangeSendingEvent) {
                start.compareAndSet(0, now);
            } else if (event instanceof ExchangeSentEvent s) {
                Exchange e = s.getExchange();
                if (e.getException() != null && failure == null) {
                    failure = String.valueOf(e.getException());
                }
                if (completed.incrementAndGet() == expected) {
                    end.set(now);
                    done.countDown();
                }
            }
        }

        private static boolean isIngest(String uri) {
            return uri.startsWith("direct:") && uri.endsWith(INGEST);
        }
    }

    private static String line(Map<String, Object> r) {
        if (r.containsKey("error")) {
            return String.format("bench %s: FAIL %s", NAME, r.get("error"));
        }
        return String.format("bench %s: %,d lines -> %,d items in %.2f s = %,d items/s; ceiling (raw BatchWriteItem, %d threads) "
                        + "%,d items/s; ratio %.3f (target >= %.1f); parse %,d lines/s; %s; %s",
                NAME, r.get("lines"), r.get("items"), r.get("pipelineSeconds"), r.get("pipelineItemsPerSecond"),
                r.get("ceilingThreads"), r.get("ceilingItemsPerSecond"), r.get("ratio"), TARGET_RATIO,
                r.get("parseLinesPerSecond"),
                Boolean.TRUE.equals(r.get("verified")) ? "verified " + r.get("tableItems") + " items"
                        : "NOT VERIFIED: table " + r.get("tableItems") + ", failure " + r.get("failure"),
                Boolean.TRUE.equals(r.get("pass")) ? "PASS" : "FAIL");
    }

}
