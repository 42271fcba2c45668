package dev.landfall.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import dev.landfall.common.access.AccessAdmin;
import dev.landfall.common.access.AccessStore;
import dev.landfall.common.access.UsagePlan;
import dev.landfall.local.LocalServers;
import dev.landfall.testing.FreePorts;
import dev.landfall.testing.LandfallApp;
import software.amazon.awssdk.core.sync.RequestBody;

import static dev.landfall.bench.BenchSupport.deleteTree;
import static org.awaitility.Awaitility.await;

/**
 * {@code GET /api/directory/<department>} with keys and limits on (a reader key whose plan includes the directory, its
 * rate, burst and quota far above the load, so every request is checked and counted and none refused): 50 concurrent
 * clients for 60 s, each asking for random departments of a 2,000-document directory (50 members each, about 5 KB
 * of JSON). Target: p99 under 10 ms. Writes {@code target/bench/directory-api.json}.
 * <p>
 * {@code ./mvnw -B -Pbench test-compile exec:exec@bench-directory-api}; {@code bench.clients} (50), {@code bench.seconds} (60).
 */
public final class DirectoryApiBench {

    static final String NAME = "directory-api";
    static final double TARGET_P99_MS = 10.0;
    static final int DEPARTMENTS = 2_000;

    private DirectoryApiBench() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(System.getProperty("bench.out", "target/bench")).toAbsolutePath();
        int clients = Integer.getInteger("bench.clients", 50);
        int seconds = Integer.getInteger("bench.seconds", 60);
        Path work = out.resolve("work-" + NAME);
        deleteTree(work);
        Files.createDirectories(work);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("name", NAME);
        int exit = 1;
        try (LocalServers servers = LocalServers.start(LocalServers.Options.forTests(work.resolve("servers")))) {
            Map<String, String> props = LandfallApp.testProperties(servers, work.resolve("app"));
            int port = FreePorts.next();
            props.put("camel.server.port", Integer.toString(port));
            props.put("landfall.directory.poll-delay-ms", "500");
            try (LandfallApp app = LandfallApp.start(props)) {
                String csv = DirectoryBench.csv(DirectoryBench.rows(new Random(3), DEPARTMENTS * 50, DEPARTMENTS));
                app.s3().putObject(b -> b.bucket("landfall-directory").key("drops/bench.csv"), RequestBody.fromString(csv, StandardCharsets.UTF_8));
                app.bean("accessStore", AccessStore.class).putPlan(new UsagePlan("bench", 1_000_000, 100_000, 1_000_000_000L,
                        UsagePlan.Period.MONTH, Set.of("directory")));
                String key = app.bean("accessAdmin", AccessAdmin.class).create("bench", AccessStore.Role.READER, "bench", null).key();
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                String last = String.format("dept-%05d", DEPARTMENTS - 1);
                await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/directory/" + last)).header("x-api-key", key).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
                int bytes = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/directory/" + last))
                        .header("x-api-key", key).build(), HttpResponse.BodyHandlers.ofByteArray()).body().length;
                run(http, port, key, clients, 10); // warm up: JIT, the document cache
                AccessControlBench.Load load = run(http, port, key, clients, seconds);
                Map<String, Object> f = AccessControlBench.figures(load);
                // the floor of this machine and client loop: the cheapest answer the app gives (no key: 401 at the
                // access check, before any lookup), same clients, same paths
                AccessControlBench.Load floor = run(http, port, null, clients, Math.max(10, seconds / 3));
                Map<String, Object> ff = AccessControlBench.figures(floor);
                result.put("floor401RequestsPerSecond", ff.get("requestsPerSecond"));
                result.put("floor401P50Ms", ff.get("p50Ms"));
                result.put("floor401P99Ms", ff.get("p99Ms"));
                boolean pass = (double) f.get("p99Ms") < TARGET_P99_MS && load.failures == 0;
                result.put("clients", clients);
                result.put("seconds", seconds);
                result.put("documents", DEPARTMENTS);
                result.put("documentBytes", bytes);
                result.putAll(f);
                result.put("targetP99Ms", TARGET_P99_MS);
                result.put("pass", pass);
                result.put("note", "keys and limits on: a reader key on a plan of 1,000,000/s, burst 100,000, 1,000,000,000 a month"
                        + " including the directory; random departments; load generator, app, S3Proxy and DynamoDB Local in one JVM on 2 cores");
                BenchSupport.putMachine(result);
                exit = pass ? 0 : 1;
            }
        } catch (Exception | Error e) {
            result.put("pass", false);
            result.put("error", String.valueOf(e));
            e.printStackTrace();
        }
        String line = result.containsKey("error") ? "bench " + NAME + ": FAIL " + result.get("error")
                : String.format("bench %s: %s clients, %s s: %s req/s, p50 %s ms, p99 %s ms (target < %s ms), %s failures;"
                        + " floor (401 before any lookup): %s req/s, p50 %s ms, p99 %s ms; %s", NAME,
                result.get("clients"), result.get("seconds"), result.get("requestsPerSecond"), result.get("p50Ms"), result.get("p99Ms"),
                TARGET_P99_MS, result.get("failures"), result.get("floor401RequestsPerSecond"), result.get("floor401P50Ms"),
                result.get("floor401P99Ms"), Boolean.TRUE.equals(result.get("pass")) ? "PASS" : "FAIL");
        BenchSupport.finish(out, NAME, result, line, exit);
    }

    /** Clients asking for random departments. */
    static AccessControlBench.Load run(HttpClient http, int port, String key, int clients, int seconds) throws InterruptedException {
        return AccessControlBench.run(http, port, key, clients, seconds,
                () -> "/api/directory/" + String.format("dept-%05d", ThreadLocalRandom.current().nextInt(DEPARTMENTS)));
    }
}
