package dev.landfall.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landfall.local.LocalServers;
import dev.landfall.testing.AccessLogLines;
import dev.landfall.testing.FreePorts;
import dev.landfall.testing.LandfallApp;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import static dev.landfall.bench.BenchSupport.deleteTree;
import static dev.landfall.bench.BenchSupport.round;

/**
 * Benchmarks the page-view API on the aggregates: views loaded through the real ingest (S3 access-log objects
 * backfilled through the once-only arrival route, parsed, written to DynamoDB Local in memory) first to 100,000, then to 1,000,000, spread over the same
 * 31 days and pages; after each load {@code /top} over 30 days and a 30-day hourly per-page query are timed over
 * HTTP. Targets: p99 < 100 ms for both at both sizes, and no slower at 1,000,000 than at 100,000 (p50 at most 1.5×
 * plus 2 ms). Writes {@code target/bench/page-views-api.json} and one line to stdout; exits 1 on a missed target.
 * <p>
 * Run alone with {@code ./mvnw -Pbench test-compile exec:exec@bench-page-views-api}. System properties:
 * {@code bench.out} (target/bench), {@code bench.views} (100000,1000000), {@code bench.pages} (100),
 * {@code bench.calls} (200), {@code bench.warmup} (50), {@code bench.timeout-seconds} (1800).
 */
public final class PageViewsApiBench {

    static final String NAME = "page-views-api";
    static final String LOG_BUCKET = "landfall-site-logs";
    static final long START = 1_664_582_400L; // 2022-10-01T00:00:00Z
    static final int DAYS = 31;
    static final String RANGE = "from=2022-10-01&to=2022-10-31"; // 30 days
    static final double TARGET_P99_MS = 100;
    static final double TARGET_SLOWDOWN = 1.5;
    static final double SLOWDOWN_SLACK_MS = 2;
    /** Objects uploaded at once: the in-memory S3 holds only these, each is deleted once ingested. */
    static final int UPLOAD_BATCH = 8;
    static final int MAX_VIEWS_PER_OBJECT = 12_000;

