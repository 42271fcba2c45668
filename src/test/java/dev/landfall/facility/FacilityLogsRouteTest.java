package dev.landfall.facility;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landfall.common.DynamoDbIdempotentRepository;
import dev.landfall.common.PipelineMetrics;
import dev.landfall.local.LocalServers;
import dev.landfall.testing.EndpointSends;
import dev.landfall.testing.FreePorts;
import dev.landfall.testing.LandfallApp;
import dev.landfall.testing.LogCapture;
import dev.landfall.testing.S3Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The facility-logs pipeline on the real Main, S3Proxy, DynamoDB Local and FtpServer. */
class FacilityLogsRouteTest {

    static final String BUCKET = "landfall-facility-logs";
    static final String DEAD_LETTERS = "landfall-dead-letter";
    static final String HEADER = "event_timestamp,sensor,value";

    @TempDir
    static Path dir;
    static LocalServers servers;
    static LandfallApp app;
    static S3Client s3;
    static int httpPort;
    static MonthWriteFailures monthWriteFailures = MonthWriteFailures.unreachable("unwritable/201602");
    static MonthWriteFailures monthWriteRefusals = MonthWriteFailures.refused("refused/201605");

    @BeforeAll
    static void start() throws Exception {
        servers = LocalServers.start(LocalServers.Options.forTests(dir.resolve("servers")));
        Map<String, String> props = LandfallApp.testProperties(servers, dir.resolve("app"));
        httpPort = FreePorts.next();
        props.put("camel.server.port", Integer.toString(httpPort));
        facility(props, "growing");
        facility(props, "bad");
        facility(props, "badheader");
        facility(props, "headerchange");
        facility(props, "multiline");
        facility(props, "sameminute");
        facility(props, "unwritable");
        facility(props, "refused");
        app = LandfallApp.start(props, Map.of("facilityMonthWriteFailures", monthWriteFailures,
                "facilityMonthWriteRefusals", monthWriteRefusals));
        s3 = app.s3();
    }

    static void facility(Map<String, String> props, String name) {
        String p = "camel.routeTemplate[facility-logs-poll-" + name + "].";
        props.put(p + "templateId", "facility-logs-ftp");
        props.put(p + "name", name);
        props.put(p + "host", "127.0.0.1");
        props.put(p + "port", Integer.toString(servers.ftpPort()));
        props.put(p + "user", LocalServers.FTP_USER);
        props.put(p + "password", LocalServers.FTP_PASSWORD);
        props.put(p + "path", "/" + name);
        props.put(p + "fileName", "log.csv");
        props.put(p + "prefix", name + "/");
        props.put(p + "pollInterval", "300");
        props.put(p + "readLockCheckInterval", "200");
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        servers.close();
    }

    static Path file(String facility) throws Exception {
        Path f = servers.ftpHome().resolve(facility).resolve("log.csv");
        Files.createDirectories(f.getParent());
        return f;
    }

    static void append(Path file, List<String> rows) throws Exception {
        if (!Files.exists(file)) {
            Files.writeString(file, HEADER + "\n", StandardCharsets.UTF_8);
        }
        Files.writeString(file, String.join("\n", rows) + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    /** The monthly objects a correct merge must produce: first value per timestamp, sorted, header first. */
    static Map<String, String> expected(String prefix, List<String> rows) {
        Map<String, String> firstByTs = new TreeMap<>();
        for (String r : rows) {
            firstByTs.putIfAbsent(r.substring(0, 17), r);
        }
        Map<String, StringBuilder> months = new TreeMap<>();
        firstByTs.forEach((ts, r) -> months.computeIfAbsent(prefix + ts.substring(0, 6), k -> new StringBuilder(HEADER + "\n"))
                .append(r).append('\n'));
        Map<String, String> out = new LinkedHashMap<>();
        months.forEach((k, v) -> out.put(k, v.toString()));
        return out;
    }

    static List<String> rows(String month, int fromHour, int count, String sensor) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int h = fromHour + i;
            out.add(String.format("%s%02d:%02d:00:00,%s,%d", month, 1 + h / 24, h % 24, sensor, h));
        }
        return out;
    }

    @Test
    void aGrowingFileOverThreeMonthsLandsOncePerTimestamp() throws Exception {
        Path f = file("growing");
        List<String> all = new ArrayList<>();
        List<String> first = new ArrayList<>();
        first.addAll(rows("201608", 0, 30, "s1"));
        first.addAll(rows("201607", 10, 20, "s1"));
        first.addAll(rows("201609", 5, 10, "s1"));
        first.add(first.get(3)); // the same row twice in one file
        all.addAll(first);
        append(f, first);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(S3Objects.texts(s3, BUCKET, "growing/")).isEqualTo(expected("growing/", all)));

