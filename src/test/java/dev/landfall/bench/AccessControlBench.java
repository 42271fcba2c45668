package dev.landfall.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import dev.landfall.common.access.AccessAdmin;
import dev.landfall.common.access.AccessStore;
import dev.landfall.common.access.UsagePlan;
import dev.landfall.local.LocalServers;
import dev.landfall.testing.FreePorts;
import dev.landfall.testing.LandfallApp;
import software.amazon.awssdk.core.sync.RequestBody;

import static dev.landfall.bench.BenchSupport.deleteTree;
import static dev.landfall.bench.BenchSupport.round;
import static org.awaitility.Awaitility.await;

/**
 * What access control costs: the page-views per-page API under 50 concurrent clients, once through an app with keys
 * and limits on (a reader key whose plan's rate, burst and quota are far above the load, so every request is counted
 * against them and none is refused) and once through an app with access control off, on the same local servers and
 * the same views (loaded by a third app that is stopped before). The two apps run side by side and are loaded in turns
 * (on, off, off, on, ...), so that a drift of the machine shows in both. Writes {@code target/bench/access-control.json}.
 * <p>
 * {@code ./mvnw -Pbench test-compile exec:exec@bench-access}; system properties {@code bench.clients} (50),
 * {@code bench.seconds} (60 per app), {@code bench.turn-seconds} (10).
 */
public final class AccessControlBench {

    static final String NAME = "access-control";
    static final double TARGET_THROUGHPUT_COST = 0.20;
    static final double TARGET_P99_COST_MS = 2.0;
    static final String PAGE = "blog/p0";
    static final String PATH = "/api/page-views/" + PAGE + "?from=2022-10-01&to=2022-11-01&granularity=day";

    private AccessControlBench() {
    }