    private PageViewsApiBench() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(System.getProperty("bench.out", "target/bench")).toAbsolutePath();
        long[] sizes = Arrays.stream(System.getProperty("bench.views", "100000,1000000").split(",")).mapToLong(Long::parseLong).toArray();
        int pages = Integer.getInteger("bench.pages", 100);
        int calls = Integer.getInteger("bench.calls", 200);
        int warmup = Integer.getInteger("bench.warmup", 50);
        long timeoutSeconds = Long.getLong("bench.timeout-seconds", 1800L);
        Path work = out.resolve("work-" + NAME);
        deleteTree(work);
        Files.createDirectories(work);

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("name", NAME);
        List<Map<String, Object>> stages = new ArrayList<>();
        result.put("stages", stages);
        int exit = 1;
        try (LocalServers servers = LocalServers.start(LocalServers.Options.forTests(work.resolve("servers")))) {
            Map<String, String> props = LandfallApp.testProperties(servers, work.resolve("app"));
            int port = FreePorts.next();
            props.put("camel.server.port", Integer.toString(port));
            props.put("landfall.page-views.arrivals.poll", "false");
            props.put("landfall.page-views.backfill.check-ms", "200");
            try (LandfallApp app = LandfallApp.start(props)) {
                apiKey = app.adminKey();
                S3Client s3 = app.s3();
                HttpClient http = HttpClient.newHttpClient();
                Random random = new Random(7);
                double[] weights = zipf(pages);
                String topPage = "blog/p0";
                long loaded = 0;
                int objects = 0;
                int batches = 0;
                long started = System.nanoTime();
                for (long size : sizes) {
                    long stageStart = System.nanoTime();
                    long toLoad = size - loaded;
                    // the new views spread over all 31 days, a day in one or more objects, each object in time order
                    int perDay = (int) Math.ceil(toLoad / (double) DAYS);
                    int partsPerDay = Math.max(1, (int) Math.ceil(perDay / (double) MAX_VIEWS_PER_OBJECT));
                    List<Runnable> batch = new ArrayList<>();
                    List<String> batchKeys = new ArrayList<>();
                    long remaining = toLoad;
                    long stageViews = 0;
                    for (int day = 0; day < DAYS && remaining > 0; day++) {
                        for (int part = 0; part < partsPerDay && remaining > 0; part++) {
                            int n = (int) Math.min(remaining, Math.ceil(perDay / (double) partsPerDay));
                            remaining -= n;
                            String prefix = String.format("logs/b%04d/", batches);
                            String key = String.format("%s2022-10-%02d-00-00-00-S%d-P%d", prefix, day + 1, size, part);
                            byte[] body = objectOf(random, weights, day, n, key);
                            batchKeys.add(key);
                            stageViews += n;
                            batch.add(() -> s3.putObject(b -> b.bucket(LOG_BUCKET).key(key), RequestBody.fromBytes(body)));
                            if (batch.size() == UPLOAD_BATCH) {
                                objects += ingest(s3, http, port, batch, batchKeys, prefix, loaded + stageViews, timeoutSeconds);
                                batches++;
                            }
                        }
                    }
                    objects += ingest(s3, http, port, batch, batchKeys, String.format("logs/b%04d/", batches), loaded + stageViews,
                            timeoutSeconds);
                    batches++;
                    loaded = size;
                    double loadSeconds = (System.nanoTime() - stageStart) / 1e9;
                    long counted = counted(http, port);
                    System.out.printf("bench %s: %,d views loaded (%,d objects, %.1f s); the API counts %,d%n", NAME, loaded, objects,
                            loadSeconds, counted);
                    Map<String, Object> stage = new LinkedHashMap<>();
                    stage.put("views", loaded);
                    stage.put("viewsCountedByApi", counted);
                    stage.put("loadSeconds", round(loadSeconds, 1));
                    stage.put("top", time(http, port, "/api/page-views/top?" + RANGE + "&limit=10", warmup, calls));
                    stage.put("page30DaysHourly", time(http, port, "/api/page-views/" + topPage + "?" + RANGE + "&granularity=hour",
                            warmup, calls));
                    stage.put("page30DaysDaily", time(http, port, "/api/page-views/" + topPage + "?" + RANGE + "&granularity=day",
                            warmup, calls));
                    stages.add(stage);
                    System.out.printf("bench %s: at %,d views: %s%n", NAME, loaded, stage);
                }
                result.put("ingestSeconds", round((System.nanoTime() - started) / 1e9, 1));
            }
            boolean pass = true;
            List<String> missed = new ArrayList<>();
            Map<String, Object> first = stages.get(0);
            Map<String, Object> last = stages.get(stages.size() - 1);
            for (Map<String, Object> stage : stages) {
                if ((long) stage.get("views") != (long) stage.get("viewsCountedByApi")) {
                    missed.add("the API counts " + stage.get("viewsCountedByApi") + " of " + stage.get("views") + " views");
                }
                for (String query : List.of("top", "page30DaysHourly", "page30DaysDaily")) {
                    double p99 = p(stage, query, "p99Ms");
                    if (p99 >= TARGET_P99_MS) {
                        missed.add(query + " p99 " + p99 + " ms at " + stage.get("views") + " views");
                    }
                }
            }
            for (String query : List.of("top", "page30DaysHourly", "page30DaysDaily")) {
                double small = p(first, query, "p50Ms");
                double large = p(last, query, "p50Ms");
                if (large > small * TARGET_SLOWDOWN + SLOWDOWN_SLACK_MS) {
                    missed.add(query + " p50 " + large + " ms at " + last.get("views") + " views vs " + small + " ms at " + first.get("views"));
                }
            }
            pass = missed.isEmpty();
            result.put("pass", pass);
            result.put("missed", missed);
            result.put("targets", "p99 < " + TARGET_P99_MS + " ms; p50 at the largest size <= " + TARGET_SLOWDOWN
                    + " x p50 at the smallest + " + SLOWDOWN_SLACK_MS + " ms");
            result.put("pages", pages);
            result.put("days", DAYS);
            result.put("calls", calls);
            result.put("warmup", warmup);
            result.put("note", "sequential HTTP GETs to the in-process app on loopback; DynamoDB Local in memory");
            BenchSupport.putMachine(result);
            exit = pass ? 0 : 1;
        } catch (Exception | Error e) {
            result.put("pass", false);
            result.put("error", String.valueOf(e));
            e.printStackTrace();
        }
        BenchSupport.finish(out, NAME, result, line(result), exit);
    }

    /** Page i has weight 1/(i+1), like the few popular and many rare pages of a real site. */
    /** The key the bench's calls send (an admin key without limits: the API's own speed is measured here). */
    static volatile String apiKey;

    static double[] zipf(int pages) {
        double[] cumulative = new double[pages];
        double sum = 0;
        for (int i = 0; i < pages; i++) {
            sum += 1.0 / (i + 1);
            cumulative[i] = sum;
        }
        for (int i = 0; i < pages; i++) {
            cumulative[i] /= sum;
        }
        return cumulative;
    }

    /** n views on the given day, in time order, unique request ids. */
    static byte[] objectOf(Random random, double[] weights, int day, int n, String key) {
        long[] times = new long[n];
        for (int i = 0; i < n; i++) {
            times[i] = START + day * 86400L + random.nextInt(86400);
        }
        Arrays.sort(times);
        StringBuilder text = new StringBuilder(n * 400);
        String id = Integer.toHexString(key.hashCode());
        for (int i = 0; i < n; i++) {
            int page = Arrays.binarySearch(weights, random.nextDouble());
            page = page < 0 ? -page - 1 : page;
            text.append(AccessLogLines.view(times[i], id + "-" + i, "blog/p" + Math.min(page, weights.length - 1) + "/index.html"))
                    .append('\n');
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Uploads the batch under its own prefix, asks for a backfill of it (the same once-only arrival route as polling;
     * polling is off because the in-memory S3 lists an object being uploaded under a temporary name, which would be
     * ingested as an object of its own), waits until it is done and the API counts every view loaded so far, each
     * once, and deletes the batch from S3.
     */
    static int ingest(S3Client s3, HttpClient http, int port, List<Runnable> batch, List<String> keys, String prefix,
                      long expectedViews, long timeoutSeconds) throws Exception {
        if (batch.isEmpty()) {
            return 0;
        }
        batch.forEach(Runnable::run);
        HttpResponse<String> requested = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/admin/page-views/backfill?bucket=" + LOG_BUCKET + "&prefix=" + prefix)).header("x-api-key", apiKey).POST(HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
        if (requested.statusCode() != 202) {
            throw new IllegalStateException("backfill of " + prefix + ": " + requested.statusCode() + " " + requested.body());
        }
        long[] views = new long[1];
        org.awaitility.Awaitility.await("batch " + prefix + " ingested").pollInterval(java.time.Duration.ofMillis(500))
                .atMost(java.time.Duration.ofSeconds(timeoutSeconds))
                .until(() -> "DONE".equals(json(http, port, "/admin/page-views/backfill").path("status").asText())
                        && (views[0] = counted(http, port)) >= expectedViews);
        long counted = views[0];
        if (counted > expectedViews) {
            throw new IllegalStateException("the API counts " + counted + " views, more than the " + expectedViews + " loaded");
        }
        for (String key : keys) {
            s3.deleteObject(b -> b.bucket(LOG_BUCKET).key(key));
        }
        int n = batch.size();
        batch.clear();
        keys.clear();
        return n;
    }

    /** Every view of the 31 days, by the API. */
    static long counted(HttpClient http, int port) throws Exception {
        long counted = 0;
        for (JsonNode p : json(http, port, "/api/page-views/top?from=2022-10-01&to=2022-11-01&limit=1000").path("pages")) {
            counted += p.path("views").asLong();
        }
        return counted;
    }

    static JsonNode json(HttpClient http, int port, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("x-api-key", apiKey)
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
        }
        return new ObjectMapper().readTree(r.body());
    }

    /** Latencies of sequential calls after a warm-up, in ms. */
    static Map<String, Object> time(HttpClient http, int port, String path, int warmup, int calls) throws Exception {
        for (int i = 0; i < warmup; i++) {
            json(http, port, path);
        }
        double[] ms = new double[calls];
        for (int i = 0; i < calls; i++) {
            long t = System.nanoTime();
            json(http, port, path);
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(ms);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", path);
        m.put("p50Ms", round(ms[calls / 2], 2));
        m.put("p99Ms", round(ms[(int) Math.ceil(calls * 0.99) - 1], 2));
        m.put("maxMs", round(ms[calls - 1], 2));
        return m;
    }

    @SuppressWarnings("unchecked")
    private static double p(Map<String, Object> stage, String query, String which) {
        return ((Number) ((Map<String, Object>) stage.get(query)).get(which)).doubleValue();
    }

    @SuppressWarnings("unchecked")
    private static String line(Map<String, Object> r) {
        if (r.containsKey("error")) {
            return String.format("bench %s: FAIL %s", NAME, r.get("error"));
        }
        StringBuilder s = new StringBuilder("bench " + NAME + ":");
        for (Map<String, Object> stage : (List<Map<String, Object>>) r.get("stages")) {
            s.append(String.format(" %,d views: top p50 %.1f p99 %.1f ms, page 30 d hourly p50 %.1f p99 %.1f ms, daily p50 %.1f p99 %.1f ms;",
                    stage.get("views"), p(stage, "top", "p50Ms"), p(stage, "top", "p99Ms"), p(stage, "page30DaysHourly", "p50Ms"),
                    p(stage, "page30DaysHourly", "p99Ms"), p(stage, "page30DaysDaily", "p50Ms"), p(stage, "page30DaysDaily", "p99Ms")));
        }
        s.append(" target p99 < ").append(TARGET_P99_MS).append(" ms, no slower with more views: ")
                .append(Boolean.TRUE.equals(r.get("pass")) ? "PASS" : "FAIL " + r.get("missed"));
        return s.toString();
    }
}
