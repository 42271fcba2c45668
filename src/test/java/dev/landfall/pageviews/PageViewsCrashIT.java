package dev.landfall.pageviews;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import dev.landfall.common.DynamoDbIdempotentRepository;
import dev.landfall.common.S3ObjectRef;
import dev.landfall.testing.AccessLogLines;
import dev.landfall.testing.AppProcess;
import dev.landfall.testing.WithLocalServers;
import dev.landfall.testing.Aws;
import dev.landfall.testing.CrashLoop;
import dev.landfall.testing.S3Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.model.S3Object;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged app SIGKILLed again and again while it ingests 200,000 access-log lines (six objects, one gzip):
 * after the restarts the page-view table holds exactly the expected items, nothing lost, nothing extra, and the
 * aggregates hold exactly the counts of those items.
 */
class PageViewsCrashIT extends WithLocalServers {

    static final String LOGS = "landfall-site-logs";
    static final String PREFIX = "logs/";
    static final String TABLE = "landfall-page-views";
    static final String AGGREGATES = "landfall-page-view-aggregates";
    static final String STATE_TABLE = "landfall-state";
    /** Lines per object; 200,000 in all. The third is gzipped. */
    static final List<Integer> OBJECT_LINES = List.of(40_000, 40_000, 30_000, 30_000, 30_000, 30_000);
    static final int GZIPPED = 2;
    static final int KILLS = 3;

    static DynamoDbClient ddb;

    @BeforeAll
    static void dynamoDbClient() {
        ddb = Aws.dynamoDb(servers);
    }

    @AfterAll
    static void closeDynamoDbClient() {
        if (ddb != null) {
            ddb.close();
        }
    }

    /** One generated log object and the items (PageName|SortKey → LogKey) it must yield. */
    record LogObject(String key, byte[] body, Map<String, String> items) {
    }

