package dev.landfall.landing;

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
import java.util.zip.GZIPOutputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The landing pipeline on the real Main against S3Proxy and DynamoDB Local: copies, cleaning, change-only records, history. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LandingRouteTest {

    static final String SOURCE_BUCKET = "landfall-scraper";
    static final String LANDING = "landfall-landing";
    static final String TABLE = "landfall-landing";
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
        props.put("landfall.landing.poll-delay-ms", "300");
        props.put("landfall.landing.page-records", "7");
        props.put("landfall.landing.sources", "scraper,prices");
        props.put("landfall.landing.source.prices.bucket", SOURCE_BUCKET);
        props.put("landfall.landing.source.prices.prefix", "csv/");
        props.put("landfall.landing.source.prices.format", "csv");
        props.put("landfall.landing.source.prices.key-fields", "sku");
        props.put("landfall.landing.source.prices.charset", "ISO-8859-1");
        props.put("landfall.landing.multipart-copy-bytes", Long.toString(6L << 20));
        props.put("landfall.landing.copy-part-bytes", Long.toString(5L << 20));
        props.put("landfall.landing.max-parse-bytes", Long.toString(8L << 20));
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

    static byte[] gzip(String s) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(s.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    static String line(String store, String sku, String title, double price) {
        return String.format("{\"store\":\"%s\",\"sku\":\"%s\",\"title\":\"%s\",\"price\":%s,\"seen\":\"%s\"}%n", store, sku, title,
                price, System.nanoTime());
    }

    static List<Map<String, AttributeValue>> items() {
        return new ArrayList<>(ddb.scanPaginator(b -> b.tableName(TABLE).consistentRead(true)).items().stream().toList());
    }

    static List<Map<String, AttributeValue>> itemsOf(String objectKey) {
        return items().stream().filter(i -> i.get(LandingItems.OBJECT_KEY).s().equals(objectKey)).toList();
    }

    static List<String> landed(String prefix) {
        return s3.listObjectsV2Paginator(b -> b.bucket(LANDING).prefix(prefix)).contents().stream().map(S3Object::key).toList();
    }

    static HttpResponse<String> get(String path, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path));
        if (key != null) {
            b.header("x-api-key", key);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static List<JsonNode> deadLetters(String key) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (var e : S3Objects.texts(s3, "landfall-dead-letter", "dead-letter/landing/").entrySet()) {
            JsonNode n = JSON.readTree(e.getValue());
            if (n.path("source").asText().endsWith("/" + key)) {
                out.add(n);
            }
        }
        return out;
    }

    @Test
    @Order(1)
    void aGzippedObjectIsCopiedCleanedAndItsRecordsLand() throws Exception {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            b.append(line("s1", "sku-" + i, "Thing " + i, 10 + i));
        }
        s3.putObject(r -> r.bucket(SOURCE_BUCKET).key("feed/day1.jsonl.gz"), RequestBody.fromBytes(gzip(b.toString())));
        await().atMost(Duration.ofSeconds(20)).until(() -> itemsOf("feed/day1.jsonl.gz").size() == 20
                && landed("clean/scraper/").size() == 1);
        List<String> raw = landed("raw/scraper/");
        assertThat(raw).hasSize(1);
        assertThat(raw.get(0)).matches("raw/scraper/\\d{4}/\\d{2}/\\d{2}/[0-9a-f]{32}/feed/day1\\.jsonl\\.gz");
        HeadObjectResponse head = s3.headObject(r -> r.bucket(LANDING).key(raw.get(0)));
        assertThat(head.metadata()).containsEntry(LandingLoad.META_BUCKET, SOURCE_BUCKET).containsEntry(LandingLoad.META_KEY, "feed%2Fday1.jsonl.gz");
        String clean = s3.getObjectAsBytes(r -> r.bucket(LANDING).key(landed("clean/scraper/").get(0))).asUtf8String();
        assertThat(clean).isEqualTo(b.toString());
        Map<String, AttributeValue> one = itemsOf("feed/day1.jsonl.gz").get(0);
        assertThat(one.get(LandingItems.RECORD).m().get("price").n()).isNotNull();
        assertThat(one.get(LandingItems.SOURCE).s()).isEqualTo("scraper");
    }

    @Test
    @Order(2)
    void onlyNewAndChangedRecordsLandAndTheHistoryServesThem() throws Exception {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            // 3 price changes, a title change, the rest the same (their "seen" field is no change field)
            double price = i < 3 ? 99 : 10 + i;
            b.append(line("s1", "sku-" + i, i == 5 ? "Renamed" : "Thing " + i, price));
        }
        b.append(line("s1", "sku-new", "New", 1));
        s3.putObject(r -> r.bucket(SOURCE_BUCKET).key("feed/day2.jsonl"), RequestBody.fromString(b.toString()));
        await().atMost(Duration.ofSeconds(20)).until(() -> itemsOf("feed/day2.jsonl").size() == 5);
        // the same records again under another key: nothing new
        s3.putObject(r -> r.bucket(SOURCE_BUCKET).key("feed/day2-again.jsonl"), RequestBody.fromString(b.toString()));
        await().atMost(Duration.ofSeconds(20)).until(() -> landed("clean/scraper/").size() == 3);
        assertThat(itemsOf("feed/day2-again.jsonl")).isEmpty();
        assertThat(items()).hasSize(25);

        HttpResponse<String> r = get("/api/landing/scraper/s1/sku-1/history", app.readerKey());
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode h = JSON.readTree(r.body());
        assertThat(h.path("versions").size()).isEqualTo(2);
        assertThat(h.path("versions").get(0).path("record").path("price").asDouble()).isEqualTo(11.0);
        assertThat(h.path("versions").get(1).path("record").path("price").asDouble()).isEqualTo(99.0);
        assertThat(get("/api/landing/scraper/s1/sku-1/history", null).statusCode()).isEqualTo(401);
        assertThat(get("/api/landing/scraper/s1/nope/history", app.readerKey()).statusCode()).isEqualTo(404);
        assertThat(get("/api/landing/scraper/s1/history", app.readerKey()).statusCode()).isEqualTo(400);
    }

    @Test
    @Order(3)
    void badRecordsGoToTheDeadLetterAndTheRestLands() throws Exception {
        String text = line("s2", "a", "A", 1) + "this is not json\n" + "{\"store\":\"s2\",\"title\":\"no sku\"}\n" + "[1,2]\n"
                + line("s2", "b", "B", 2);
        s3.putObject(r -> r.bucket(SOURCE_BUCKET).key("feed/bad.jsonl"), RequestBody.fromString(text));
        await().atMost(Duration.ofSeconds(20)).until(() -> deadLetters("feed/bad.jsonl").size() == 1);
        assertThat(itemsOf("feed/bad.jsonl")).hasSize(2);
        JsonNode letter = deadLetters("feed/bad.jsonl").get(0);
        assertThat(letter.path("kind").asText()).isEqualTo("bad-records");
        assertThat(letter.toString()).contains("\"line\":2").contains("\"line\":3").contains("\"line\":4").contains("no natural-key field 'sku'");
    }

    @Test
    @Order(4)
    void aTruncatedGzipLandsWhatCameBeforeAndSaysWhy() throws Exception {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            b.append(line("s3", "t-" + i, "T", i));
        }
        byte[] gz = gzip(b.toString());
        byte[] cut = java.util.Arrays.copyOf(gz, gz.length / 2);
        s3.putObject(r -> r.bucket(SOURCE_BUCKET).key("feed/cut.jsonl.gz"), RequestBody.fromBytes(cut));
        await().atMost(Duration.ofSeconds(20)).until(() -> deadLetters("feed/cut.jsonl.gz").size() == 1);
        JsonNode letter = deadLetters("feed/cut.jsonl.gz").get(0);
        assertThat(letter.path("kind").asText()).isEqualTo("damaged-object");
        assertThat(letter.path("reason").asText()).contains("damaged gzip");
        assertThat(itemsOf("feed/cut.jsonl.gz").size()).isGreaterThan(0).isLessThan(2000);
        assertThat(landed("raw/scraper/").stream().filter(k -> k.endsWith("/feed/cut.jsonl.gz"))).hasSize(1);
    }

    @Test
    @Order(5)
    void aLatin1CsvWithABadRowIsDecodedByItsCharset() throws Exception {
        byte[] csv = "sku,title,price\nk1,Caf\u00e9,3.5\nk2,too,many,fields\nk3,Na\u00efve,4\n".getBytes(StandardCharsets.ISO_8859_1);
        s3.putObject(r -> r.bucket(SOURCE_BUCKET).key("csv/p.csv"), RequestBody.fromBytes(csv));
        await().atMost(Duration.ofSeconds(20)).until(() -> itemsOf("csv/p.csv").size() == 2 && deadLetters("csv/p.csv").size() == 1);
        Map<String, AttributeValue> k1 = itemsOf("csv/p.csv").stream()
                .filter(i -> i.get(LandingItems.RECORD).m().get("sku").s().equals("k1")).findFirst().orElseThrow();
        assertThat(k1.get(LandingItems.RECORD).m().get("title").s()).isEqualTo("Caf\u00e9");
        assertThat(k1.get(LandingItems.RECORD).m().get("price").n()).isEqualTo("3.5");
        assertThat(deadLetters("csv/p.csv").get(0).toString()).contains("has 4 fields, the header 3");
        String clean = s3.getObjectAsBytes(r -> r.bucket(LANDING).key(landed("clean/prices/").get(0))).asUtf8String();
        assertThat(clean).contains("Caf\u00e9").contains("Na\u00efve");
    }

    @Test
    @Order(6)
    void theSameObjectVersionAgainCopiesAndWritesNothing() {
        int before = items().size();
        S3Object day1 = s3.listObjectsV2(b -> b.bucket(SOURCE_BUCKET).prefix("feed/day1")).contents().get(0);
        String eTag = day1.eTag().replace("\"", "");
        var reply = app.context().createProducerTemplate().request("direct:landing-load",
                e -> e.getMessage().setBody(dev.landfall.common.S3ObjectRef.of(SOURCE_BUCKET, day1.key(), eTag)));
        assertThat(reply.getException()).isNull();
        assertThat(reply.getMessage().getHeader("landfallSummary", String.class))
                .contains("(already there)").contains("records=20 new=0");
        // its records that differ from today's latest versions (day2 changed them) are written again under their own
        // keys: the table is as it was, and the latest versions stay day2's
        assertThat(items()).hasSize(before);
        assertThat(items().stream().filter(i -> i.get(LandingItems.OBJECT_KEY).s().equals("feed/day1.jsonl.gz"))).hasSize(20);
        assertThat(landed("raw/scraper/").stream().filter(k -> k.endsWith("/feed/day1.jsonl.gz"))).hasSize(1);
    }

    @Test
    @Order(7)
    void anObjectOverTheCopyLimitIsCopiedInPartsAndOneOverTheParseLimitIsNotParsed() throws Exception {
        // 12 MB: three parts of 5 MB at most; over the 8 MB parse limit
        StringBuilder b = new StringBuilder();
        for (int i = 0; b.length() < 12 << 20; i++) {
            b.append(line("s4", "big-" + i, "x".repeat(100), i));
        }
        byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
        s3.putObject(r -> r.bucket(SOURCE_BUCKET).key("feed/big.jsonl"), RequestBody.fromBytes(bytes));
        await().atMost(Duration.ofSeconds(60)).until(() -> deadLetters("feed/big.jsonl").size() == 1);
        JsonNode letter = deadLetters("feed/big.jsonl").get(0);
        assertThat(letter.path("kind").asText()).isEqualTo("not-parsed");
        assertThat(letter.path("reason").asText()).contains("over the parse limit");
        String raw = landed("raw/scraper/").stream().filter(k -> k.endsWith("/feed/big.jsonl")).findFirst().orElseThrow();
        HeadObjectResponse head = s3.headObject(r -> r.bucket(LANDING).key(raw));
        // a multipart object's ETag is <md5 of the parts' md5s>-<parts>
        assertThat(head.eTag()).endsWith("-3\"");
        assertThat(head.metadata()).containsEntry(LandingLoad.META_KEY, "feed%2Fbig.jsonl");
        assertThat(java.util.Arrays.equals(s3.getObjectAsBytes(r -> r.bucket(LANDING).key(raw)).asByteArray(), bytes)).isTrue();
        assertThat(itemsOf("feed/big.jsonl")).isEmpty();
        assertThat(landed("clean/scraper/").stream().filter(k -> k.endsWith("/feed/big.jsonl"))).isEmpty();
    }

    @Test
    @Order(8)
    void aNewVersionOfTheSameKeyLandsBesideTheOld() throws Exception {
        String text = line("s5", "v", "Versioned", 1);
        s3.putObject(r -> r.bucket(SOURCE_BUCKET).key("feed/versioned.jsonl"), RequestBody.fromString(text));
        await().atMost(Duration.ofSeconds(20)).until(() -> itemsOf("feed/versioned.jsonl").size() == 1);
        s3.putObject(r -> r.bucket(SOURCE_BUCKET).key("feed/versioned.jsonl"), RequestBody.fromString(line("s5", "v", "Versioned", 2)));
        await().atMost(Duration.ofSeconds(20)).until(() -> itemsOf("feed/versioned.jsonl").size() == 2);
        assertThat(landed("raw/scraper/").stream().filter(k -> k.endsWith("/feed/versioned.jsonl"))).hasSize(2);
        assertThat(landed("clean/scraper/").stream().filter(k -> k.endsWith("/feed/versioned.jsonl"))).hasSize(2);
    }
}
