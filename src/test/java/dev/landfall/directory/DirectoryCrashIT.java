package dev.landfall.directory;

import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landfall.testing.AppProcess;
import dev.landfall.testing.CrashLoop;
import dev.landfall.testing.S3Objects;
import dev.landfall.testing.WithLocalServers;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged app SIGKILLed while it loads a directory drop that changes a third of the documents: the restarted app
 * serves the previous generation's documents whole until the load completes, then exactly the new drop's.
 */
class DirectoryCrashIT extends WithLocalServers {

    static final String BUCKET = "landfall-directory";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final int DEPARTMENTS = 400;
    static final int MEMBERS = 50;

    /** A drop: departments dept-000.. with MEMBERS staff each; {@code version} changes a third of them, some go, some come. */
    static String drop(int version) {
        StringBuilder b = new StringBuilder("department,employee,name,grade,remote,office\n");
        for (int d = 0; d < DEPARTMENTS + (version == 2 ? 5 : 0); d++) {
            if (version == 2 && d >= DEPARTMENTS - 10 && d < DEPARTMENTS) {
                continue; // gone in the second drop
            }
            boolean changed = version == 2 && d % 3 == 0;
            for (int m = 0; m < MEMBERS; m++) {
                b.append(String.format("dept-%03d,%06d,\"Person %d, %d\",%d,%s,%s%n", d, m, d, m, changed ? m + 100 : m % 10,
                        m % 2 == 0 ? "TRUE" : "false", "Room " + (d * 7 + m) % 97));
            }
        }
        return b.toString();
    }

    /** Department -> its members as the API renders them. */
    static Map<String, JsonNode> expected(String csv) throws Exception {
        DirectoryCsv.Parsed p = DirectoryCsv.read(new StringReader(csv), "department", "employee", FactTypes.inferred());
        Map<String, JsonNode> out = new HashMap<>();
        p.documents().forEach((dept, members) -> {
            Map<String, Object> plain = new java.util.TreeMap<>();
            members.forEach((m, facts) -> plain.put(m, DirectoryDocuments.plain(software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromM(facts))));
            try {
                out.put(dept, JSON.readTree(JSON.writeValueAsString(plain)));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        return out;
    }

    static HttpResponse<String> get(AppProcess app, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.serverPort() + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static long generation(AppProcess app) throws Exception {
        HttpResponse<String> r = get(app, "/api/directory?limit=1");
        return r.statusCode() == 200 ? JSON.readTree(r.body()).path("generation").asLong() : -1;
    }

    @Test
    void killedMidLoadThePreviousGenerationStaysServedAndTheLoadCompletesAfterTheRestart() throws Exception {
        long seed = Long.getLong("landfall.it.seed", System.nanoTime());
        Random random = new Random(seed);
        String first = drop(1);
        String second = drop(2);
        Map<String, JsonNode> v1 = expected(first);
        Map<String, JsonNode> v2 = expected(second);

        Map<String, String> props = AppProcess.baseProperties(servers, dir.resolve("app"));
        props.put("landfall.directory.poll-delay-ms", "500");
        props.put("landfall.directory.api.refresh-ms", "200");
        props.put("landfall.access.public-apis", "directory");
        props.put("landfall.idempotency.lease-seconds", "5");
        try (CrashLoop crashes = new CrashLoop(n -> AppProcess.startHealthy("directory-crash-" + n, props), random)) {
            AppProcess app = crashes.start();
            s3.putObject(b -> b.bucket(BUCKET).key("drops/day1.csv"), RequestBody.fromString(first, StandardCharsets.UTF_8));
            AppProcess a = app;
            await("generation 1").atMost(Duration.ofSeconds(90)).until(() -> generation(a) == 1);

            s3.putObject(b -> b.bucket(BUCKET).key("drops/day2.csv"), RequestBody.fromString(second, StandardCharsets.UTF_8));
            app = crashes.killWhenBusy(CrashLoop.inflight("directory-load"), Duration.ofSeconds(60), Duration.ofMillis(300));
            String context = "seed " + seed + ", kills " + crashes.kills() + ", log " + app.logPath();

            // from the restart on: every document answers, whole, as the first or the second drop has it; never a mix
            AppProcess b = app;
            Set<Long> seen = new HashSet<>();
            Set<String> common = new HashSet<>(v1.keySet());
            common.retainAll(v2.keySet());
            await(context).atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
                long g = generation(b);
                seen.add(g);
                for (String dept : common.stream().sorted().limit(40).toList()) {
                    HttpResponse<String> r = get(b, "/api/directory/" + dept);
                    assertThat(r.statusCode()).as(dept + ", " + context).isEqualTo(200);
                    JsonNode doc = JSON.readTree(r.body());
                    long docGeneration = doc.path("generation").asLong();
                    JsonNode members = doc.path("members");
                    assertThat(members.equals(v1.get(dept)) || members.equals(v2.get(dept))).as(dept + ", " + context).isTrue();
                    assertThat(docGeneration).as(dept).isLessThanOrEqualTo(2);
                }
                return g == 2;
            });
            // then exactly the second drop
            for (Map.Entry<String, JsonNode> e : v2.entrySet()) {
                HttpResponse<String> r = get(b, "/api/directory/" + e.getKey());
                assertThat(r.statusCode()).as(e.getKey() + ", " + context).isEqualTo(200);
                assertThat(JSON.readTree(r.body()).path("members")).as(e.getKey() + ", " + context).isEqualTo(e.getValue());
            }
            for (String gone : v1.keySet()) {
                if (!v2.containsKey(gone)) {
                    assertThat(get(b, "/api/directory/" + gone).statusCode()).as(gone).isEqualTo(404);
                }
            }
            JsonNode all = JSON.readTree(get(b, "/api/directory?limit=1000").body());
            assertThat(all.path("departments").size()).isEqualTo(v2.size());
            assertThat(S3Objects.texts(s3, "landfall-dead-letter", "dead-letter/")).as(context).isEmpty();
            System.out.println("DirectoryCrashIT " + context + ", generations seen after the restart " + seen);
        }
    }
}
