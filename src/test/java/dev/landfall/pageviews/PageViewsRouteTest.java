package dev.landfall.pageviews;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landfall.common.S3ObjectRef;
import dev.landfall.local.LocalServers;
import dev.landfall.testing.AccessLogLines;
import dev.landfall.testing.EndpointSends;
import dev.landfall.testing.FaultInjector;
import dev.landfall.testing.FreePorts;
import dev.landfall.testing.LandfallApp;
import dev.landfall.testing.S3Events;
import dev.landfall.testing.S3Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

import static dev.landfall.testing.AccessLogLines.view;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The page-views pipeline on the real Main and servers: both arrival paths, once-only, bad input, API, backfill. */
class PageViewsRouteTest {

    static final String LOGS = "landfall-site-logs";
    static final String TABLE = "landfall-page-views";
    static final String QUEUE = "landfall-site-log-events";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static LocalServers servers;
    static LandfallApp app;
    static S3Client s3;
    static DynamoDbClient ddb;
    static SqsClient sqs;
    static final String AGGREGATES = "landfall-page-view-aggregates";
    static FaultInjector faults = new FaultInjector(0.2, 0.05, 11);
    static QueryGate gate = new QueryGate("slow-marker");
    static WriteFailures writeFailures = new WriteFailures("blog/unwritable");
    static int httpPort;
    static int managementPort;
    static final int API_CALLS_IN_FLIGHT = 8;

    @BeforeAll
    static void start() throws Exception {
        // the checks below scan the table; DynamoDB Local serialises them with the app's writes, so do not hammer it
        org.awaitility.Awaitility.setDefaultPollInterval(Duration.ofMillis(500));
        servers = LocalServers.start(LocalServers.Options.forTests(dir.resolve("servers"), LocalServers.Server.forApp()));
        Map<String, String> props = LandfallApp.testProperties(servers, dir.resolve("app"));
        httpPort = FreePorts.next();
        props.put("camel.server.port", Integer.toString(httpPort));
        managementPort = FreePorts.next();
        props.put("camel.management.port", Integer.toString(managementPort));
        props.put("landfall.page-views.api.timeout-ms", "2000");
        props.put("landfall.page-views.api.max-concurrent", Integer.toString(API_CALLS_IN_FLIGHT));
        props.put("landfall.page-views.poll-delay-ms", "300");
        props.put("landfall.page-views.arrivals.sqs", "true");
        // a kept message comes back after this
        props.put("landfall.page-views.queue-visibility-seconds", "2");
        props.put("landfall.page-views.backfill.check-ms", "300");
        app = LandfallApp.start(props, Map.of("pageViewFaults", faults, "pageViewQueryGate", gate, "pageViewWriteFailures", writeFailures));
        s3 = app.s3();
        ddb = app.dynamoDb();
        sqs = app.bean("sqsClient", SqsClient.class);
    }

    @AfterAll
    static void stop() throws Exception {
        org.awaitility.Awaitility.reset();
        if (app != null) {
            app.close();
        }
        servers.close();
    }

