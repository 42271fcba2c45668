package dev.landfall.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.landfall.local.LocalServers;
import dev.landfall.testing.AppProcess;
import dev.landfall.testing.FacilityFeed;

import static dev.landfall.bench.BenchSupport.deleteTree;
import static dev.landfall.bench.BenchSupport.round;
import static org.awaitility.Awaitility.await;

/**
 * Start-up and idle footprint of the production jar with both pipelines configured (a facility and the page views),
 * against the local servers, in the prod profile (storage verified, not created): from JVM launch to readiness UP ({@code /observe/health/ready}), then the resident set
 * size after 10 s idle; the median of 5 starts. The JVM runs as the Deployment runs it, sized as in a container with
 * the Deployment's 1 GiB memory limit ({@code -XX:MaxRAM=1g}). Targets: ready in under 2 s, under 300 MB RSS.
 * Writes {@code target/bench/startup.json}.
 * <p>
 * Run with {@code ./mvnw -B -Pbench package -DskipTests exec:exec@bench-startup} (it needs the packaged jar).
 */
public final class StartupBench {

    static final String NAME = "startup";
    static final double TARGET_READY_SECONDS = 2.0;
    static final long TARGET_RSS_MB = 300;
    static final List<String> JVM_FLAGS = List.of("-XX:MaxRAM=1g", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError");

    private StartupBench() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(System.getProperty("bench.out", "target/bench")).toAbsolutePath();
        int starts = Integer.getInteger("bench.starts", 5);
        long idleMs = Long.getLong("bench.idle-ms", 10_000L);
        Path work = out.resolve("work-" + NAME);
        deleteTree(work);
        Files.createDirectories(work);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("name", NAME);
        int exit = 1;
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(200)).build();
        try (LocalServers servers = LocalServers.start(LocalServers.Options.forTests(work.resolve("servers")))) {
            FacilityFeed feed = new FacilityFeed(servers, "startup");
            List<Double> ready = new ArrayList<>();
            List<Long> rss = new ArrayList<>();
            List<Double> cpu = new ArrayList<>();
            List<String> flags = new ArrayList<>(JVM_FLAGS);
            flags.addAll(extraFlags());
            // the first start (local profile) makes the buckets, tables and queues; the measured ones run the prod
            // profile, which only verifies them (in the background) as it does against real AWS
            for (int i = -1; i < starts; i++) {
                Map<String, String> props = AppProcess.baseProperties(servers, work.resolve("app-" + i));
                props.putAll(feed.routeProperties(60_000));
                boolean prod = i >= 0;
                if (prod) {
                    props.put("landfall.provision.mode", "verify");
                }
                List<String> jvm = new ArrayList<>(flags);
                if (cds()) {
                    // AppCDS: the first start writes the archive of the classes it loaded, the measured ones map it
                    Path jsa = work.resolve("landfall.jsa");
                    jvm.add(prod ? "-XX:SharedArchiveFile=" + jsa : "-XX:ArchiveClassesAtExit=" + jsa);
                }
                long launched = System.nanoTime();
                try (AppProcess app = AppProcess.start(NAME + "-" + i, props, jvm, env -> {
                    if (prod) {
                        env.put("CAMEL_MAIN_PROFILE", "prod");
                        env.put("LANDFALL_API_KEY_PEPPER", "startup-bench-pepper-of-at-least-32-bytes-0123456789");
                    }
                })) {
                    URI uri = URI.create("http://127.0.0.1:" + app.managementPort() + "/observe/health/ready");
                    await("ready; see " + app.logPath()).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                            .pollDelay(Duration.ZERO).until(() -> {
                                if (!app.isAlive()) {
                                    throw new IllegalStateException("the app exited; see " + app.logPath());
                                }
                                try {
                                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMillis(500)).build(),
                                            HttpResponse.BodyHandlers.ofString());
                                    return r.statusCode() == 200 && r.body().contains("\"UP\"");
                                } catch (java.io.IOException e) {
                                    return false; // not listening yet
                                }
                            });
                    double seconds = (System.nanoTime() - launched) / 1e9;
                    double cpuAtReady = cpuSeconds(app.pid());
                    if (!prod) {
                        app.stop(); // SIGTERM: a normal exit, which writes the CDS archive
                        continue;
                    }
                    // idle: it stays up, doing nothing but its polls' timers
                    await().during(Duration.ofMillis(idleMs)).atMost(Duration.ofMillis(idleMs + 5_000)).until(app::isAlive);
                    long kb = rssKb(app.pid());
                    ready.add(seconds);
                    rss.add(kb / 1024);
                    cpu.add(cpuAtReady);
                    System.out.printf("bench %s: start %d: ready in %.2f s (%.2f s of CPU), %d MB RSS after %d s idle%n", NAME, i + 1,
                            seconds, cpuAtReady, kb / 1024, idleMs / 1000);
                }
            }
            double medianReady = median(ready);
            long medianRss = Math.round(median(rss.stream().map(Long::doubleValue).toList()));
            boolean pass = medianReady < TARGET_READY_SECONDS && medianRss < TARGET_RSS_MB;
            result.put("readySeconds", ready.stream().map(v -> round(v, 3)).toList());
            result.put("rssMb", rss);
            result.put("cpuSecondsAtReady", cpu.stream().map(v -> round(v, 3)).toList());
            result.put("medianReadySeconds", round(medianReady, 3));
            result.put("medianRssMb", medianRss);
            result.put("targetReadySeconds", TARGET_READY_SECONDS);
            result.put("targetRssMb", TARGET_RSS_MB);
            result.put("jvmFlags", flags);
            result.put("appCds", cds());
            result.put("pass", pass);
            BenchSupport.putMachine(result);
            exit = pass ? 0 : 1;
        } catch (Exception | Error e) {
            result.put("pass", false);
            result.put("error", String.valueOf(e));
            e.printStackTrace();
        }
        String line = result.containsKey("error") ? "bench " + NAME + ": FAIL " + result.get("error")
                : String.format("bench %s: median of %d starts: ready in %s s (target < %s), %s MB RSS idle (target < %d); %s",
                NAME, starts, result.get("medianReadySeconds"), TARGET_READY_SECONDS, result.get("medianRssMb"), TARGET_RSS_MB,
                Boolean.TRUE.equals(result.get("pass")) ? "PASS" : "FAIL");
        BenchSupport.finish(out, NAME, result, line, exit);
    }

    /** AppCDS on: {@code -Dbench.cds=true} or the environment's {@code BENCH_CDS=true} (exec:exec forks this JVM). */
    static boolean cds() {
        return Boolean.getBoolean("bench.cds") || "true".equals(System.getenv("BENCH_CDS"));
    }

    /** Flags the run adds, e.g. {@code -Dbench.jvm-flags=-XX:SharedArchiveFile=target/landfall.jsa}. */
    static List<String> extraFlags() {
        String extra = System.getProperty("bench.jvm-flags", "").trim();
        return extra.isEmpty() ? List.of() : List.of(extra.split("\\s+"));
    }

    /** User + system CPU time of a process so far (from /proc, in clock ticks of 1/100 s). */
    static double cpuSeconds(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    }

    static long rssKb(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D+", ""));
            }
        }
        return -1;
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
