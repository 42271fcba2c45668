package dev.landfall.common.access;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landfall.common.access.AccessStore.Role;
import dev.landfall.local.LocalServers;
import dev.landfall.testing.FreePorts;
import dev.landfall.testing.LandfallApp;
import dev.landfall.testing.LogCapture;
import dev.landfall.testing.MutableClock;
import dev.landfall.testing.SecretScan;
import org.apache.camel.Route;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every route with an HTTP consumer, found in the running context (so a new route is covered without editing this
 * test), called without a key, with bad keys, with a reader key where admin is needed, over its rate and over its quota
 * (on a test clock); and the admin API of keys and plans.
 */
class AccessRouteTest {

    static final ObjectMapper JSON = new ObjectMapper();
    // at the real now: DynamoDB Local deletes items whose TTL attribute is past in real time
    static final Instant START = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);

    @TempDir
    static Path dir;
    static LocalServers servers;
    static LandfallApp app;
    static MutableClock clock = new MutableClock(START);
    static int httpPort;
    static AccessAdmin admin;
    static AccessStore store;
    static String adminKey;
    static int managementPort;
    static LogCapture log;
    static Map<String, String> appProperties;
    static final String PEPPER = "pepper-of-this-test-0123456789abcdefghijklmnop";
    static final HttpClient http = HttpClient.newHttpClient();

    /** An HTTP route as a request: its verb, a concrete path, and what it needs. */
    record Endpoint(String routeId, String verb, String path, String mode) {
    }

    @BeforeAll
    static void start() throws Exception {
        servers = LocalServers.start(LocalServers.Options.forTests(dir.resolve("servers")));
        Map<String, String> props = LandfallApp.testProperties(servers, dir.resolve("app"));
        httpPort = FreePorts.next();
        managementPort = FreePorts.next();
        props.put("camel.server.port", Integer.toString(httpPort));
        props.put("camel.management.port", Integer.toString(managementPort));
        props.put("landfall.access.pepper", PEPPER);
        // as in prod and kubernetes: the management server needs an admin key (its health probes do not)
        props.put("landfall.access.management", "admin");
        appProperties = props;
        log = LogCapture.attach();
        app = LandfallApp.start(props, Map.of("clock", clock));
        admin = app.bean("accessAdmin", AccessAdmin.class);
        store = app.bean("accessStore", AccessStore.class);
        // the first admin key, as `keys create --role admin` makes it
        adminKey = admin.create("ops", Role.ADMIN, null, null).key();
    }

    @AfterAll
    static void stop() throws Exception {
        if (log != null) {
            log.close();
        }
        if (app != null) {
            app.close();
        }
        servers.close();
    }

    /** The endpoints a key is asked of. */
    static List<Endpoint> endpoints() {
        return allEndpoints().stream().filter(e -> !"open-page".equals(e.mode())).toList();
    }

    static List<Endpoint> allEndpoints() {
        List<Endpoint> list = new ArrayList<>();
        for (Route route : app.context().getRoutes()) {
            String path = AccessPolicies.httpPath(route.getEndpoint().getEndpointUri());
            if (path == null) {
                continue;
            }
            String uri = route.getEndpoint().getEndpointUri();
            String verb = uri.startsWith("rest:") ? AccessPolicies.verb(uri) : "GET";
            String concrete = path.replace("*", "x").replaceAll("\\{[^}]+}", "x");
            list.add(new Endpoint(route.getRouteId(), verb, concrete, (String) route.getProperties().get(AccessPolicies.ACCESS_PROPERTY)));
        }
        return list;
    }

    @Test
    void everyHttpRouteHasAnAccessPolicyAndNoneIsPublicByDefault() {
        List<Endpoint> all = allEndpoints();
        assertThat(all).extracting(Endpoint::path).contains("/api/page-views/top", "/admin/keys", "/admin/plans/x",
                "/admin/dead-letter/replay", "/admin/page-views/backfill", "/page-views/x");
        assertThat(all).filteredOn(e -> !e.path().startsWith("/page-views"))
                .allSatisfy(e -> assertThat(e.mode()).as(e.toString()).isIn("keyed", "admin"));
        // the dashboard's page holds no data: open, while its API is keyed
        assertThat(all).filteredOn(e -> e.path().startsWith("/page-views")).extracting(Endpoint::mode).containsOnly("open-page");
        assertThat(all).filteredOn(e -> e.path().startsWith("/admin/")).allSatisfy(e -> assertThat(e.mode()).isEqualTo("admin"));
    }

    @Test
    void withoutAKeyOrWithABadOneEveryEndpointAnswers401() throws Exception {
        // well formed, right checksum, but made with another pepper: unknown
        String unknown = new ApiKeys("another pepper of at least thirty-two bytes".getBytes()).generate();
        String badChecksum = adminKey.substring(0, adminKey.length() - 1) + (adminKey.endsWith("A") ? "B" : "A");
        for (Endpoint e : endpoints()) {
            for (String key : new String[] {null, "", "garbage", "lf_" + "x".repeat(49), badChecksum, unknown}) {
                HttpResponse<String> r = call(e, key);
                assertThat(r.statusCode()).as(e + " with " + key).isEqualTo(401);
                assertThat(r.body()).isEqualTo("{\"message\":\"Unauthorized\"}");
                assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("ApiKey realm=\"landfall\", header=\"x-api-key\"");
            }
        }
    }

    @Test
    void aReaderKeyIsRefusedWhereAdminIsNeededAndWhereItsPlanDoesNotReach() throws Exception {
        store.putPlan(new UsagePlan("readers", 0, 0, 0, null, Set.of("page-views", "directory", "landing", "meters")));
        store.putPlan(new UsagePlan("elsewhere", 0, 0, 0, null, Set.of("no-such-api")));
        String reader = admin.create("reader", Role.READER, "readers", null).key();
        String elsewhere = admin.create("elsewhere", Role.READER, "elsewhere", null).key();
        for (Endpoint e : endpoints()) {
            if ("admin".equals(e.mode())) {
                HttpResponse<String> r = call(e, reader);
                assertThat(r.statusCode()).as(e.toString()).isEqualTo(403);
                assertThat(JSON.readTree(r.body()).get("message").asText()).isEqualTo("Forbidden");
                assertThat(call(e, adminKey).statusCode()).as(e + " with the admin key").isNotIn(401, 403, 429);
            } else {
                assertThat(call(e, reader).statusCode()).as(e.toString()).isNotIn(401, 403, 429);
                if (api(e.path()).equals(UsagePlan.API_DOCS)) {
                    // the API documentation holds no data: any valid key reads it, whatever its plan
                    assertThat(call(e, elsewhere).statusCode()).as(e.toString()).isEqualTo(200);
                    continue;
                }
                HttpResponse<String> r = call(e, elsewhere);
                assertThat(r.statusCode()).as(e.toString()).isEqualTo(403);
                assertThat(JSON.readTree(r.body()).get("reason").asText()).contains(api(e.path()));
            }
        }
    }

    /** The API an endpoint belongs to: {@code /api/<api>/...} or {@code /<api>/...}. */
    static String api(String path) {
        String[] parts = path.split("/");
        return "api".equals(parts[1]) ? parts[2] : parts[1];
    }

    @Test
    void overItsRateEveryEndpointAnswers429ThrottledUntilATokenIsBack() throws Exception {
        // one request at once, then one per 100 s
        store.putPlan(new UsagePlan("slow", 0.01, 1, 0, null, Set.of("*")));
        for (Endpoint e : endpoints()) {
            String key = admin.create("slow " + e.routeId(), "admin".equals(e.mode()) ? Role.ADMIN : Role.READER, "slow", null).key();
            HttpResponse<String> first = call(e, key);
            assertThat(first.statusCode()).as(e.toString()).isNotIn(401, 403, 429);
            assertThat(first.headers().firstValue("RateLimit-Policy")).hasValue("\"burst\";q=1;w=100");
            HttpResponse<String> second = call(e, key);
            assertThat(second.statusCode()).as(e.toString()).isEqualTo(429);
            assertThat(second.body()).isEqualTo("{\"message\":\"Too Many Requests\",\"code\":\"THROTTLED\"}");
            assertThat(second.headers().firstValue("Retry-After")).hasValue("100");
            assertThat(second.headers().firstValue("RateLimit")).hasValue("\"burst\";r=0;t=100");
        }
        String key = admin.create("slow again", Role.READER, "slow", null).key();
        Endpoint top = endpoints().stream().filter(e -> e.path().equals("/api/page-views/top")).findFirst().orElseThrow();
        assertThat(call(top, key).statusCode()).isEqualTo(200);
        assertThat(call(top, key).statusCode()).isEqualTo(429);
        clock.advance(Duration.ofSeconds(100));
        assertThat(call(top, key).statusCode()).isEqualTo(200);
    }

    @Test
    void overItsQuotaEveryEndpointAnswers429QuotaExceededUntilTheNextWindow() throws Exception {
        store.putPlan(new UsagePlan("daily-one", 0, 0, 1, UsagePlan.Period.DAY, Set.of("*")));
        for (Endpoint e : endpoints()) {
            String key = admin.create("quota " + e.routeId(), "admin".equals(e.mode()) ? Role.ADMIN : Role.READER, "daily-one", null).key();
            assertThat(call(e, key).statusCode()).as(e.toString()).isNotIn(401, 403, 429);
            HttpResponse<String> over = call(e, key);
            assertThat(over.statusCode()).as(e.toString()).isEqualTo(429);
            assertThat(over.body()).isEqualTo("{\"message\":\"Too Many Requests\",\"code\":\"QUOTA_EXCEEDED\"}");
            long untilMidnight = Duration.between(clock.instant(), UsagePlan.Period.DAY.end(clock.instant())).toSeconds();
            assertThat(Long.parseLong(over.headers().firstValue("Retry-After").orElseThrow())).isBetween(untilMidnight - 1, untilMidnight);
            assertThat(over.headers().firstValue("RateLimit-Policy")).hasValue("\"quota\";q=1;w=86400");
        }
        String key = admin.create("quota again", Role.READER, "daily-one", null).key();
        Endpoint top = endpoints().stream().filter(e -> e.path().equals("/api/page-views/top")).findFirst().orElseThrow();
        assertThat(call(top, key).statusCode()).isEqualTo(200);
        assertThat(call(top, key).statusCode()).isEqualTo(429);
        // the next UTC day is a new window
        clock.advance(Duration.between(clock.instant(), UsagePlan.Period.DAY.end(clock.instant())).plusSeconds(1));
        assertThat(call(top, key).statusCode()).isEqualTo(200);
    }

    @Test
    void aReplicaTakesTokensFromDynamoDbInBlocksNotPerRequest() throws Exception {
        // burst 1,000: blocks of 100 (landfall.access.block-fraction 0.1); 50 requests spend half of one block
        store.putPlan(new UsagePlan("blocks", 1000, 1000, 0, null, Set.of("*")));
        String key = admin.create("blocks", Role.READER, "blocks", null).key();
        String id = ApiKeys.id(app.bean("apiKeys", ApiKeys.class).digest(key));
        for (int i = 0; i < 50; i++) {
            assertThat(send("GET", "/api/page-views/top", key, null).statusCode()).isEqualTo(200);
        }
        long nowMicros = clock.instant().getEpochSecond() * 1_000_000 + clock.instant().getNano() / 1_000;
        long tat = Long.parseLong(app.dynamoDb().getItem(b -> b.tableName("landfall-access").consistentRead(true)
                .key(Map.of("pk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("rate#" + id)))).item().get("tat").n());
        // the shared state moved by one block of 100 tokens of 1 ms each (the test clock stands still)
        assertThat(tat - nowMicros).isEqualTo(100 * 1_000L);
    }

    @Test
    void theAdminApiMakesPlansAndKeysShowsAKeyOnceAndRevokesIt() throws Exception {
        HttpResponse<String> plan = send("PUT", "/admin/plans/partners", adminKey,
                "{\"rate\":50,\"burst\":100,\"quota\":10000,\"period\":\"MONTH\",\"apis\":[\"page-views\"]}");
        assertThat(plan.statusCode()).as(plan.body()).isEqualTo(200);
        HttpResponse<String> created = send("POST", "/admin/keys", adminKey, "{\"name\":\"partner-a\",\"role\":\"reader\",\"plan\":\"partners\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode c = JSON.readTree(created.body());
        String key = c.get("key").asText();
        assertThat(ApiKeys.wellFormed(key)).isTrue();
        assertThat(send("GET", "/api/page-views/top", key, null).statusCode()).isEqualTo(200);
        HttpResponse<String> list = send("GET", "/admin/keys", adminKey, null);
        assertThat(list.body()).contains(c.get("id").asText()).doesNotContain(key)
                .doesNotContain(app.bean("apiKeys", ApiKeys.class).digest(key));
        assertThat(send("POST", "/admin/keys", adminKey, "{\"name\":\"x\",\"role\":\"reader\",\"plan\":\"missing\"}").statusCode()).isEqualTo(400);
        assertThat(send("POST", "/admin/keys", adminKey, "not json").statusCode()).isEqualTo(400);
        assertThat(send("DELETE", "/admin/keys/" + c.get("id").asText(), adminKey, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/api/page-views/top", key, null).statusCode()).isEqualTo(401);
        assertThat(send("DELETE", "/admin/keys/0000000000000000", adminKey, null).statusCode()).isEqualTo(404);
    }

    @Test
    void anAnswerEchoesNoRequestHeaderAndAFormBodyIsABadRequestNotAServerError() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/admin/keys"))
                .header("x-api-key", adminKey).header("X-Echo", "not-for-the-answer").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().map().keySet()).noneMatch(h -> h.equalsIgnoreCase("x-echo") || h.equalsIgnoreCase("x-api-key"));
        // what `curl -d '{...}'` sends: a JSON object as an urlencoded form
        HttpResponse<String> form = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/admin/keys"))
                .header("x-api-key", adminKey).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"f\",\"role\":\"admin\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(form.statusCode()).as(form.body()).isBetween(200, 499);
    }

    @Test
    void anExpiredKeyIsRefused() throws Exception {
        store.putPlan(new UsagePlan("all", 0, 0, 0, null, Set.of("*")));
        String key = admin.create("short-lived", Role.READER, "all", clock.instant().plusSeconds(60)).key();
        assertThat(send("GET", "/api/page-views/top", key, null).statusCode()).isEqualTo(200);
        clock.advance(Duration.ofSeconds(61));
        // the cached key is read again after landfall.access.cache-seconds; expiry is checked on every request
        assertThat(send("GET", "/api/page-views/top", key, null).statusCode()).isEqualTo(401);
    }

    @Test
    void noKeyNorThePepperIsInALogAMetricADeadLetterOrAJmxAttribute() throws Exception {
        store.putPlan(new UsagePlan("secrets", 100, 10, 1000, UsagePlan.Period.MONTH, Set.of("*")));
        List<String> secrets = new ArrayList<>(List.of(adminKey, PEPPER));
        HttpResponse<String> created = send("POST", "/admin/keys", adminKey, "{\"name\":\"s\",\"role\":\"reader\",\"plan\":\"secrets\"}");
        String key = JSON.readTree(created.body()).get("key").asText();
        secrets.add(key);
        // requests that succeed, fail in the route (400), are refused, and a replay that dead-letters nothing
        for (String path : List.of("/api/page-views/top", "/api/page-views/top?limit=0", "/admin/keys", "/api/page-views/a%00b")) {
            send("GET", path, key, null);
            send("GET", path, adminKey, null);
        }
        send("POST", "/admin/dead-letter/replay?key=nothing", adminKey, "");
        secrets.add(app.bean("apiKeys", ApiKeys.class).digest(key));
        SecretScan.logs(log, secrets);
        SecretScan.metrics(management("/observe/metrics", adminKey).body(), secrets);
        SecretScan.jmx(secrets);
        SecretScan.deadLetters(app.s3(), "landfall-dead-letter", secrets);
    }

    @Test
    void theManagementServerNeedsAnAdminKeyButItsHealthProbesDoNot() throws Exception {
        store.putPlan(new UsagePlan("all-apis", 0, 0, 0, null, Set.of("*")));
        String reader = admin.create("reader-of-all", Role.READER, "all-apis", null).key();
        for (String path : List.of("/observe/metrics", "/observe/jolokia/version", "/observe/info")) {
            HttpResponse<String> none = management(path, null);
            assertThat(none.statusCode()).as(path).isEqualTo(401);
            assertThat(none.body()).isEqualTo("{\"message\":\"Unauthorized\"}");
            assertThat(management(path, "lf_" + "x".repeat(49)).statusCode()).as(path).isEqualTo(401);
            assertThat(management(path, reader).statusCode()).as(path).isEqualTo(403);
            assertThat(management(path, adminKey).statusCode()).as(path).isEqualTo(200);
        }
        for (String path : List.of("/observe/health", "/observe/health/live", "/observe/health/ready")) {
            assertThat(management(path, null).statusCode()).as(path).isIn(200, 503);
        }
        // Jolokia's POST requests keep their body through the check
        HttpResponse<String> post = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort
                + "/observe/jolokia")).header("x-api-key", adminKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"version\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(200);
        assertThat(post.body()).contains("\"status\":200");
    }

    @Test
    void theJarsKeysCommandMakesTheFirstAdminKeyAndPrintsItOnce() throws Exception {
        java.util.Properties settings = new java.util.Properties();
        settings.putAll(appProperties);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int code = KeysCommand.run(new String[] {"create", "--role", "admin", "--name", "ops"}, settings,
                new java.io.PrintStream(out, true), new java.io.PrintStream(err, true));
        assertThat(code).as(err.toString()).isZero();
        String[] lines = out.toString().strip().split("\n");
        String key = lines[lines.length - 1].strip();
        assertThat(ApiKeys.wellFormed(key)).as(out.toString()).isTrue();
        assertThat(out.toString()).containsOnlyOnce(key).contains("role admin");
        assertThat(send("GET", "/admin/keys", key, null).statusCode()).isEqualTo(200);
        // list shows its id, never the key
        out.reset();
        assertThat(KeysCommand.run(new String[] {"list"}, settings, new java.io.PrintStream(out, true), new java.io.PrintStream(err, true))).isZero();
        assertThat(out.toString()).contains(" ops ").doesNotContain(key);
        // without the pepper nothing is made
        settings.setProperty("landfall.access.pepper", "");
        assertThat(KeysCommand.run(new String[] {"create", "--role", "admin", "--name", "x"}, settings,
                new java.io.PrintStream(out, true), new java.io.PrintStream(err, true))).isEqualTo(1);
        assertThat(err.toString()).contains("LANDFALL_API_KEY_PEPPER");
    }

    static HttpResponse<String> management(String path, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path)).timeout(Duration.ofSeconds(20));
        if (key != null) {
            b.header("x-api-key", key);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> call(Endpoint e, String key) throws Exception {
        return send(e.verb(), e.path(), key, "POST".equals(e.verb()) || "PUT".equals(e.verb()) ? "" : null);
    }

    static HttpResponse<String> send(String verb, String path, String key, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).timeout(Duration.ofSeconds(20))
                .method(verb, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("x-api-key", key);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
