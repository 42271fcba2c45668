package dev.landfall.directory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landfall.common.S3ObjectRef;
import dev.landfall.local.LocalServers;
import dev.landfall.testing.FreePorts;
import dev.landfall.testing.LandfallApp;
import dev.landfall.testing.S3Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The directory pipeline on the real Main against S3Proxy and DynamoDB Local: drops, generations, the API. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DirectoryRouteTest {

    static final String BUCKET = "landfall-directory";
    static final String TABLE = "landfall-directory";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static LocalServers servers;
    static LandfallApp app;
    static S3Client s3;
    static DynamoDbClient ddb;
    static int httpPort;

    @BeforeAll
    static void start() throws Exception {
        servers = LocalServers.start(LocalServers.Options.forTests(dir.resolve("servers"), LocalServers.Server.forApp()));
        Map<String, String> props = LandfallApp.testProperties(servers, dir.resolve("app"));
        httpPort = FreePorts.next();
        props.put("camel.server.port", Integer.toString(httpPort));
        props.put("landfall.directory.poll-delay-ms", "300");
        props.put("landfall.directory.api.refresh-ms", "200");
        app = LandfallApp.start(props);
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

    static void drop(String key, String csv) {
        s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString(csv, StandardCharsets.UTF_8));
    }

    static HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).header("x-api-key", app.readerKey());
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static long generation() throws Exception {
        return JSON.readTree(get("/api/directory").body()).path("generation").asLong();
    }

    static List<Map<String, AttributeValue>> items() {
        return new ArrayList<>(ddb.scanPaginator(b -> b.tableName(TABLE).consistentRead(true)).items().stream().toList());
    }

    static String csv(int departments, int members, String changedDepartment) {
        StringBuilder b = new StringBuilder("department,employee,name,grade,remote\n");
        for (int d = 0; d < departments; d++) {
            for (int m = 0; m < members; m++) {
                String dept = String.format("dept-%02d", d);
                String grade = dept.equals(changedDepartment) && m == 0 ? "99" : Integer.toString(m % 9);
                b.append(dept).append(',').append(String.format("%04d", m)).append(",\"Name, ").append(m).append("\",")
                        .append(grade).append(',').append(m % 2 == 0).append('\n');
            }
        }
        return b.toString();
    }

    @Test
    @Order(1)
    void aDropIsServedAsPlainJsonWithAnETag() throws Exception {
        drop("drops/day1.csv", csv(5, 3, null));
        await().atMost(Duration.ofSeconds(20)).until(() -> get("/api/directory/dept-01").statusCode() == 200);
        HttpResponse<String> r = get("/api/directory/dept-01");
        JsonNode doc = JSON.readTree(r.body());
        assertThat(doc.path("department").asText()).isEqualTo("dept-01");
        assertThat(doc.path("generation").asLong()).isEqualTo(1);
        assertThat(doc.path("members").size()).isEqualTo(3);
        JsonNode m = doc.path("members").path("0001");
        assertThat(m.path("name").asText()).isEqualTo("Name, 1");
        assertThat(m.path("grade").isNumber()).isTrue();
        assertThat(m.path("remote").isBoolean()).isTrue();
        String etag = r.headers().firstValue("ETag").orElseThrow();
        assertThat(get("/api/directory/dept-01", "If-None-Match", etag).statusCode()).isEqualTo(304);
        HttpResponse<String> missing = get("/api/directory/nope");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(missing.body()).path("message").asText()).contains("nope");
        assertThat(items()).hasSize(5);

        JsonNode page = JSON.readTree(get("/api/directory?limit=2").body());
        assertThat(page.path("departments").toString()).isEqualTo("[\"dept-00\",\"dept-01\"]");
        JsonNode next = JSON.readTree(get("/api/directory?limit=2&cursor=" + page.path("next_cursor").asText()).body());
        assertThat(next.path("departments").toString()).isEqualTo("[\"dept-02\",\"dept-03\"]");
        assertThat(JSON.readTree(get("/api/directory?prefix=dept-04").body()).path("departments").toString()).isEqualTo("[\"dept-04\"]");
        assertThat(get("/api/directory?limit=0").statusCode()).isEqualTo(400);
        assertThat(get("/api/directory?cursor=***").statusCode()).isEqualTo(400);
    }

    @Test
    @Order(2)
    void aNewerDropWritesOnlyWhatChangedAndWhatIsGoneStopsBeingServed() throws Exception {
        // dept-04 gone, dept-02 changed
        drop("drops/day2.csv", csv(4, 3, "dept-02"));
        await().atMost(Duration.ofSeconds(20)).until(() -> generation() == 2);
        assertThat(get("/api/directory/dept-04").statusCode()).isEqualTo(404);
        JsonNode changed = JSON.readTree(get("/api/directory/dept-02").body());
        assertThat(changed.path("members").path("0000").path("grade").asInt()).isEqualTo(99);
        assertThat(changed.path("generation").asLong()).isEqualTo(2);
        assertThat(JSON.readTree(get("/api/directory/dept-01").body()).path("generation").asLong()).isEqualTo(1);
        // 5 of day 1 + 1 changed; the gone and the superseded versions carry a TTL, the served ones none
        List<Map<String, AttributeValue>> items = items();
        assertThat(items).hasSize(6);
        assertThat(items.stream().filter(i -> i.containsKey(DirectoryDocuments.EXPIRES_AT))
                .map(i -> i.get(DirectoryDocuments.DEPARTMENT).s()).sorted().toList()).containsExactly("dept-02", "dept-04");
        long ttl = Long.parseLong(items.stream().filter(i -> i.containsKey(DirectoryDocuments.EXPIRES_AT)).findFirst().orElseThrow()
                .get(DirectoryDocuments.EXPIRES_AT).n());
        assertThat(Instant.ofEpochSecond(ttl)).isBetween(Instant.now().plus(Duration.ofDays(7)).minusSeconds(120),
                Instant.now().plus(Duration.ofDays(7)).plusSeconds(120));
    }

    @Test
    @Order(3)
    void theSameContentAgainWritesNothingAndAnOlderDropDoesNotReplaceANewerOne() throws Exception {
        app.context().getRouteController().stopRoute("directory-arrivals-poll-demo");
        try {
            drop("drops/older.csv", csv(2, 1, null));
            Instant older = s3.headObject(b -> b.bucket(BUCKET).key("drops/older.csv")).lastModified();
            await().atMost(Duration.ofSeconds(5)).until(() -> Instant.now().isAfter(older.plusSeconds(1)));
            drop("drops/day3.csv", csv(4, 3, "dept-02"));
            int before = items().size();
            // the newer one first: its documents are those of generation 2
            arrive("drops/day3.csv");
            assertThat(generation()).isEqualTo(2);
            assertThat(items()).hasSize(before);
            // then the older one: skipped
            arrive("drops/older.csv");
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> generation() == 2);
            assertThat(items()).hasSize(before);
            assertThat(get("/api/directory/dept-03").statusCode()).isEqualTo(200);
        } finally {
            app.context().getRouteController().startRoute("directory-arrivals-poll-demo");
        }
    }

    private static void arrive(String key) {
        var head = s3.headObject(b -> b.bucket(BUCKET).key(key));
        app.context().createProducerTemplate().sendBody("direct:s3-arrival-directory-demo",
                new S3ObjectRef(BUCKET, key, head.eTag(), head.contentLength()));
    }

    @Test
    @Order(4)
    void badRowsGoToOneDeadLetterWithTheirLinesAndAFileWithoutAKeyColumnKeepsTheGeneration() throws Exception {
        long gen = generation();
        drop("drops/nokey.csv", "dept,employee\nx,1\n");
        await().atMost(Duration.ofSeconds(20)).until(() -> deadLetters("drops/nokey.csv").size() == 1);
        assertThat(deadLetters("drops/nokey.csv").get(0).path("reason").asText()).contains("no column 'department'");
        assertThat(generation()).isEqualTo(gen);

        drop("drops/bad.csv", "department,employee,name\nops,1,a\nops,2\nops,1,b\nhr,7,c\n");
        await().atMost(Duration.ofSeconds(20)).until(() -> generation() == gen + 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters("drops/bad.csv").size() == 1);
        JsonNode letter = deadLetters("drops/bad.csv").get(0);
        assertThat(letter.path("kind").asText()).isEqualTo("bad-rows");
        assertThat(letter.path("details").path("rows").toString()).contains("\"lines\":[2,4]").contains("\"lines\":[3]");
        assertThat(JSON.readTree(get("/api/directory/hr").body()).path("members").has("7")).isTrue();
        assertThat(get("/api/directory/ops").statusCode()).isEqualTo(404);
    }

    @Test
    @Order(5)
    void theOpenApiDocumentDescribesTheDirectoryApi() throws Exception {
        HttpResponse<String> r = get("/api/openapi.json");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode doc = JSON.readTree(r.body());
        assertThat(doc.path("openapi").asText()).startsWith("3.");
        assertThat(doc.path("paths").has("/api/directory")).isTrue();
        assertThat(doc.path("paths").has("/api/directory/{department}")).isTrue();
        assertThat(doc.path("paths").path("/api/directory").path("get").path("parameters").toString()).contains("cursor");
        // keyed like every endpoint (any key's plan may read it: it holds no data)
        HttpResponse<String> anonymous = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + httpPort + "/api/openapi.json")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
    }

    @Test
    @Order(6)
    void aDocumentOverTheItemLimitIsStoredInPartsAndServedWhole() throws Exception {
        StringBuilder csv = new StringBuilder("department,employee,bio\n");
        for (int i = 0; i < 1000; i++) {
            csv.append("huge,").append(String.format("%04d", i)).append(',').append("x".repeat(1000)).append('\n');
        }
        csv.append("small,1,y\n");
        drop("drops/huge.csv", csv.toString());
        await().atMost(Duration.ofSeconds(30)).until(() -> get("/api/directory/huge").statusCode() == 200);
        JsonNode doc = JSON.readTree(get("/api/directory/huge").body());
        assertThat(doc.path("members").size()).isEqualTo(1000);
        assertThat(doc.path("members").path("0999").path("bio").asText()).hasSize(1000);
        long parts = items().stream().filter(i -> i.get(DirectoryDocuments.DEPARTMENT).s().equals("huge")).count();
        assertThat(parts).isEqualTo(3);
    }

    static List<JsonNode> deadLetters(String key) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (var e : S3Objects.texts(s3, "landfall-dead-letter", "dead-letter/directory/").entrySet()) {
            JsonNode n = JSON.readTree(e.getValue());
            if (n.path("source").asText().endsWith("/" + key)) {
                out.add(n);
            }
        }
        return out;
    }
}
