package dev.landfall.meters;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landfall.common.access.AccessAdmin;
import dev.landfall.common.access.AccessStore;
import dev.landfall.common.access.UsagePlan;
import dev.landfall.local.EagleSimulator;
import dev.landfall.local.EagleSimulator.Api;
import dev.landfall.local.EagleSimulator.Behaviour;
import dev.landfall.local.EagleSimulator.Device;
import dev.landfall.local.LocalServers;
import dev.landfall.testing.FreePorts;
import dev.landfall.testing.LandfallApp;
import dev.landfall.testing.LogCapture;
import dev.landfall.testing.SecretScan;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The meters pipeline on the real Main against S3Proxy, DynamoDB Local and our EAGLE simulator. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MetersRouteTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String BUCKET = "landfall-meters";
    static final String DEAD_LETTERS = "landfall-dead-letter";

    @TempDir
    static Path dir;
    static LocalServers servers;
    static EagleSimulator sim;
    static LandfallApp app;
    static S3Client s3;
    static int httpPort;
    static LogCapture logs;
    static Path spoolDir;

    static final Device OK100 = new Device("000100", Api.EAGLE100, "a@example.com", "pw-100-secret", Behaviour.NORMAL, 5);
    static final Device OK200 = new Device("000200", Api.EAGLE200, null, "install-200-secret", Behaviour.NORMAL, 5);
    static final Device SLOW = new Device("000300", Api.EAGLE200, null, "install-300-secret", Behaviour.SLOW, 250);
    static final Device BAD100 = new Device("000400", Api.EAGLE100, "b@example.com", "pw-400-secret", Behaviour.WRONG_PASSWORD, 5);
    static final Device BAD200 = new Device("000500", Api.EAGLE200, null, "install-500-secret", Behaviour.WRONG_PASSWORD, 5);
    static final Device DOWN = new Device("000600", Api.EAGLE100, "c@example.com", "pw-600-secret", Behaviour.DOWN, 5);
    static final Device HANG = new Device("000700", Api.EAGLE200, null, "install-700-secret", Behaviour.HANGING, 5);
    static final Device GARBLED100 = new Device("000800", Api.EAGLE100, "d@example.com", "pw-800-secret", Behaviour.GARBLED, 5);
    static final Device GARBLED200 = new Device("000900", Api.EAGLE200, null, "install-900-secret", Behaviour.GARBLED, 5);
    static final List<Device> ALL = List.of(OK100, OK200, SLOW, BAD100, BAD200, DOWN, HANG, GARBLED100, GARBLED200);
    /** The keyset the app is given (as LANDFALL_METERS_KEYSET would give it), so the scan knows its key material. */
    static final String KEYSET = DeviceCredentials.newKeyset();
    static int managementPort;

    @BeforeAll
    static void start() throws Exception {
        logs = LogCapture.attach();
        servers = LocalServers.start(LocalServers.Options.forTests(dir.resolve("servers"), LocalServers.Server.forApp()));
        sim = EagleSimulator.start(ALL);
        Map<String, String> props = LandfallApp.testProperties(servers, dir.resolve("app"));
        httpPort = FreePorts.next();
        spoolDir = dir.resolve("app/meters-spool");
        managementPort = FreePorts.next();
        props.put("camel.server.port", Integer.toString(httpPort));
        props.put("camel.management.port", Integer.toString(managementPort));
        props.put("landfall.meters.enabled", "true");
        props.put("landfall.meters.keyset", KEYSET);
        props.put("landfall.meters.shards", "4");
        props.put("landfall.meters.period-ms", "1000");
        props.put("landfall.meters.read-timeout-ms", "600");
        props.put("landfall.meters.connect-timeout-ms", "500");
        props.put("landfall.meters.registry-refresh-ms", "1000");
        props.put("landfall.meters.state-flush-ms", "500");
        props.put("landfall.meters.rotate-interval-ms", "500");
        props.put("landfall.meters.spool-dir", spoolDir.toString());
        app = LandfallApp.start(props);
        s3 = app.s3();
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        if (sim != null) {
            sim.close();
        }
        servers.close();
        logs.close();
    }

    static HttpResponse<String> call(String method, String path, String key, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("x-api-key", key);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode device(String cloudId) throws Exception {
        return JSON.readTree(call("GET", "/api/meters/devices/" + cloudId, app.adminKey(), null).body());
    }

    @Test
    @Order(1)
    void devicesAreRegisteredThroughTheKeyedApiAndTheirCredentialIsNeverAnsweredBack() throws Exception {
        for (Device d : ALL) {
            HttpResponse<String> r = call("PUT", "/api/meters/devices/" + d.cloudId(), app.adminKey(), sim.registration(d));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
            assertThat(r.body()).doesNotContain(d.credential()).contains("write-only");
        }
        HttpResponse<String> again = call("PUT", "/api/meters/devices/" + OK100.cloudId(), app.adminKey(), sim.registration(OK100));
        assertThat(again.statusCode()).isEqualTo(200);
        JsonNode one = device(OK100.cloudId());
        assertThat(one.get("cloudId").asText()).isEqualTo("000100");
        assertThat(one.get("api").asText()).isEqualTo("eagle100");
        assertThat(one.toString()).doesNotContain(OK100.credential());

        HttpResponse<String> page1 = call("GET", "/api/meters/devices?limit=5", app.adminKey(), null);
        JsonNode p1 = JSON.readTree(page1.body());
        assertThat(p1.get("devices")).hasSize(5);
        JsonNode p2 = JSON.readTree(call("GET", "/api/meters/devices?limit=5&cursor=" + p1.get("cursor").asText(), app.adminKey(), null).body());
        Set<String> ids = new HashSet<>();
        p1.get("devices").forEach(d -> ids.add(d.get("cloudId").asText()));
        p2.get("devices").forEach(d -> ids.add(d.get("cloudId").asText()));
        assertThat(ids).hasSize(ALL.size());
        assertThat(page1.body() + p2).doesNotContain("secret");
    }

    @Test
    @Order(2)
    void theRegistryIsKeyedAndAPlanWithoutMetersIsForbidden() throws Exception {
        assertThat(call("GET", "/api/meters/devices", null, null).statusCode()).isEqualTo(401);
        app.bean("accessStore", AccessStore.class).putPlan(new UsagePlan("no-meters", 0, 0, 0, null, Set.of("page-views")));
        String key = app.bean("accessAdmin", AccessAdmin.class).create("no-meters", AccessStore.Role.READER, "no-meters", null).key();
        HttpResponse<String> r = call("GET", "/api/meters/devices", key, null);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(call("PUT", "/api/meters/devices/999", key, sim.registration(OK100)).statusCode()).isEqualTo(403);
    }

    @Test
    @Order(3)
    void badRequestsAreAnswered400WithTheReasonAndNoCredential() throws Exception {
        String admin = app.adminKey();
        HttpResponse<String> notJson = call("PUT", "/api/meters/devices/1", admin, "{\"credential\":\"topsecret\", oops}");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(notJson.body()).contains("not JSON").doesNotContain("topsecret");
        HttpResponse<String> noEndpoint = call("PUT", "/api/meters/devices/1", admin, "{\"api\":\"eagle200\",\"credential\":\"x\"}");
        assertThat(noEndpoint.statusCode()).isEqualTo(400);
        assertThat(noEndpoint.body()).contains("endpoint is required");
        assertThat(call("PUT", "/api/meters/devices/1", admin, "{\"api\":\"eagle300\",\"endpoint\":\"http://h\",\"credential\":\"x\"}").body())
                .contains("eagle100 or eagle200");
        assertThat(call("PUT", "/api/meters/devices/1", admin, "{\"api\":\"eagle200\",\"endpoint\":\"http://h\"}").body())
                .contains("credential is required");
        assertThat(call("PUT", "/api/meters/devices/a%20b", admin, sim.registration(OK100)).statusCode()).isEqualTo(400);
        assertThat(call("GET", "/api/meters/devices/424242", admin, null).statusCode()).isEqualTo(404);
        assertThat(call("GET", "/api/meters/devices?limit=0", admin, null).statusCode()).isEqualTo(400);
    }

    @Test
    @Order(4)
    void importTakesJsonLinesAndReportsEachBadLine() throws Exception {
        String lines = "{\"cloudId\":\"009001\",\"api\":\"eagle200\",\"endpoint\":\"http://127.0.0.1:9/d/009001\",\"credential\":\"i1\",\"enabled\":false}\n"
                + "{\"cloudId\":\"009002\",\"api\":\"eagle100\",\"endpoint\":\"http://127.0.0.1:9/d/009002\",\"credential\":\"i2\"}\n"
                + "not json\n"
                + "{\"cloudId\":\"009003\",\"api\":\"eagle200\",\"endpoint\":\"http://127.0.0.1:9/d/009003\",\"credential\":\"i3\",\"enabled\":false}\n";
        HttpResponse<String> r = call("POST", "/api/meters/devices:import", app.adminKey(), lines);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode n = JSON.readTree(r.body());
        assertThat(n.get("imported").asInt()).isEqualTo(2);
        assertThat(n.get("failed").asInt()).isEqualTo(2);
        assertThat(n.get("errors").get(0).get("line").asInt()).isEqualTo(2);
        assertThat(n.get("errors").get(0).get("message").asText()).contains("email is required");
        assertThat(n.get("errors").get(1).get("line").asInt()).isEqualTo(3);
        assertThat(device("009001").get("state").asText()).isEqualTo("DISABLED");
        assertThat(call("DELETE", "/api/meters/devices/009001", app.adminKey(), null).statusCode()).isEqualTo(204);
        assertThat(call("DELETE", "/api/meters/devices/009003", app.adminKey(), null).statusCode()).isEqualTo(204);
        assertThat(call("DELETE", "/api/meters/devices/009003", app.adminKey(), null).statusCode()).isEqualTo(404);
    }

    @Test
    @Order(5)
    void eachDeviceIsPolledAndItsStateTellsWhatHappened() throws Exception {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(device(OK100.cloudId()).get("state").asText()).isEqualTo("OK");
            assertThat(device(OK200.cloudId()).get("state").asText()).isEqualTo("OK");
            assertThat(device(SLOW.cloudId()).get("state").asText()).isEqualTo("OK");
            assertThat(device(BAD100.cloudId()).get("state").asText()).isEqualTo("BAD_CREDENTIALS");
            assertThat(device(BAD200.cloudId()).get("state").asText()).isEqualTo("BAD_CREDENTIALS");
            assertThat(device(DOWN.cloudId()).get("state").asText()).isEqualTo("UNREACHABLE");
            assertThat(device(HANG.cloudId()).get("state").asText()).isEqualTo("UNREACHABLE");
            assertThat(device(GARBLED100.cloudId()).get("state").asText()).isEqualTo("BAD_RESPONSE");
            assertThat(device(GARBLED200.cloudId()).get("state").asText()).isEqualTo("BAD_RESPONSE");
            assertThat(device(OK100.cloudId()).get("total_events_logged").asLong()).isGreaterThanOrEqualTo(3);
        });
        // an answer that does not decode: the meters dead letter holds the device's body and the reason, once per entry
        await().atMost(Duration.ofSeconds(20)).until(() -> sim.asked(GARBLED200.cloudId()) >= 2 && deadLetters(GARBLED200).size() == 1);
        for (Device d : List.of(GARBLED100, GARBLED200)) {
            assertThat(device(d.cloudId()).get("last_error").asText()).isNotBlank();
            List<JsonNode> letters = deadLetters(d);
            assertThat(letters).as(d.cloudId()).hasSize(1);
            assertThat(letters.get(0).toString()).contains("bad-response").contains("0xd8d5b9000000").contains(d.cloudId());
        }
        JsonNode ok = device(OK200.cloudId());
        assertThat(Instant.parse(ok.get("first_timestamp").asText())).isBefore(Instant.parse(ok.get("last_timestamp").asText()));
        assertThat(device(DOWN.cloudId()).get("last_error").asText()).contains("refused");
        assertThat(device(HANG.cloudId()).get("last_error").asText()).contains("in time");
        assertThat(sim.maxInFlightPerDevice()).isEqualTo(1);
        // one log line per change of state, never one per failed poll
        long downLines = logs.messages("dev.landfall.meters").stream().filter(m -> m.contains(DOWN.cloudId())).count();
        assertThat(downLines).isEqualTo(1);
        // a bad credential is retried every 5 minutes, not every period (the good devices were asked every second)
        assertThat(sim.asked(BAD100.cloudId())).isEqualTo(1);
        assertThat(sim.asked(OK100.cloudId())).isGreaterThanOrEqualTo(3);
    }

    @Test
    @Order(6)
    void readingsAreAppendedAsJsonLinesToTheDevicesHourlyFile() throws Exception {
        String hour = MeterSpool.hourOf(Instant.now());
        Path f = spoolDir.resolve(hour).resolve("meter-" + OK100.cloudId() + "-" + hour + ".jl");
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(f) && Files.readAllLines(f).size() >= 2);
        List<String> lines = Files.readAllLines(f);
        Set<String> polledAt = new HashSet<>();
        for (String line : lines) {
            JsonNode n = JSON.readTree(line);
            assertThat(n.get("cloud_id").asText()).isEqualTo(OK100.cloudId());
            assertThat(n.get("demand_kw").isNumber()).isTrue();
            assertThat(n.get("summation_delivered_kwh").isNumber()).isTrue();
            assertThat(n.get("meter_mac").asText()).startsWith("0x");
            assertThat(polledAt.add(n.get("polled_at").asText())).isTrue();
        }
        JsonNode first = JSON.readTree(lines.get(0));
        var expected = EagleSimulator.valuesOf(OK100, Instant.parse(first.get("meter_time").asText()));
        assertThat(first.get("summation_delivered_kwh").decimalValue()).isEqualByComparingTo(expected.summationDeliveredKwh());
        assertThat(spoolDir.resolve(hour).resolve("meter-" + BAD100.cloudId() + "-" + hour + ".jl")).doesNotExist();
    }

    @Test
    @Order(7)
    void nowPollsTheDeviceAtOnce() throws Exception {
        HttpResponse<String> ok = call("GET", "/api/meters/devices/" + OK200.cloudId() + "/now", app.adminKey(), null);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(JSON.readTree(ok.body()).get("demand_kw").isNumber()).isTrue();
        HttpResponse<String> bad = call("GET", "/api/meters/devices/" + BAD200.cloudId() + "/now", app.adminKey(), null);
        assertThat(bad.statusCode()).isEqualTo(502);
        assertThat(bad.body()).contains("refused its credential").doesNotContain(BAD200.credential());
        assertThat(call("GET", "/api/meters/devices/" + DOWN.cloudId() + "/now", app.adminKey(), null).statusCode()).isEqualTo(504);
        assertThat(call("GET", "/api/meters/devices/424242/now", app.adminKey(), null).statusCode()).isEqualTo(404);
    }

    @Test
    @Order(8)
    void aClosedHourGoesToS3OnceVerifiedThenLeavesTheSpool() throws Exception {
        MeterSpool spool = app.bean("meterSpool", MeterSpool.class);
        Instant old = Instant.parse("2026-11-30T22:10:00Z");
        spool.append("000999", old, "{\"n\":1}");
        spool.append("000999", old.plusSeconds(6), "{\"n\":2}");
        String key = "rainforest-logs/000999/2026/11/30/meter-000999-2026-11-30-22.jl";
        await().atMost(Duration.ofSeconds(20)).until(() -> keys("rainforest-logs/000999/").contains(key));
        assertThat(s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asUtf8String()).isEqualTo("{\"n\":1}\n{\"n\":2}\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(spoolDir.resolve("2026-11-30-22")));

        // a crash between upload and delete: the same file again is only deleted
        Path again = spoolDir.resolve("2026-11-30-22/meter-000999-2026-11-30-22.jl");
        Files.createDirectories(again.getParent());
        Files.writeString(again.resolveSibling("x.tmp"), "{\"n\":1}\n{\"n\":2}\n");
        Files.move(again.resolveSibling("x.tmp"), again);
        await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(again));
        assertThat(keys("rainforest-logs/000999/")).containsExactly(key);

        // the same hour from another replica (the shard moved): lands as the hour's next part
        Files.createDirectories(again.getParent());
        Files.writeString(again.resolveSibling("y.tmp"), "{\"n\":3}\n");
        Files.move(again.resolveSibling("y.tmp"), again);
        await().atMost(Duration.ofSeconds(10)).until(() -> keys("rainforest-logs/000999/").size() == 2);
        assertThat(keys("rainforest-logs/000999/")).containsExactly(key,
                "rainforest-logs/000999/2026/11/30/meter-000999-2026-11-30-22.part2.jl");
    }

    @Test
    @Order(9)
    void aDeletedDeviceStopsBeingPolled() throws Exception {
        assertThat(call("DELETE", "/api/meters/devices/" + OK100.cloudId(), app.adminKey(), null).statusCode()).isEqualTo(204);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1500)).until(new java.util.concurrent.Callable<>() {
            long last = -1;

            @Override
            public Boolean call() {
                long now = sim.answered(OK100.cloudId());
                boolean still = now == last;
                last = now;
                return still;
            }
        });
    }

    @Test
    @Order(10)
    void noCredentialNorTheKeysetIsInALogAMetricADeadLetterOrAJmxAttribute() throws Exception {
        List<String> secrets = new ArrayList<>();
        for (Device d : ALL) {
            secrets.add(d.credential());
            // what an EAGLE-200 request carries
            secrets.add(java.util.Base64.getEncoder().encodeToString((d.cloudId() + ":" + d.credential()).getBytes(StandardCharsets.UTF_8)));
        }
        JSON.readTree(KEYSET).get("key").forEach(k -> secrets.add(k.get("keyData").get("value").asText()));
        assertThat(secrets).hasSize(2 * ALL.size() + 1);
        SecretScan.logs(logs, secrets);
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort
                + "/observe/metrics")).header("x-api-key", app.adminKey()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body()).contains("landfall_meters_polls_total");
        SecretScan.metrics(metrics.body(), secrets);
        SecretScan.jmx(secrets);
        assertThat(SecretScan.deadLetters(s3, DEAD_LETTERS, secrets)).isGreaterThanOrEqualTo(2);
    }

    static List<JsonNode> deadLetters(Device d) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(DEAD_LETTERS).prefix("dead-letter/meters/")).contents()) {
            JsonNode n = JSON.readTree(s3.getObjectAsBytes(b -> b.bucket(DEAD_LETTERS).key(o.key())).asUtf8String());
            if (n.toString().contains("device:" + d.cloudId())) {
                out.add(n);
            }
        }
        return out;
    }

    static List<String> keys(String prefix) {
        return s3.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(prefix)).contents().stream().map(S3Object::key).toList();
    }
}