    static void put(String key, List<String> lines, boolean gzip) throws Exception {
        byte[] bytes = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
        if (gzip) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream z = new GZIPOutputStream(out)) {
                z.write(bytes);
            }
            bytes = out.toByteArray();
        }
        byte[] body = bytes;
        s3.putObject(b -> b.bucket(LOGS).key(key), RequestBody.fromBytes(body));
    }

    /** PageName|SortKey of every item that came from the given log object. */
    static Map<String, String> itemsFrom(String logKey) {
        Map<String, String> out = new HashMap<>();
        ddb.scanPaginator(b -> b.tableName(TABLE).consistentRead(true).projectionExpression("PageName, SortKey, LogKey, #s")
                .expressionAttributeNames(Map.of("#s", "Status"))).items().forEach(i -> {
            if (logKey.equals(i.get("LogKey").s())) {
                out.put(i.get("PageName").s() + "|" + i.get("SortKey").s(), i.get("Status").n());
            }
        });
        return out;
    }

    static List<String> views(String idPrefix, long start, int n, String... pages) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(view(start + i / 2, idPrefix + i, pages[i % pages.length]));
        }
        return out;
    }

    static Map<String, String> expected(List<String> viewLines, long start, String idPrefix, String... pageNames) {
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < viewLines.size(); i++) {
            out.put(pageNames[i % pageNames.length] + "|" + (start + i / 2) + "#" + idPrefix + i, "200");
        }
        return out;
    }

    @Test
    void thePollingPathLandsExactlyThePageViewsOfPlainGzipAndDamagedObjects() throws Exception {
        long t = 1_666_255_782L;
        List<String> plain = new ArrayList<>(views("P", t, 10, "blog/a/index.html", "index.html", "about.htm"));
        plain.add(AccessLogLines.line(t, "X1", "WEBSITE.GET.OBJECT", "css/site.css", 200, "curl/8"));
        plain.add(AccessLogLines.line(t, "X2", "WEBSITE.GET.OBJECT", "blog/a/index.html", 404, "curl/8"));
        plain.add(AccessLogLines.line(t, "X3", "WEBSITE.GET.OBJECT", "blog/a/index.html", 200, "Googlebot/2.1"));
        plain.add(AccessLogLines.line(t, "X4", "REST.PUT.OBJECT", "blog/a/index.html", 200, "aws-cli"));
        put("logs/2022-10-20-08-00-00-PLAIN", plain, false);
        put("logs/2022-10-20-09-00-00-GZIP", views("G", t, 8, "blog/b/index.html"), true);
        List<String> damaged = new ArrayList<>(views("D", t, 4, "blog/c/index.html"));
        damaged.add(1, "this is not an access log line");
        damaged.add(3, "");
        damaged.add(4, view(t + 100, "U1", "blog/c/index.html").replace("Chrome", "Chr\u00ffme").replace("\u00ff", "\ufffd"));
        String badUtf8 = view(t + 101, "U2", "blog/c/index.html");
        byte[] withInvalidUtf8 = (String.join("\n", damaged) + "\n" + badUtf8.replace("Chrome", "Chr#me") + "\n")
                .getBytes(StandardCharsets.UTF_8);
        withInvalidUtf8[new String(withInvalidUtf8, StandardCharsets.ISO_8859_1).indexOf("Chr#me") + 3] = (byte) 0xff;
        s3.putObject(b -> b.bucket(LOGS).key("logs/2022-10-20-10-00-00-DAMAGED"), RequestBody.fromBytes(withInvalidUtf8));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(itemsFrom("logs/2022-10-20-08-00-00-PLAIN")).isEqualTo(expected(views("P", t, 10, "x"), t, "P", "blog/a", "/", "about.htm"));
            assertThat(itemsFrom("logs/2022-10-20-09-00-00-GZIP")).isEqualTo(expected(views("G", t, 8, "x"), t, "G", "blog/b"));
        });
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Map<String, String> d = itemsFrom("logs/2022-10-20-10-00-00-DAMAGED");
            assertThat(d).hasSize(6).containsKeys("blog/c|" + (t + 100) + "#U1", "blog/c|" + (t + 101) + "#U2");
            List<JsonNode> letters = deadLetters("logs/2022-10-20-10-00-00-DAMAGED");
            assertThat(letters).hasSize(1);
            assertThat(letters.get(0).path("reason").asText()).startsWith("1 of 7 lines could not be parsed");
            assertThat(letters.get(0).path("details").path("listedBadLines").get(0).path("line").asInt()).isEqualTo(2);
            assertThat(letters.get(0).path("source").asText()).isEqualTo("s3://" + LOGS + "/logs/2022-10-20-10-00-00-DAMAGED");
        });
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (String page : List.of("blog/a", "/", "about.htm", "blog/b", "blog/c")) {
                assertThat(hourlyFromAggregates(page)).as(page).isEqualTo(hourlyFromItems(page)).isNotEmpty();
            }
        });
        assertThat(faults.partials.get() + faults.throttles.get()).as("faults were injected on the app's client").isPositive();
    }

    static List<JsonNode> deadLetters(String logKey) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String text : S3Objects.texts(s3, "landfall-dead-letter", "dead-letter/page-views/").values()) {
            JsonNode n = JSON.readTree(text);
            if (logKey.equals(n.path("details").path("key").asText())) {
                out.add(n);
            }
        }
        return out;
    }

    static String event(String... keys) {
        return S3Events.created(s3, LOGS, keys);
    }

    static void announce(String message) {
        String url = sqs.getQueueUrl(b -> b.queueName(QUEUE)).queueUrl();
        sqs.sendMessage(b -> b.queueUrl(url).messageBody(message));
    }

    /**
     * A notification for an object another replica is working on is not dropped: its message stays on the queue, and
     * when that replica's claim goes (it died, its lease ran out) the object is ingested here. With the message deleted
     * on receipt (deleteAfterRead, as before) this object is never ingested.
     */
    @Test
    void aNotificationOfAnObjectClaimedElsewhereStaysUntilItIsDone() throws Exception {
        long t = 1_666_400_000L;
        String key = "events/claimed-elsewhere.log";
        put(key, views("H", t, 4, "blog/h/index.html"), false);
        String etag = s3.headObject(b -> b.bucket(LOGS).key(key)).eTag().replace("\"", "");
        Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> claim = Map.of(
                "pk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("messages#" + LOGS + "/" + key + "#" + etag),
                "state", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("IN_PROGRESS"),
                "owner", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("another-replica:1"),
                "leaseUntil", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromN(Long.toString(Long.MAX_VALUE / 2)),
                "expiresAt", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromN(Long.toString(Long.MAX_VALUE / 2000)));
        ddb.putItem(b -> b.tableName("landfall-state").item(claim));
        announce(event(key));
        String url = sqs.getQueueUrl(b -> b.queueName(QUEUE)).queueUrl();
        // received (and received again after each visibility timeout), never deleted, nothing ingested here
        long before = sqsReceipts();
        await().atMost(Duration.ofSeconds(30)).until(() -> sqsReceipts() >= before + 2);
        assertThat(messagesOn(url)).as("the notification is still on the queue").isEqualTo(1);
        assertThat(itemsFrom(key)).isEmpty();
        // the other replica's claim goes: the next delivery ingests it, and then the message is deleted
        ddb.deleteItem(b -> b.tableName("landfall-state").key(Map.of("pk", claim.get("pk"))));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(itemsFrom(key)).isEqualTo(expected(views("H", t, 4, "x"), t, "H", "blog/h")));
        await().atMost(Duration.ofSeconds(30)).until(() -> messagesOn(url) == 0);
    }

    /** Messages the app's SQS arrival route has taken from the queue so far. */
    private static long sqsReceipts() {
        return app.context().getCamelContextExtension().getContextPlugin(org.apache.camel.api.management.ManagedCamelContext.class)
                .getManagedRoute("page-views-arrivals-sqs").getExchangesTotal();
    }

    private static int messagesOn(String url) {
        var a = sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(
                software.amazon.awssdk.services.sqs.model.QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                software.amazon.awssdk.services.sqs.model.QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return a.values().stream().mapToInt(Integer::parseInt).sum();
    }

    @Test
    void theSqsPathLandsAnnouncedObjectsIgnoringTestEvents() throws Exception {
        long t = 1_666_300_000L;
        put("events/a b.log", views("S", t, 5, "blog/s/index.html"), false);
        put("events/c.log", views("T", t, 3, "blog/t/index.html"), false);
        announce("{\"Service\":\"Amazon S3\",\"Event\":\"s3:TestEvent\",\"Time\":\"2022-10-20T08:00:00.000Z\",\"Bucket\":\"" + LOGS + "\"}");
        announce(event("events/a b.log", "events/c.log"));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(itemsFrom("events/a b.log")).isEqualTo(expected(views("S", t, 5, "x"), t, "S", "blog/s"));
            assertThat(itemsFrom("events/c.log")).isEqualTo(expected(views("T", t, 3, "x"), t, "T", "blog/t"));
        });
    }

    @Test
    void aChunkThatCannotBeWrittenFailsItsWholeObjectWhichThenLandsOnceWithAggregatesAddedOnce() throws Exception {
        long t = 1_666_500_000L;
        String key = "logs/2022-10-23-08-00-00-UNWRITABLE";
        EndpointSends ingests = EndpointSends.to(app.context(), "direct://page-views-ingest",
                e -> e.getMessage().getBody() instanceof S3ObjectRef r && key.equals(r.key()));
        // only the BatchWriteItem calls that hold the second page fail; the calls of the first page are written before
        List<String> lines = new ArrayList<>(views("U", t, 1000, "blog/written/index.html"));
        lines.addAll(views("V", t + 2000, 300, "blog/unwritable/index.html"));
        // every call holding that page fails (beyond the writer's and the route's retries) until the object's attempt failed
        writeFailures.remaining.set(Integer.MAX_VALUE);
        put(key, lines, false);
        String arrival = S3ObjectRef.of(LOGS, key, s3.headObject(b -> b.bucket(LOGS).key(key)).eTag()).arrivalKey();
        var claims = app.bean("idempotentRepository", dev.landfall.common.DynamoDbIdempotentRepository.class);
        try {
            String state = await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20)).until(() -> {
                var claim = claims.item(arrival);
                return claim == null ? null : claim.get(dev.landfall.common.StateTable.STATE).s();
            }, s -> s != null && !dev.landfall.common.DynamoDbIdempotentRepository.IN_PROGRESS.equals(s));
            writeFailures.remaining.set(0);
            // not confirmed with a chunk missing: the claim is free again, nothing of the object was counted
            assertThat(state).isEqualTo(dev.landfall.common.DynamoDbIdempotentRepository.FAILED);
            assertThat(hourlyFromAggregates("blog/written")).isEmpty();
        } finally {
            writeFailures.remaining.set(0);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> itemsFrom(key).size() == 1300);
        await().atMost(Duration.ofSeconds(30)).until(() -> hourlyFromAggregates("blog/unwritable").values().stream()
                .mapToLong(Long::longValue).sum() == 300);
        // the failed attempt(s) added nothing to the aggregates: each page's views are counted once
        assertThat(hourlyFromAggregates("blog/written")).isEqualTo(hourlyFromItems("blog/written"));
        assertThat(hourlyFromAggregates("blog/written").values().stream().mapToLong(Long::longValue).sum()).isEqualTo(1000);
        assertThat(hourlyFromAggregates("blog/unwritable")).isEqualTo(hourlyFromItems("blog/unwritable"));
        assertThat(ingests.count()).as("ingests of the object (its retries read it again within one)").isPositive();
    }

    @Test
    void anObjectAnnouncedTwiceAndAlsoPolledIsIngestedOnce() throws Exception {
        long t = 1_666_400_000L;
        String key = "logs/2022-10-22-08-00-00-TWICE";
        EndpointSends ingests = EndpointSends.to(app.context(), "direct://page-views-ingest",
                e -> e.getMessage().getBody() instanceof S3ObjectRef r && key.equals(r.key()));
        put(key, views("W", t, 6, "blog/w/index.html"), false);
        announce(event(key));
        announce(event(key));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(itemsFrom(key)).isEqualTo(expected(views("W", t, 6, "x"), t, "W", "blog/w")));
        // a marker announced after the duplicates is ingested only once they were dealt with
        put("events/marker.log", views("M", t, 1, "m.html"), false);
        announce(event(key, "events/marker.log"));
        await().atMost(Duration.ofSeconds(60)).until(() -> itemsFrom("events/marker.log").size() == 1);
        assertThat(ingests.count()).as("ingests").isEqualTo(1);
        assertThat(hourlyFromAggregates("blog/w")).isEqualTo(hourlyFromItems("blog/w")).isEqualTo(Map.of(t - t % 3600, 6L));
    }

    static HttpResponse<String> get(String path) throws Exception {
        return get(httpPort, path);
    }

    static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("x-api-key", app.adminKey())
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Views per hour of one page, counted from its items (hour epoch -> views). */
    static Map<Long, Long> hourlyFromItems(String page) {
        Map<Long, Long> out = new java.util.TreeMap<>();
        ddb.queryPaginator(b -> b.tableName(TABLE).consistentRead(true).keyConditionExpression("PageName = :p")
                .expressionAttributeValues(Map.of(":p", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(page))))
                .items().forEach(i -> {
                    long epoch = PageViewItems.epochOf(i.get("SortKey").s());
                    out.merge(epoch - Math.floorMod(epoch, 3600), 1L, Long::sum);
                });
        return out;
    }

    /** Views per hour of one page, from the aggregates kept at ingest (hour epoch -> views). */
    static Map<Long, Long> hourlyFromAggregates(String page) {
        Map<Long, Long> out = new java.util.TreeMap<>();
        ddb.queryPaginator(b -> b.tableName(AGGREGATES).consistentRead(true).keyConditionExpression("Series = :s")
                .expressionAttributeValues(Map.of(":s", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("page#" + page))))
                .items().forEach(i -> out.put(Long.parseLong(i.get("Point").s()), Long.parseLong(i.get("Views").n())));
        return out;
    }

    @Test
    void theAttackParametersOfTheSecurityReviewAreA400AtOnce() throws Exception {
        String huge = "from=9223372036854775806&to=9223372036854775807";
        for (String bad : List.of("/api/page-views/blog/a?" + huge, "/api/page-views/blog/a?granularity=hour&" + huge,
                "/api/page-views/top?" + huge, "/api/page-views/top?from=0&to=9223372036854775807",
                "/api/page-views/blog/a?from=-9223372036854775808", "/api/page-views/blog/a?from=99999999999999999999999",
                "/api/page-views/blog/a?granularity=hour&from=2000-01-01&to=2099-12-31",
                "/api/page-views/top?from=2000-01-01&to=2099-12-31", "/api/page-views/top?limit=9223372036854775807",
                "/api/page-views/blog%00a", "/api/page-views/blog/a%00", "/api/page-views/%0d%0aSet-Cookie:x",
                "/api/page-views/blog%1Fa", "/api/page-views/" + "a".repeat(3000))) {
            long started = System.nanoTime();
            HttpResponse<String> r = get(bad);
            long ms = (System.nanoTime() - started) / 1_000_000;
            assertThat(r.statusCode()).as(bad + " -> " + r.body()).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).path("error").asText()).as(bad).isNotBlank();
            assertThat(ms).as(bad).isLessThan(1000);
        }
        assertThat(JSON.readTree(get("/api/page-views/blog%00a").body()).path("error").asText()).contains("control character");
    }

    @Test
    void healthAnswersAtOnceWhileApiCallsAreHeldAndHeldCallsEndIn503AtTheDeadline() throws Exception {
        gate.close();
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        try {
            HttpClient client = HttpClient.newHttpClient();
            for (int i = 0; i < 30; i++) {
                calls.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                        + "/api/page-views/slow-marker?granularity=hour")).header("x-api-key", app.adminKey()).timeout(Duration.ofSeconds(30)).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> gate.held.get() >= API_CALLS_IN_FLIGHT);
            for (int i = 0; i < 5; i++) {
                long started = System.nanoTime();
                HttpResponse<String> health = get(managementPort, "/observe/health");
                long ms = (System.nanoTime() - started) / 1_000_000;
                assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
                assertThat(ms).as("health while " + gate.held.get() + " API calls are held").isLessThan(1000);
            }
            // the API admits a bounded number of calls; the rest are turned away at once
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() ->
                    calls.stream().filter(java.util.concurrent.CompletableFuture::isDone).count() + gate.held.get() == calls.size());
            for (int i = 0; i < 5; i++) {
                long started = System.nanoTime();
                HttpResponse<String> busy = get("/api/page-views/top");
                assertThat((System.nanoTime() - started) / 1_000_000).as("a turned-away API call").isLessThan(1000);
                assertThat(busy.statusCode()).as(busy.body()).isEqualTo(503);
                assertThat(JSON.readTree(busy.body()).path("error").asText()).isNotBlank();
            }
            // the held calls answer 503 at their deadline, while still held
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> calls.stream().allMatch(java.util.concurrent.CompletableFuture::isDone));
            for (var call : calls) {
                assertThat(call.get().statusCode()).as(call.get().body()).isEqualTo(503);
                assertThat(JSON.readTree(call.get().body()).path("error").asText()).isNotBlank();
            }
        } finally {
            gate.release();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> gate.held.get() == 0);
        assertThat(get("/api/page-views/slow-marker").statusCode()).isEqualTo(200);
    }

    @Test
    void theApiCountsViewsPerPeriodAndRanksPagesAndRejectsBadParameters() throws Exception {
        long day = 1_500_000_000L - 1_500_000_000L % 86400; // a day far from the other tests' data
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            lines.add(view(day + 3600 + i, "A" + i, "blog/api-one/index.html"));
        }
        for (int i = 0; i < 3; i++) {
            lines.add(view(day + 86400 + 7200 + i, "B" + i, "blog/api-one/index.html"));
            lines.add(view(day + 86400 + i, "C" + i, "blog/api-two/index.html"));
        }
        put("logs/2017-07-14-00-00-00-API", lines, false);
        await().atMost(Duration.ofSeconds(60)).until(() -> itemsFrom("logs/2017-07-14-00-00-00-API").size() == 11);
        await().atMost(Duration.ofSeconds(30)).until(() -> hourlyFromAggregates("blog/api-two").equals(Map.of(day + 86400, 3L)));
        // the same object again (a replay): counts must not change
        app.context().createProducerTemplate().sendBody("direct:page-views-ingest",
                new S3ObjectRef(LOGS, "logs/2017-07-14-00-00-00-API", null, -1));

        assertThat(hourlyFromAggregates("blog/api-one")).isEqualTo(hourlyFromItems("blog/api-one"))
                .isEqualTo(Map.of(day + 3600, 5L, day + 86400 + 7200, 3L));
        JsonNode perDay = JSON.readTree(get("/api/page-views/blog/api-one?from=" + day + "&to=" + (day + 2 * 86400) + "&granularity=day").body());
        assertThat(perDay.path("total").asLong()).isEqualTo(8);
        assertThat(perDay.path("counts").get(0).path("views").asLong()).isEqualTo(5);
        assertThat(perDay.path("counts").get(1).path("views").asLong()).isEqualTo(3);
        JsonNode perHour = JSON.readTree(get("/api/page-views/blog/api-one?from=" + day + "&to=" + (day + 86400) + "&granularity=hour").body());
        assertThat(perHour.path("counts")).hasSize(24);
        assertThat(perHour.path("counts").get(1).path("views").asLong()).isEqualTo(5);
        JsonNode top = JSON.readTree(get("/api/page-views/top?from=" + day + "&to=" + (day + 2 * 86400) + "&limit=5").body());
        assertThat(top.path("pages").get(0).path("page").asText()).isEqualTo("blog/api-one");
        assertThat(top.path("pages").get(0).path("views").asLong()).isEqualTo(8);
        assertThat(top.path("pages").get(1).path("views").asLong()).isEqualTo(3);
        assertThat(top.path("daily").get(1).path("views").asLong()).isEqualTo(6);

        for (String bad : List.of("/api/page-views/top?limit=0", "/api/page-views/top?from=yesterday",
                "/api/page-views/blog/api-one?granularity=week", "/api/page-views/top?from=20&to=10")) {
            HttpResponse<String> r = get(bad);
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).path("error").asText()).as(bad).isNotBlank();
        }
    }

    @Test
    void aBackfillDuringLiveIngestLandsEveryObjectOnceAndHonoursTheDateRange() throws Exception {
        long t = 1_666_500_000L;
        EndpointSends ingests = EndpointSends.to(app.context(), "direct://page-views-ingest",
                // S3Proxy briefly lists an object being uploaded under a temporary name (<key>-<uuid>): not one of the 30
                e -> e.getMessage().getBody() instanceof S3ObjectRef r && r.key().matches("logs/2022-11-\\d\\d-00-00-00-BF\\d\\d"));
        Map<String, String> expectedAll = new HashMap<>();
        for (int i = 0; i < 30; i++) {
            String key = String.format("logs/2022-11-%02d-00-00-00-BF%02d", 1 + i % 28, i);
            put(key, views("F" + i + "-", t, 4, "blog/bf/index.html"), false);
            expectedAll.putAll(expected(views("F" + i + "-", t, 4, "x"), t, "F" + i + "-", "blog/bf"));
        }
        for (int day = 19; day <= 23; day++) {
            put(String.format("archive/2022-10-%02d-00-00-00-AR", day), views("R" + day + "-", t, 2, "blog/ar/index.html"), false);
        }
        // live polling of logs/ races with this backfill of the same objects
        assertThat(post("/admin/page-views/backfill?prefix=logs/2022-11-").statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).until(() -> "DONE".equals(JSON.readTree(get("/admin/page-views/backfill").body()).path("status").asText()));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Map<String, String> landed = new HashMap<>();
            for (int i = 0; i < 30; i++) {
                landed.putAll(itemsFrom(String.format("logs/2022-11-%02d-00-00-00-BF%02d", 1 + i % 28, i)));
            }
            assertThat(landed).isEqualTo(expectedAll);
        });
        // again: nothing is ingested twice
        assertThat(post("/admin/page-views/backfill?prefix=logs/2022-11-").statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).until(() -> "DONE".equals(JSON.readTree(get("/admin/page-views/backfill").body()).path("status").asText()));
        assertThat(ingests.count()).as("ingests of the 30 objects").isEqualTo(30);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(hourlyFromAggregates("blog/bf")).isEqualTo(hourlyFromItems("blog/bf")).isEqualTo(Map.of(t - t % 3600, 120L)));

        assertThat(post("/admin/page-views/backfill?prefix=archive/&from=2022-10-20&to=2022-10-21").statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).until(() -> "DONE".equals(JSON.readTree(get("/admin/page-views/backfill").body()).path("status").asText()));
        for (int day = 19; day <= 23; day++) {
            assertThat(itemsFrom(String.format("archive/2022-10-%02d-00-00-00-AR", day))).as("day " + day)
                    .hasSize(day == 20 || day == 21 ? 2 : 0);
        }
        assertThat(hourlyFromAggregates("blog/ar")).isEqualTo(hourlyFromItems("blog/ar")).isEqualTo(Map.of(t - t % 3600, 4L));
        assertThat(post("/admin/page-views/backfill?from=last-week").statusCode()).isEqualTo(400);
        // progress is published in Camel's Prometheus registry
        io.micrometer.core.instrument.MeterRegistry registry = app.context().getRegistry()
                .findSingleByType(io.micrometer.core.instrument.MeterRegistry.class);
        assertThat(registry.find("landfall.backfill.objects.total").tag("pipeline", "page-views").gauge()).isNotNull();
        assertThat(registry.find("landfall.backfill.objects.done").gauge().value()).isEqualTo(2.0);
    }

    static HttpResponse<String> post(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).header("x-api-key", app.adminKey())
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }
}