    /**
     * About 55% page views (a few without request id, keyed by their line), the rest not views: css/png, bots,
     * 404s, writes. Request ids are unique, so every view is one item.
     */
    static LogObject generate(Random random, int index, int lines, boolean gzip) throws IOException {
        String key = String.format("%s2022-10-%02d-08-00-00-CRASH%d", PREFIX, 20 + index, index);
        long start = 1_666_000_000L + index * 86_400L;
        StringBuilder text = new StringBuilder(lines * 420);
        Map<String, String> items = new HashMap<>();
        for (int i = 0; i < lines; i++) {
            long epoch = start + i / 3;
            String id = "O" + index + "R" + i;
            int kind = random.nextInt(100);
            String line;
            if (kind < 55) {
                String object = switch (random.nextInt(10)) {
                    case 0 -> "index.html";
                    case 1 -> "about.htm";
                    default -> "blog/p" + random.nextInt(300) + "/index.html";
                };
                String page = PageViewRules.trim(object);
                boolean noRequestId = kind == 0;
                line = AccessLogLines.view(epoch, noRequestId ? "-" : id, object);
                String requestId = noRequestId ? "L" + (i + 1) + "@" + key : id;
                items.put(page + "|" + PageViewItems.sortKey(epoch, requestId), key);
            } else if (kind < 75) {
                String asset = random.nextBoolean() ? "css/site" + random.nextInt(5) + ".css" : "img/p" + random.nextInt(50) + ".png";
                line = AccessLogLines.line(epoch, id, "WEBSITE.GET.OBJECT", asset, 200, "Mozilla/5.0 (X11; Linux x86_64)");
            } else if (kind < 88) {
                line = AccessLogLines.line(epoch, id, "WEBSITE.GET.OBJECT", "blog/p" + random.nextInt(300) + "/index.html", 200,
                        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)");
            } else if (kind < 95) {
                line = AccessLogLines.line(epoch, id, "WEBSITE.GET.OBJECT", "blog/missing" + random.nextInt(20) + "/index.html",
                        404, "Mozilla/5.0 (X11; Linux x86_64)");
            } else {
                line = AccessLogLines.line(epoch, id, "REST.PUT.OBJECT", "blog/p" + random.nextInt(300) + "/index.html", 200,
                        "aws-cli/2.13");
            }
            text.append(line).append('\n');
        }
        byte[] body = text.toString().getBytes(StandardCharsets.UTF_8);
        if (gzip) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 8);
            try (GZIPOutputStream z = new GZIPOutputStream(out)) {
                z.write(body);
            }
            body = out.toByteArray();
        }
        return new LogObject(key, body, items);
    }

    /** PageName|SortKey → LogKey of every item in the page-view table. */
    static Map<String, String> landed() {
        Map<String, String> out = new HashMap<>();
        ddb.scanPaginator(b -> b.tableName(TABLE).consistentRead(true).projectionExpression("PageName, SortKey, LogKey"))
                .items().forEach(i -> out.put(i.get("PageName").s() + "|" + i.get("SortKey").s(),
                        i.get("LogKey") == null ? null : i.get("LogKey").s()));
        return out;
    }

    /** The aggregate rows (Series|Point -> Views) computed from items (PageName|SortKey keys). */
    static Map<String, Long> aggregatesOf(Iterable<String> itemKeys) {
        Map<String, Long> out = new HashMap<>();
        for (String k : itemKeys) {
            int bar = k.lastIndexOf('|');
            String page = k.substring(0, bar);
            long epoch = PageViewItems.epochOf(k.substring(bar + 1));
            out.merge("page#" + page + "|" + PageViewAggregates.hourPoint(epoch - Math.floorMod(epoch, 3600)), 1L, Long::sum);
            java.time.LocalDate day = PageViewAggregates.day(epoch);
            out.merge(PageViewAggregates.daySeries(day) + "|" + page, 1L, Long::sum);
            out.merge(PageViewAggregates.weekSeries(PageViewAggregates.monday(day)) + "|" + page, 1L, Long::sum);
            out.merge(PageViewAggregates.DAY_TOTALS + "|" + day, 1L, Long::sum);
        }
        return out;
    }

    /** The aggregate rows (markers left out) as Series|Point -> Views. */
    static Map<String, Long> aggregateRows() {
        Map<String, Long> out = new HashMap<>();
        ddb.scanPaginator(b -> b.tableName(AGGREGATES).consistentRead(true)).items().forEach(i -> {
            if (!i.get("Series").s().startsWith("obj#")) {
                out.put(i.get("Series").s() + "|" + i.get("Point").s(), Long.parseLong(i.get("Views").n()));
            }
        });
        return out;
    }

    /** The arrival state of every log object (COMPLETED once ingested and confirmed). */
    static Map<String, String> arrivalStates(DynamoDbIdempotentRepository arrivals) {
        Map<String, String> out = new LinkedHashMap<>();
        for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(LOGS).prefix(PREFIX)).contents()) {
            out.put(o.key(), arrivals.state(new S3ObjectRef(LOGS, o.key(), o.eTag(), o.size()).arrivalKey()));
        }
        return out;
    }

    @Test
    void killedDuringA200kLineIngestItLandsExactlyTheExpectedItems() throws Exception {
        long seed = Long.getLong("landfall.it.seed", System.nanoTime());
        Random random = new Random(seed);
        List<LogObject> objects = new ArrayList<>();
        Map<String, String> expected = new HashMap<>();
        for (int i = 0; i < OBJECT_LINES.size(); i++) {
            LogObject o = generate(random, i, OBJECT_LINES.get(i), i == GZIPPED);
            objects.add(o);
            expected.putAll(o.items());
        }
        assertThat(OBJECT_LINES.stream().mapToInt(Integer::intValue).sum()).isEqualTo(200_000);

        Map<String, String> props = AppProcess.baseProperties(servers, dir.resolve("app"));
        props.put("landfall.page-views.poll-delay-ms", "500");
        // a claim left IN_PROGRESS by a killed process is retaken soon after the restart
        props.put("landfall.idempotency.lease-seconds", "5");
        CrashLoop.Probe ingesting = CrashLoop.inflight("page-views-ingest");

        long started = System.nanoTime();
        try (CrashLoop crashes = new CrashLoop(generation -> AppProcess.startHealthy("pv-crash-" + generation, props), random)) {
            // all objects are in place before the app lists the bucket: S3Proxy's in-memory store lists a blob being
            // uploaded under a temporary name (key-<uuid>), which would be claimed, vanish and be dead-lettered
            s3.createBucket(b -> b.bucket(LOGS));
            for (LogObject o : objects) {
                s3.putObject(b -> b.bucket(LOGS).key(o.key()), RequestBody.fromBytes(o.body()));
            }
            crashes.start(); // it provisions the table (the bucket exists)
            for (int i = 0; i < KILLS; i++) {
                crashes.killWhenBusy(ingesting, Duration.ofSeconds(60), Duration.ofMillis(8000));
            }
            // and once at a random moment: start-up, the re-claim after the lease, or mid-ingest
            crashes.killAfterRandomDelay(Duration.ofSeconds(8));

            String context = "seed " + seed + ", kills " + crashes.kills() + ", log " + crashes.app().logPath();
            DynamoDbIdempotentRepository arrivals = new DynamoDbIdempotentRepository(ddb, STATE_TABLE, "messages",
                    Duration.ofSeconds(5), Duration.ofDays(30), false, Clock.systemUTC());
            // DynamoDB Local serialises scans with the app's writes: poll gently
            await(context).atMost(Duration.ofMinutes(8)).pollInterval(Duration.ofSeconds(3))
                    .until(() -> {
                        if (!crashes.app().isAlive()) {
                            throw new IllegalStateException(crashes.app() + " died on its own");
                        }
                        return arrivalStates(arrivals).values().stream()
                                .filter(DynamoDbIdempotentRepository.COMPLETED::equals).count() == objects.size();
                    });
            Map<String, String> landed = landed();
            Map<String, String> lost = new HashMap<>(expected);
            lost.keySet().removeAll(landed.keySet());
            Map<String, String> extra = new HashMap<>(landed);
            extra.keySet().removeAll(expected.keySet());
            assertThat(lost).as("lost items, " + context).isEmpty();
            assertThat(extra).as("unexpected items, " + context).isEmpty();
            assertThat(landed).as(context).isEqualTo(expected);
            // the counts the API serves: added once per object, whatever the kills interrupted
            assertThat(aggregateRows()).as("aggregates, " + context).isEqualTo(aggregatesOf(expected.keySet()));
            assertThat(S3Objects.texts(s3, "landfall-dead-letter", "dead-letter/")).as(context).isEmpty();
            assertThat(crashes.kills()).as(context).hasSize(KILLS + 1);
            System.out.println("PageViewsCrashIT " + context + ", lines 200000, items " + expected.size()
                    + ", " + (System.nanoTime() - started) / 1_000_000 + " ms");
        }
    }
}