    /** The requests of one app: their latencies (ns) and the count of answers other than 200. */
    static final class Load {
        final List<long[]> latencies = new ArrayList<>();
        long requests;
        long failures;
        double seconds;
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(System.getProperty("bench.out", "target/bench")).toAbsolutePath();
        int clients = Integer.getInteger("bench.clients", 50);
        int seconds = Integer.getInteger("bench.seconds", 60);
        int turnSeconds = Integer.getInteger("bench.turn-seconds", 10);
        Path work = out.resolve("work-" + NAME);
        deleteTree(work);
        Files.createDirectories(work);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("name", NAME);
        int exit = 1;
        try (LocalServers servers = LocalServers.start(LocalServers.Options.forTests(work.resolve("servers")))) {
            // the views are loaded by an app of their own, which is gone before the measured apps start: neither of
            // them ingests, polls S3 or writes aggregates while it is measured
            Map<String, String> loaderProps = LandfallApp.testProperties(servers, work.resolve("loader"));
            loaderProps.put("camel.server.port", Integer.toString(FreePorts.next()));
            int views;
            try (LandfallApp loader = LandfallApp.start(loaderProps)) {
                views = load(loader);
            }
            Map<String, String> on = LandfallApp.testProperties(servers, work.resolve("on"));
            int onPort = FreePorts.next();
            on.put("camel.server.port", Integer.toString(onPort));
            on.put("landfall.page-views.arrivals.poll", "false");
            Map<String, String> off = LandfallApp.testProperties(servers, work.resolve("off"));
            int offPort = FreePorts.next();
            off.put("camel.server.port", Integer.toString(offPort));
            off.put("landfall.access.enabled", "false");
            off.put("landfall.page-views.arrivals.poll", "false");
            // every client's request is served (not answered 503 by the API's bound on queries in flight, 8 by default)
            for (Map<String, String> app : List.of(on, off)) {
                app.put("landfall.page-views.api.max-concurrent", Integer.toString(clients));
            }
            try (LandfallApp keyed = LandfallApp.start(on); LandfallApp open = LandfallApp.start(off)) {
                keyed.bean("accessStore", AccessStore.class).putPlan(new UsagePlan("bench", 1_000_000, 100_000, 1_000_000_000L,
                        UsagePlan.Period.MONTH, Set.of("page-views")));
                String key = keyed.bean("accessAdmin", AccessAdmin.class).create("bench", AccessStore.Role.READER, "bench", null).key();
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                // warm both apps up
                run(http, onPort, key, clients, 5);
                run(http, offPort, null, clients, 5);
                Load keyedLoad = new Load();
                Load openLoad = new Load();
                // turns in the order on, off, off, on, on, off, ...: a drift of the machine weighs on both alike
                int turn = 0;
                for (int done = 0; done < seconds; done += turnSeconds, turn++) {
                    int t = Math.min(turnSeconds, seconds - done);
                    if (turn % 2 == 0) {
                        add(keyedLoad, run(http, onPort, key, clients, t));
                        add(openLoad, run(http, offPort, null, clients, t));
                    } else {
                        add(openLoad, run(http, offPort, null, clients, t));
                        add(keyedLoad, run(http, onPort, key, clients, t));
                    }
                }
                Map<String, Object> k = figures(keyedLoad);
                Map<String, Object> o = figures(openLoad);
                double throughputCost = 1 - (double) k.get("requestsPerSecond") / (double) o.get("requestsPerSecond");
                double p99CostMs = (double) k.get("p99Ms") - (double) o.get("p99Ms");
                // what the check itself adds to a request, as the keyed app's own timer saw it (the end-to-end p99 of
                // a saturated API moves by tens of ms from turn to turn, with or without the check)
                io.micrometer.core.instrument.Timer check = keyed.bean("pipelineMetrics", dev.landfall.common.PipelineMetrics.class)
                        .accessCheckTimer("page-views-counts");
                Map<String, Object> c = new LinkedHashMap<>();
                if (check != null) {
                    c.put("checks", check.count());
                    c.put("meanMs", round(check.mean(java.util.concurrent.TimeUnit.NANOSECONDS) / 1e6, 3));
                    for (var v : check.takeSnapshot().percentileValues()) {
                        c.put("p" + Math.round(v.percentile() * 100) + "Ms", round(v.value(java.util.concurrent.TimeUnit.NANOSECONDS) / 1e6, 3));
                    }
                    c.put("maxMs", round(check.max(java.util.concurrent.TimeUnit.NANOSECONDS) / 1e6, 3));
                }
                double checkP99 = c.containsKey("p99Ms") ? (double) c.get("p99Ms") : Double.NaN;
                boolean pass = throughputCost < TARGET_THROUGHPUT_COST && checkP99 < TARGET_P99_COST_MS
                        && keyedLoad.failures == 0 && openLoad.failures == 0;
                result.put("accessCheck", c);
                result.put("path", PATH);
                result.put("views", views);
                result.put("clients", clients);
                result.put("secondsPerApp", seconds);
                result.put("turnSeconds", turnSeconds);
                result.put("accessOn", k);
                result.put("accessOff", o);
                result.put("throughputCost", round(throughputCost, 3));
                result.put("p99CostMs", round(p99CostMs, 2));
                result.put("targetThroughputCost", TARGET_THROUGHPUT_COST);
                result.put("targetP99CostMs", TARGET_P99_COST_MS);
                result.put("pass", pass);
                result.put("note", "keyed: a reader key with a plan of 1,000,000/s, burst 100,000, 1,000,000,000 a month on the "
                        + "page-views API, every request checked (key digest cached, rate and quota taken in blocks from DynamoDB)");
                BenchSupport.putMachine(result);
                exit = pass ? 0 : 1;
            }
        } catch (Exception | Error e) {
            result.put("pass", false);
            result.put("error", String.valueOf(e));
            e.printStackTrace();
        }
        BenchSupport.finish(out, NAME, result, line(result), exit);
    }

