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
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landfall.common.S3ObjectRef;
import dev.landfall.local.LocalServers;
import dev.landfall.testing.EndpointSends;
import dev.landfall.testing.FreePorts;
import dev.landfall.testing.LandfallApp;
import dev.landfall.testing.S3Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;

import static dev.landfall.testing.AccessLogLines.view;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Bad lines, damaged and poison objects, and the dead letters they leave, on the real Main and servers: a bad line
 * costs only itself, an object that keeps failing is quarantined once, and every dead letter says where it came
 * from and can be replayed with an answer that tells the outcome.
 */
class PageViewsBadInputRouteTest {

    static final String LOGS = "landfall-site-logs";
    static final String TABLE = "landfall-page-views";
    static final String DEAD_LETTERS = "landfall-dead-letter";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static LocalServers servers;
    static LandfallApp app;
    static S3Client s3;
    static DynamoDbClient ddb;
    static int httpPort;
    static int managementPort;
    static final PoisonReads poison = new PoisonReads();

    /** Fails every GetObject of a key containing POISON while armed, as a dead connection would. */
    static final class PoisonReads implements ExecutionInterceptor {
        final AtomicBoolean armed = new AtomicBoolean(true);
        final AtomicInteger reads = new AtomicInteger();

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            SdkRequest r = context.request();
            if (r instanceof GetObjectRequest get && get.key().contains("POISON")) {
                reads.incrementAndGet();
                if (armed.get()) {
                    throw SdkClientException.create("simulated: connection reset reading " + get.key());
                }
            }
        }
    }

    @BeforeAll
    static void start() throws Exception {
        servers = LocalServers.start(LocalServers.Options.forTests(dir.resolve("servers"), LocalServers.Server.forApp()));
        Map<String, String> props = LandfallApp.testProperties(servers, dir.resolve("app"));
        httpPort = FreePorts.next();
        managementPort = FreePorts.next();
        props.put("camel.server.port", Integer.toString(httpPort));
        props.put("camel.management.port", Integer.toString(managementPort));
        props.put("landfall.page-views.poll-delay-ms", "300");
        props.put("landfall.page-views.backfill.check-ms", "300");
        props.put("landfall.arrivals.max-attempts", "3");
        props.put("landfall.page-views.log-buckets", LOGS + ",landfall-missing-logs");
        app = LandfallApp.start(props, Map.of("poisonReads", poison));
        s3 = app.s3();
        ddb = app.dynamoDb();
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        servers.close();
    }

    static void put(String key, byte[] bytes) {
        s3.putObject(b -> b.bucket(LOGS).key(key), RequestBody.fromBytes(bytes));
    }

    static byte[] text(List<String> lines) {
        return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    static byte[] gzip(byte[] bytes) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(bytes);
        }
        return out.toByteArray();
    }

    static int itemsFrom(String logKey) {
        return (int) ddb.scanPaginator(b -> b.tableName(TABLE).consistentRead(true)
                        .filterExpression("LogKey = :k").expressionAttributeValues(Map.of(":k", AttributeValue.fromS(logKey))))
                .items().stream().count();
    }

    static List<JsonNode> deadLettersOf(String logKey) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (var e : S3Objects.texts(s3, DEAD_LETTERS, "dead-letter/").entrySet()) {
            JsonNode n = JSON.readTree(e.getValue());
            if (n.path("source").asText().endsWith("/" + logKey)) {
                ((ObjectNode) n).put("key", e.getKey());
                out.add(n);
            }
        }
        return out;
    }

    static EndpointSends ingestsOf(String key) {
        return EndpointSends.to(app.context(), "direct://page-views-ingest",
                e -> e.getMessage().getBody() instanceof S3ObjectRef ref && key.equals(ref.key()));
    }

    /** Waits until a later object landed, so that several polls went by after the one under test. */
    static void afterMorePolls(String name) {
        String key = "logs/2022-12-31-00-00-00-" + name;
        put(key, text(List.of(view(1_672_444_800L, "MARK-" + name, "marker.html"))));
        await().atMost(Duration.ofSeconds(60)).until(() -> itemsFrom(key) == 1);
        put(key + "-2", text(List.of(view(1_672_444_801L, "MARK2-" + name, "marker.html"))));
        await().atMost(Duration.ofSeconds(60)).until(() -> itemsFrom(key + "-2") == 1);
    }

    static HttpResponse<String> post(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).header("x-api-key", app.adminKey())
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("x-api-key", app.adminKey())
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode quarantineCheck() throws Exception {
        for (JsonNode check : JSON.readTree(get(managementPort, "/observe/health").body()).path("checks")) {
            if ("quarantine".equals(check.path("name").asText())) {
                return check;
            }
        }
        throw new AssertionError("no quarantine health check");
    }

    @Test
    void aBadLineCostsOnlyItselfAndTheObjectIsIngestedOnce() throws Exception {
        String key = "logs/2022-12-01-00-00-00-BADLINE";
        EndpointSends ingests = ingestsOf(key);
        List<String> lines = new ArrayList<>();
        long t = 1_669_852_800L;
        for (int i = 1; i <= 1000; i++) {
            lines.add(i == 501 ? view(t + i, "BL" + i, "blog/%zz/index.html")
                    : i == 502 ? view(t + i, "BL" + i, "blog/nul%00/index.html") : view(t + i, "BL" + i, "blog/bl/index.html"));
        }
        put(key, text(lines));
        await().atMost(Duration.ofSeconds(60)).until(() -> itemsFrom(key) == 998);
        await().atMost(Duration.ofSeconds(30)).until(() -> deadLettersOf(key).size() == 1);
        JsonNode letter = deadLettersOf(key).get(0);
        assertThat(letter.path("pipeline").asText()).isEqualTo("page-views");
        assertThat(letter.path("key").asText()).startsWith("dead-letter/page-views/");
        assertThat(letter.path("details").path("listedBadLines").findValuesAsText("line")).containsExactly("501", "502");
        assertThat(letter.path("payload").asText()).contains("blog/%zz/index.html").contains("blog/nul%00/index.html");
        afterMorePolls("BADLINE");
        assertThat(ingests.count()).as("ingests of the object").isEqualTo(1);
        assertThat(deadLettersOf(key)).hasSize(1);

        // replayed unfixed: it fails again, the answer says so and names the same dead letter
        HttpResponse<String> again = post("/admin/dead-letter/replay?key=" + letter.path("key").asText());
        assertThat(again.statusCode()).as(again.body()).isEqualTo(409);
        assertThat(JSON.readTree(again.body()).path("deadLetter").asText()).isEqualTo(letter.path("key").asText());
        assertThat(deadLettersOf(key)).hasSize(1);
        // fixed in place and replayed: the two views land and the answer is 200
        ObjectNode fixed = (ObjectNode) letter.deepCopy();
        fixed.remove("key");
        fixed.put("payload", letter.path("payload").asText().replace("%zz", "zz").replace("nul%00", "nul"));
        s3.putObject(b -> b.bucket(DEAD_LETTERS).key(letter.path("key").asText()), RequestBody.fromBytes(JSON.writeValueAsBytes(fixed)));
        HttpResponse<String> ok = post("/admin/dead-letter/replay?key=" + letter.path("key").asText());
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(itemsFrom(key)).isEqualTo(1000);
    }

    @Test
    void damagedGzipObjectsGoOnceToTheDeadLetterOfTheirPipelineAndAreNotRetriedForEver() throws Exception {
        byte[] whole = gzip(text(List.of(view(1_669_939_200L, "GZ1", "a.html"), view(1_669_939_201L, "GZ2", "b.html"))));
        byte[] truncated = java.util.Arrays.copyOf(whole, whole.length / 2);
        byte[] garbage = new byte[4096];
        new Random(3).nextBytes(garbage);
        garbage[0] = 0x1f;
        garbage[1] = (byte) 0x8b;
        String cut = "logs/2022-12-02-00-00-00-TRUNCATED";
        String noise = "logs/2022-12-02-00-00-00-NOISE";
        EndpointSends cutIngests = ingestsOf(cut);
        EndpointSends noiseIngests = ingestsOf(noise);
        put(cut, truncated);
        put(noise, garbage);
        await().atMost(Duration.ofSeconds(60)).until(() -> deadLettersOf(cut).size() == 1 && deadLettersOf(noise).size() == 1);
        afterMorePolls("GZIP");
        assertThat(cutIngests.count()).as("ingests of the truncated object").isEqualTo(1);
        assertThat(noiseIngests.count()).as("ingests of the noise object").isEqualTo(1);
        for (String key : List.of(cut, noise)) {
            JsonNode letter = deadLettersOf(key).get(0);
            assertThat(letter.path("pipeline").asText()).isEqualTo("page-views");
            assertThat(letter.path("source").asText()).isEqualTo("s3://" + LOGS + "/" + key);
            assertThat(letter.path("key").asText()).startsWith("dead-letter/page-views/");
            assertThat(letter.path("reason").asText()).containsIgnoringCase("gzip");
            // replayed as it is: answered at once with the outcome (it fails again, the same dead letter)
            long started = System.nanoTime();
            HttpResponse<String> r = post("/admin/dead-letter/replay?key=" + letter.path("key").asText());
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
            assertThat(JSON.readTree(r.body()).path("deadLetter").asText()).isEqualTo(letter.path("key").asText());
        }
        assertThat(deadLettersOf(cut)).hasSize(1);
    }

    @Test
    void anObjectThatKeepsFailingIsQuarantinedOnceShownInHealthAndCanBeReplayed() throws Exception {
        String key = "logs/2022-12-03-00-00-00-POISON";
        put(key, text(List.of(view(1_670_025_600L, "PO1", "poison.html"), view(1_670_025_601L, "PO2", "poison.html"))));
        await().atMost(Duration.ofSeconds(90)).until(() -> deadLettersOf(key).size() == 1);
        JsonNode letter = deadLettersOf(key).get(0);
        assertThat(letter.path("pipeline").asText()).isEqualTo("page-views");
        assertThat(letter.path("reason").asText()).contains("quarantined after 3 attempts").contains("connection reset");
        int reads = poison.reads.get();
        afterMorePolls("QUARANTINE");
        assertThat(poison.reads.get()).as("a quarantined object is not read again").isEqualTo(reads);
        assertThat(deadLettersOf(key)).hasSize(1);
        assertThat(quarantineCheck().path("status").asText()).isEqualTo("DOWN");
        // Camel's health JSON writes '/' as '\/' inside messages
        assertThat(quarantineCheck().path("message").asText().replace("\\/", "/")).contains(key);
        // it needs a person, not a restart: readiness and liveness stay UP
        assertThat(get(managementPort, "/observe/health/ready").statusCode()).isEqualTo(200);

        poison.armed.set(false);
        HttpResponse<String> r = post("/admin/dead-letter/replay?key=" + letter.path("key").asText());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(itemsFrom(key)).isEqualTo(2);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(quarantineCheck().path("status").asText()).isEqualTo("UP"));
    }

    @Test
    void adminEndpointsTakeOnlyTheirOwnInputAndAnswerAtOnce() throws Exception {
        for (String bad : List.of("logs/2022-12-01-00-00-00-BADLINE", "../x", "dead-letter/../logs/x.json", "%2e%2e/x")) {
            long started = System.nanoTime();
            HttpResponse<String> r = post("/admin/dead-letter/replay?key=" + bad);
            assertThat(r.statusCode()).as(bad + " " + r.body()).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).path("error").asText()).as(bad).contains("dead-letter/");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as(bad).isLessThan(Duration.ofSeconds(5));
        }
        HttpResponse<String> missing = post("/admin/dead-letter/replay?key=dead-letter/page-views/2022/01/01/nothing.json");
        assertThat(missing.statusCode()).as(missing.body()).isEqualTo(404);

        HttpResponse<String> other = post("/admin/page-views/backfill?bucket=" + DEAD_LETTERS);
        assertThat(other.statusCode()).as(other.body()).isEqualTo(400);
        assertThat(JSON.readTree(other.body()).path("error").asText()).contains(LOGS);

        int before = S3Objects.texts(s3, DEAD_LETTERS, "dead-letter/").size();
        assertThat(post("/admin/page-views/backfill?bucket=landfall-missing-logs").statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() ->
                "FAILED".equals(JSON.readTree(get(httpPort, "/admin/page-views/backfill").body()).path("status").asText()));
        JsonNode job = JSON.readTree(get(httpPort, "/admin/page-views/backfill").body());
        assertThat(job.path("reason").asText()).contains("landfall-missing-logs");
        afterMorePolls("BACKFILL");
        assertThat(JSON.readTree(get(httpPort, "/admin/page-views/backfill").body()).path("status").asText()).isEqualTo("FAILED");
        assertThat(S3Objects.texts(s3, DEAD_LETTERS, "dead-letter/").size()).as("dead letters written by the failed job").isEqualTo(before);
    }
}