        // the file grows: new rows, late rows for July, rows already stored
        List<String> second = new ArrayList<>(rows("201609", 15, 10, "s1"));
        second.addAll(rows("201607", 0, 10, "s1"));
        second.addAll(rows("201608", 0, 5, "s1"));
        all.addAll(second);
        append(f, second);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(S3Objects.texts(s3, BUCKET, "growing/")).isEqualTo(expected("growing/", all)));
        PipelineMetrics metrics = app.bean("pipelineMetrics", PipelineMetrics.class);
        assertThat(metrics.count("facility-logs", "landed")).isGreaterThanOrEqualTo(80);
    }

    @Test
    void badRowsAndConflictsGoToTheDeadLetterWithReasonsAndTheRestLands() throws Exception {
        Path f = file("bad");
        List<String> good = rows("201610", 0, 5, "s2");
        List<String> content = new ArrayList<>(good);
        content.add(2, "2016-10-01 05:00:00,s2,99");
        content.add(4, "20161001:06:00:00,s2");
        append(f, content);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(S3Objects.texts(s3, BUCKET, "bad/")).isEqualTo(expected("bad/", good)));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(deadLetters("bad"))
                .extracting(d -> d.get("reason"))
                .containsExactlyInAnyOrder("event_timestamp '2016-10-01 05:00:00' is not yyyyMMdd:HH:mm:ss",
                        "expected 3 columns, found 2"));
        Map<String, Object> badTs = deadLetters("bad").stream()
                .filter(d -> String.valueOf(d.get("reason")).contains("2016-10-01 05:00:00")).findFirst().orElseThrow();
        assertThat(badTs.get("line")).isEqualTo(4);
        assertThat(String.valueOf(badTs.get("source"))).endsWith("/bad/log.csv");
        assertThat(badTs.get("payload")).isEqualTo(HEADER + "\n2016-10-01 05:00:00,s2,99");

        // the same timestamp again with other values: the stored row stays, both rows go to the dead letter
        String conflicting = good.get(1).replace(",s2,", ",s9,");
        append(f, List.of(conflicting));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(deadLetters("bad"))
                .anySatisfy(d -> {
                    assertThat(String.valueOf(d.get("reason"))).contains("already stored with other values");
                    @SuppressWarnings("unchecked")
                    Map<String, Object> details = (Map<String, Object>) d.get("details");
                    assertThat(details).containsEntry("keptRow", good.get(1)).containsEntry("incomingRow", conflicting);
                }));
        assertThat(S3Objects.texts(s3, BUCKET, "bad/")).isEqualTo(expected("bad/", good));
        // polls of the unchanged file (and of its growth) never dead-letter the same row twice
        append(f, rows("201610", 20, 1, "s2"));
        List<String> withLate = new ArrayList<>(good);
        withLate.addAll(rows("201610", 20, 1, "s2"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(S3Objects.texts(s3, BUCKET, "bad/")).isEqualTo(expected("bad/", withLate)));
        assertThat(deadLetters("bad")).hasSize(3);
    }

    @Test
    void aFileWithoutTheTimestampHeaderGoesWholeToTheDeadLetterAndTheRouteKeepsGoing() throws Exception {
        Path f = file("badheader");
        Files.writeString(f, "time,sensor,value\n20161201:00:00:00,s,1\n", StandardCharsets.UTF_8);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(allDeadLetters())
                .anySatisfy(d -> {
                    assertThat(d.get("pipeline")).isEqualTo("facility-logs");
                    assertThat(String.valueOf(d.get("reason"))).contains("first header column is 'time'");
                    assertThat(String.valueOf(d.get("source"))).endsWith("/badheader/log.csv");
                    assertThat(String.valueOf(d.get("exception"))).contains("BadFileException");
                    assertThat(d.get("payload")).isEqualTo("time,sensor,value\n20161201:00:00:00,s,1\n");
                }));
        assertThat(S3Objects.texts(s3, BUCKET, "badheader/")).isEmpty();
        // the dead-lettered version is done (its key stored at the end of the exchange) but never counts as merged
        DynamoDbIdempotentRepository files = app.bean("fileIdempotentRepository", DynamoDbIdempotentRepository.class);
        String badKey = "badheader/log.csv/" + Files.size(f) + "/" + Files.getLastModifiedTime(f).toMillis();
        await().atMost(Duration.ofSeconds(10)).until(() -> files.contains(badKey));
        assertThat(app.dynamoDb().getItem(b -> b.tableName("landfall-state").consistentRead(true)
                .key(Map.of("pk", AttributeValue.fromS("file-hash#badheader/log.csv")))).item()).isEmpty();
        // the route keeps going: a fixed file lands
        Files.writeString(f, HEADER + "\n20161201:00:00:00,s,1\n", StandardCharsets.UTF_8);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(S3Objects.texts(s3, BUCKET, "badheader/"))
                .isEqualTo(expected("badheader/", List.of("20161201:00:00:00,s,1"))));
    }

    @Test
    void aFileWhoseHeaderDiffersFromTheStoredMonthLogsItsSummaryAndCountsTheMonthsRowsAsDeadLettered() throws Exception {
        Path f = file("headerchange");
        List<String> december = rows("201612", 0, 2, "s1");
        append(f, december);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(S3Objects.texts(s3, BUCKET, "headerchange/")).isEqualTo(expected("headerchange/", december)));
        PipelineMetrics metrics = app.bean("pipelineMetrics", PipelineMetrics.class);
        double deadLetteredBefore = metrics.count("facility-logs", "dead_lettered");

        // the facility adds a column: December's stored object keeps the old header, January is new
        String wider = HEADER + ",unit";
        List<String> late = List.of("20161203:00:00:00,s1,7,kW", "20161203:01:00:00,s1,8,kW");
        List<String> january = List.of("20170101:00:00:00,s1,9,kW");
        try (LogCapture log = LogCapture.attach()) {
            Files.writeString(f, wider + "\n" + String.join("\n", late) + "\n" + String.join("\n", january) + "\n",
                    StandardCharsets.UTF_8);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(log.messages("dev.landfall.facility"))
                    .anySatisfy(line -> assertThat(line).startsWith("facility headerchange: ")
                            .contains("read=3 landed=1 duplicates=0 dead-lettered=2 (new) months=[201701]")));
        }
        assertThat(metrics.count("facility-logs", "dead_lettered")).isEqualTo(deadLetteredBefore + 2);
        assertThat(S3Objects.texts(s3, BUCKET, "headerchange/"))
                .containsEntry("headerchange/201612", expected("headerchange/", december).get("headerchange/201612"))
                .containsEntry("headerchange/201701", wider + "\n" + january.get(0) + "\n");
        assertThat(deadLetters("headerchange")).singleElement().satisfies(d -> {
            assertThat(d.get("kind")).isEqualTo("header-mismatch");
            assertThat(String.valueOf(d.get("reason"))).contains("differs from file header");
            assertThat(d.get("payload")).isEqualTo(wider + "\n" + String.join("\n", late) + "\n");
            @SuppressWarnings("unchecked")
            Map<String, Object> details = (Map<String, Object>) d.get("details");
            assertThat(details).containsEntry("objectKey", "headerchange/201612");
        });
    }

    /** Replaces the file at once with {@code rows} under the header, modified at {@code modified}. */
    static void replace(Path file, List<String> rows, Instant modified) throws Exception {
        Path tmp = file.resolveSibling(".log.csv.tmp");
        Files.writeString(tmp, HEADER + "\n" + String.join("\n", rows) + "\n", StandardCharsets.UTF_8);
        Files.setLastModifiedTime(tmp, FileTime.from(modified));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void aFileRewrittenWithinTheSameMinuteAtTheSameSizeIsReadAgainAndAnUnchangedOneIsNotMergedAgain() throws Exception {
        Path f = file("sameminute");
        // FTP LIST shows both versions as 10:15, same size: only MDTM's seconds tell them apart
        Instant minute = Instant.parse("2026-11-30T10:15:00Z");
        List<String> a = rows("201611", 1, 3, "sa");
        replace(f, a, minute.plusSeconds(5));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(S3Objects.texts(s3, BUCKET, "sameminute/")).isEqualTo(expected("sameminute/", a)));
        List<String> b = rows("201611", 4, 3, "sb");
        assertThat(String.join("\n", b)).hasSameSizeAs(String.join("\n", a));
        replace(f, b, minute.plusSeconds(35));
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(S3Objects.texts(s3, BUCKET, "sameminute/")).isEqualTo(expected("sameminute/", all)));

        // the same bytes again with a later time are read (a new key) but not merged again
        PipelineMetrics metrics = app.bean("pipelineMetrics", PipelineMetrics.class);
        DynamoDbIdempotentRepository files = app.bean("fileIdempotentRepository", DynamoDbIdempotentRepository.class);
        String bKey = "sameminute/log.csv/" + Files.size(f) + "/" + minute.plusSeconds(35).toEpochMilli();
        await().atMost(Duration.ofSeconds(10)).until(() -> files.contains(bKey));
        double readBefore = metrics.count("facility-logs", "read");
        replace(f, b, minute.plusSeconds(50));
        String againKey = "sameminute/log.csv/" + Files.size(f) + "/" + minute.plusSeconds(50).toEpochMilli();
        await().atMost(Duration.ofSeconds(20)).until(() -> files.contains(againKey));
        assertThat(metrics.count("facility-logs", "read")).isEqualTo(readBefore);
        assertThat(S3Objects.texts(s3, BUCKET, "sameminute/")).isEqualTo(expected("sameminute/", all));
    }

    @Test
    void aFileBeyondPlainLinesIsReadTwiceFromTheFtpDownloadAndLandsTheSame() throws Exception {
        Path f = file("multiline");
        // a quoted line break takes the file out of the fast parser's subset: the merge opens the download again
        List<String> first = List.of("20161201:00:00:00,s1,\"two\nlines\"", "20161201:01:00:00,s1,\"a, b\"");
        append(f, first);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(S3Objects.texts(s3, BUCKET, "multiline/")).isEqualTo(expected("multiline/", first)));
        // the stored object, now beyond the subset itself, is merged with the file's growth
        List<String> second = List.of("20161201:00:30:00,s1,plain");
        append(f, second);
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(S3Objects.texts(s3, BUCKET, "multiline/")).isEqualTo(expected("multiline/", all)));
    }

    @Test
    void aFixedDeadLetterCanBeReplayedIntoThePipeline() throws Exception {
        String key = "dead-letter/facility-logs/2026/01/01/replaytest.json";
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("pipeline", "facility-logs");
        entry.put("reason", "event_timestamp bad");
        entry.put("source", "ftp://x/replay/log.csv");
        entry.put("details", Map.of("facility", "replay", "bucket", BUCKET, "prefix", "replay/"));
        entry.put("payloadTruncated", false);
        entry.put("payload", HEADER + "\n20161101:00:00:00,s3,1");
        s3.putObject(b -> b.bucket(DEAD_LETTERS).key(key), RequestBody.fromBytes(new ObjectMapper().writeValueAsBytes(entry)));
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                + "/admin/dead-letter/replay?key=" + key)).header("x-api-key", app.adminKey()).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).as(httpPort + " " + ok.body()).isEqualTo(200);
        assertThat(S3Objects.texts(s3, BUCKET, "replay/")).containsEntry("replay/201611", HEADER + "\n20161101:00:00:00,s3,1\n");

        // an unfixed row replayed: the answer says it failed again and names the dead letter it left; replaying that one
        // names the same dead letter and writes no other
        entry.put("details", Map.of("facility", "replay-unfixed", "bucket", BUCKET, "prefix", "replay-unfixed/"));
        entry.put("payload", HEADER + "\n2016-11-01 00:00:00,s3,1");
        String unfixed = "dead-letter/facility-logs/2026/01/01/unfixed.json";
        s3.putObject(b -> b.bucket(DEAD_LETTERS).key(unfixed), RequestBody.fromBytes(new ObjectMapper().writeValueAsBytes(entry)));
        HttpResponse<String> failed = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                + "/admin/dead-letter/replay?key=" + unfixed)).header("x-api-key", app.adminKey()).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(failed.statusCode()).as(failed.body()).isEqualTo(409);
        String left = new ObjectMapper().readTree(failed.body()).path("deadLetter").asText();
        assertThat(left).startsWith("dead-letter/facility-logs/").isNotEqualTo(unfixed);
        // the hand-written entry and the one the replay left
        assertThat(deadLetters("replay-unfixed")).hasSize(2);
        HttpResponse<String> again = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                + "/admin/dead-letter/replay?key=" + left)).header("x-api-key", app.adminKey()).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(again.statusCode()).as(again.body()).isEqualTo(409);
        assertThat(new ObjectMapper().readTree(again.body()).path("deadLetter").asText()).isEqualTo(left);
        assertThat(deadLetters("replay-unfixed")).hasSize(2);
        assertThat(S3Objects.texts(s3, BUCKET, "replay-unfixed/")).isEmpty();
        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                + "/admin/dead-letter/replay")).header("x-api-key", app.adminKey()).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.body()).contains("key");
    }

    @Test
    void aMonthThatCannotBeWrittenFailsTheWholeFileWhichIsPolledAgainUntilEveryMonthLandsOnce() throws Exception {
        Path f = file("unwritable");
        List<String> all = new ArrayList<>(rows("201601", 0, 5, "s1"));
        all.addAll(rows("201602", 0, 5, "s1"));
        all.addAll(rows("201603", 0, 5, "s1"));
        DynamoDbIdempotentRepository files = app.bean("fileIdempotentRepository", DynamoDbIdempotentRepository.class);
        // every write of February fails (beyond the month's retries) until the file was merged twice
        monthWriteFailures.remaining.set(Integer.MAX_VALUE);
        try (EndpointSends merges = EndpointSends.to(app.context(), "direct://facility-logs-merge",
                e -> String.valueOf(e.getMessage().getHeader("landfallSource")).endsWith("/unwritable/log.csv"))) {
            append(f, all);
            String version = "unwritable/log.csv/" + Files.size(f) + "/" + Files.getLastModifiedTime(f).toMillis();
            // a failed month that was swallowed would leave the file merged for good after one attempt, February missing
            await().atMost(Duration.ofSeconds(60)).until(() -> merges.count() >= 2);
            assertThat(monthWriteFailures.failed.get()).isPositive();
            assertThat(files.contains(version)).as("a file with a month unwritten is not done").isFalse();
            assertThat(app.dynamoDb().getItem(b -> b.tableName("landfall-state").consistentRead(true)
                    .key(Map.of("pk", AttributeValue.fromS("file-hash#unwritable/log.csv")))).item()).isEmpty();
            assertThat(S3Objects.texts(s3, BUCKET, "unwritable/")).doesNotContainKey("unwritable/201602");
        } finally {
            monthWriteFailures.remaining.set(0);
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(S3Objects.texts(s3, BUCKET, "unwritable/")).isEqualTo(expected("unwritable/", all)));
        // an outage is no dead letter: the file was polled again, and nothing of it was left aside
        assertThat(deadLetters("unwritable")).isEmpty();
        assertThat(allDeadLetters()).noneSatisfy(d -> assertThat(String.valueOf(d.get("source"))).endsWith("/unwritable/log.csv"));
    }

    @Test
    void aMonthWhoseWriteIsRefusedSendsTheWholeFileToTheDeadLetterNotTheMonthAlone() throws Exception {
        Path f = file("refused");
        List<String> all = new ArrayList<>(rows("201604", 0, 3, "s1"));
        all.addAll(rows("201605", 0, 3, "s1"));
        all.addAll(rows("201606", 0, 3, "s1"));
        monthWriteRefusals.remaining.set(Integer.MAX_VALUE);
        try {
            append(f, all);
            String text = Files.readString(f);
            DynamoDbIdempotentRepository files = app.bean("fileIdempotentRepository", DynamoDbIdempotentRepository.class);
            String version = "refused/log.csv/" + Files.size(f) + "/" + Files.getLastModifiedTime(f).toMillis();
            // as any failure of the merge that is not an outage: after the month's retries the file is done, dead-lettered
            await().atMost(Duration.ofSeconds(60)).until(() -> files.contains(version));
            // once, as the whole file (every row of it, the months not merged too), not as the month alone
            assertThat(allDeadLetters()).filteredOn(d -> String.valueOf(d.get("source")).endsWith("/refused/log.csv"))
                    .singleElement().satisfies(d -> {
                        assertThat(d.get("kind")).isEqualTo("S3Exception:InvalidRequest");
                        assertThat(String.valueOf(d.get("reason"))).contains("refused/201605 is refused");
                        assertThat(d.get("payload")).isEqualTo(text);
                    });
            assertThat(S3Objects.texts(s3, BUCKET, "refused/")).doesNotContainKey("refused/201605");
            assertThat(monthWriteRefusals.failed.get()).isEqualTo(
                    1 + Integer.parseInt(app.context().resolvePropertyPlaceholders("{{landfall.retry.max-redeliveries}}")));
        } finally {
            monthWriteRefusals.remaining.set(0);
        }
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> allDeadLetters() throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<Map<String, Object>> out = new ArrayList<>();
        for (String text : S3Objects.texts(s3, DEAD_LETTERS, "dead-letter/facility-logs/").values()) {
            out.add(json.readValue(text, Map.class));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> deadLetters(String facility) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<Map<String, Object>> out = new ArrayList<>();
        for (String text : S3Objects.texts(s3, DEAD_LETTERS, "dead-letter/facility-logs/").values()) {
            Map<String, Object> d = json.readValue(text, Map.class);
            Map<String, Object> details = (Map<String, Object>) d.get("details");
            if (details != null && facility.equals(details.get("facility"))) {
                out.add(d);
            }
        }
        return out;
    }
}