    /** Views of one page over 30 days, ingested by the keyed app; returns how many. */
    static int load(LandfallApp app) throws Exception {
        Random random = new Random(7);
        double[] weights = PageViewsApiBench.zipf(20);
        int views = 0;
        for (int day = 0; day < 30; day++) {
            String key = String.format("logs/2022-10-%02d-00-00-00-ACCESS", day + 1);
            byte[] body = PageViewsApiBench.objectOf(random, weights, day, 2000, key);
            app.s3().putObject(b -> b.bucket("landfall-site-logs").key(key), RequestBody.fromBytes(body));
            views += 2000;
        }
        int expected = views;
        // done when the API (which reads the aggregates, written after the items) counts every view
        PageViewsApiBench.apiKey = app.adminKey();
        HttpClient http = HttpClient.newHttpClient();
        int port = Integer.parseInt(app.context().resolvePropertyPlaceholders("{{camel.server.port}}"));
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500)).until(() ->
                PageViewsApiBench.counted(http, port) >= expected);
        return views;
    }

    /** {@code clients} threads calling the API back to back for {@code seconds}. */
    static Load run(HttpClient http, int port, String key, int clients, int seconds) throws InterruptedException {
        return run(http, port, key, clients, seconds, () -> PATH);
    }

    /** {@code clients} threads calling {@code path} (asked anew for every request) back to back for {@code seconds}. */
    static Load run(HttpClient http, int port, String key, int clients, int seconds, java.util.function.Supplier<String> path)
            throws InterruptedException {
        Load load = new Load();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        CountDownLatch done = new CountDownLatch(clients);
        AtomicLong failures = new AtomicLong();
        long started = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            Thread t = new Thread(() -> {
                long[] lat = new long[1 << 16];
                int n = 0;
                try {
                    while (System.nanoTime() < end) {
                        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path.get()))
                                .timeout(Duration.ofSeconds(30));
                        if (key != null) {
                            b.header("x-api-key", key);
                        }
                        HttpRequest request = b.build();
                        long t0 = System.nanoTime();
                        HttpResponse<Void> r = http.send(request, HttpResponse.BodyHandlers.discarding());
                        long took = System.nanoTime() - t0;
                        if (r.statusCode() != 200) {
                            failures.incrementAndGet();
                        }
                        if (n == lat.length) {
                            lat = Arrays.copyOf(lat, lat.length * 2);
                        }
                        lat[n++] = took;
                    }
                } catch (Exception e) {
                    failures.incrementAndGet();
                } finally {
                    synchronized (load) {
                        load.latencies.add(Arrays.copyOf(lat, n));
                    }
                    done.countDown();
                }
            }, "client-" + c);
            t.start();
        }
        done.await();
        load.seconds = (System.nanoTime() - started) / 1e9;
        load.failures = failures.get();
        load.requests = load.latencies.stream().mapToLong(a -> a.length).sum();
        return load;
    }

    static void add(Load total, Load turn) {
        total.latencies.addAll(turn.latencies);
        total.requests += turn.requests;
        total.failures += turn.failures;
        total.seconds += turn.seconds;
    }

    static Map<String, Object> figures(Load load) {
        long[] all = load.latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requests", load.requests);
        m.put("failures", load.failures);
        m.put("requestsPerSecond", round(load.requests / load.seconds, 1));
        m.put("p50Ms", round(all[all.length / 2] / 1e6, 2));
        m.put("p99Ms", round(all[(int) Math.ceil(all.length * 0.99) - 1] / 1e6, 2));
        m.put("maxMs", round(all[all.length - 1] / 1e6, 2));
        return m;
    }

    @SuppressWarnings("unchecked")
    private static String line(Map<String, Object> r) {
        if (r.containsKey("error")) {
            return "bench " + NAME + ": FAIL " + r.get("error");
        }
        Map<String, Object> k = (Map<String, Object>) r.get("accessOn");
        Map<String, Object> o = (Map<String, Object>) r.get("accessOff");
        Map<String, Object> c = (Map<String, Object>) r.get("accessCheck");
        return String.format("bench %s: %d clients, %s: keys and limits on %,.0f req/s p50 %.2f ms p99 %.2f ms; off %,.0f req/s "
                        + "p50 %.2f ms p99 %.2f ms; cost %.1f%% of throughput (target < %.0f%%); the check itself p50 %s ms p99 %s ms "
                        + "(target p99 < %.0f ms; end to end %+.2f ms at p99); %s",
                NAME, r.get("clients"), PATH, k.get("requestsPerSecond"), k.get("p50Ms"), k.get("p99Ms"), o.get("requestsPerSecond"),
                o.get("p50Ms"), o.get("p99Ms"), 100 * (double) r.get("throughputCost"), 100 * TARGET_THROUGHPUT_COST,
                c.get("p50Ms"), c.get("p99Ms"), TARGET_P99_COST_MS, r.get("p99CostMs"), Boolean.TRUE.equals(r.get("pass")) ? "PASS" : "FAIL");
    }
}
