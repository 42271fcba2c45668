package dev.landfall.bench;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.landfall.local.EagleSimulator;
import dev.landfall.local.LocalServers;
import dev.landfall.meters.DeviceCredentials;
import dev.landfall.meters.MeterDevice;
import dev.landfall.meters.MeterRegistry;
import dev.landfall.testing.AppProcess;
import dev.landfall.testing.Aws;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import static org.awaitility.Awaitility.await;

/**
 * The meters bench: {@code bench.devices} simulated gateways (2% with a wrong password, 2% down, 1% hanging, 20-200 ms
 * latency) polled every 6 s by the packaged app for {@code bench.seconds}: polls per second, the lateness of each poll
 * against its slot (p50, p99), missed slots of the healthy devices (from the simulator's side: slots in which a device
 * was not asked for a reading), the app's CPU and RSS (from /proc), and afterwards every reading in S3 exactly once
 * (the spool's hours closed and rotated; the files' MD5s against the objects' ETags, the lines counted). Writes
 * {@code target/bench/meters.json}.
 */
public final class MetersBench {

    static final String NAME = "meters";
    static final long PERIOD_MS = 6000;

    public static void main(String[] args) throws Exception {
        int devices = Integer.getInteger("bench.devices", 10_000);
        int seconds = Integer.getInteger("bench.seconds", 300);
        Path out = Path.of(System.getProperty("bench.out", "target/bench"));
        Path work = Files.createTempDirectory("bench-meters");
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("name", NAME);
        result.put("devices", devices);
        result.put("seconds", seconds);
        List<EagleSimulator.Device> fleet = EagleSimulator.fleet(devices, "", 0.02, 0.02, 0.01, 20, 200, 42);
        try (LocalServers servers = LocalServers.start(LocalServers.Options.forTests(work.resolve("servers"), LocalServers.Server.forApp()));
             EagleSimulator sim = EagleSimulator.start(fleet);
             DynamoDbClient ddb = Aws.dynamoDb(servers); S3Client s3 = Aws.s3(servers)) {
            result.put("behaviours", sim.behaviours().toString());
            String keyset = register(ddb, sim, fleet);
            Path data = work.resolve("app");
            Map<String, String> props = appProperties(servers, data, keyset);
            List<String> base = List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError");
            List<String> jvm = new java.util.ArrayList<>(base);
            // -Dbench.jfr=<file>: a Flight Recorder profile of the polling app (jfr print --events jdk.ExecutionSample <file>)
            String jfr = System.getProperty("bench.jfr", "");
            if (!jfr.isBlank()) {
                jvm.add("-XX:StartFlightRecording=filename=" + Path.of(jfr).toAbsolutePath() + ",settings=profile,dumponexit=true");
            }
            result.put("appJvmFlags", jvm);
            Path spool = data.resolve("meters-spool");
            try (AppProcess app = AppProcess.start("bench-meters", props, jvm)) {
                app.awaitHealthy(Duration.ofSeconds(120));
                // every device polled once (the first minute's shard refreshes), then the measured window
                await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2))
                        .until(() -> app.metric("landfall_meters_polls_total") >= devices);
                BenchSupport.settle(1.9, 20);
                double polls0 = app.metric("landfall_meters_polls_total");
                double missed0 = app.metric("landfall_meters_missed_slots_total");
                long[] cpu0 = cpu(app.pid());
                long t0 = System.currentTimeMillis();
                sim.recordTimes(true);
                // RSS and the lateness p99 (Micrometer's window) sampled every 5 s over the window
                java.util.concurrent.atomic.AtomicLong rssKb = new java.util.concurrent.atomic.AtomicLong();
                java.util.concurrent.atomic.AtomicLong p99Micros = new java.util.concurrent.atomic.AtomicLong();
                java.util.concurrent.ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
                sampler.scheduleAtFixedRate(() -> {
                    try {
                        rssKb.accumulateAndGet(rss(app.pid()), Math::max);
                        p99Micros.accumulateAndGet((long) (app.metric("landfall_meters_poll_lateness_seconds", "quantile=\"0.99\"") * 1e6), Math::max);
                    } catch (Exception ignored) {
                        // a sample missed
                    }
                }, 5, 5, TimeUnit.SECONDS);
                await().pollDelay(Duration.ofSeconds(seconds)).atMost(Duration.ofSeconds(seconds + 30)).until(() -> true);
                sampler.shutdownNow();
                long rssMax = rssKb.get();
                double p99Max = p99Micros.get() / 1e6;
                sim.recordTimes(false);
                long t1 = System.currentTimeMillis();
                long[] cpu1 = cpu(app.pid());
                double wall = (t1 - t0) / 1000.0;
                double polls = app.metric("landfall_meters_polls_total") - polls0;
                result.put("pollsPerSecond", BenchSupport.round(polls / wall, 1));
                result.put("expectedPollsPerSecond", BenchSupport.round(devices * 1000.0 / PERIOD_MS, 1));
                result.put("latenessP50Ms", BenchSupport.round(app.metric("landfall_meters_poll_lateness_seconds", "quantile=\"0.5\"") * 1000, 1));
                result.put("latenessP99Ms", BenchSupport.round(app.metric("landfall_meters_poll_lateness_seconds", "quantile=\"0.99\"") * 1000, 1));
                result.put("latenessP99MaxOfWindowsMs", BenchSupport.round(p99Max * 1000, 1));
                result.put("missedSlotsByThePoller", (long) (app.metric("landfall_meters_missed_slots_total") - missed0));
                result.put("appCpuCores", BenchSupport.round((cpu1[0] - cpu0[0]) / 100.0 / wall, 2));
                result.put("appRssMbMax", rssMax / 1024);
                // missed slots of healthy devices, seen from the devices: a slot of the window in which it was not asked
                long healthy = 0, slots = 0, missed = 0;
                for (EagleSimulator.Device d : fleet) {
                    if (d.behaviour() != EagleSimulator.Behaviour.NORMAL) {
                        continue;
                    }
                    healthy++;
                    long phase = MeterDevice.phaseOf(d.cloudId(), PERIOD_MS);
                    java.util.Set<Long> asked = new java.util.HashSet<>();
                    for (long t : sim.readingTimes(d.cloudId())) {
                        asked.add(Math.floorDiv(t - phase, PERIOD_MS));
                    }
                    // the slots wholly inside the window (a slot's poll may leave up to a second late)
                    for (long k = Math.floorDiv(t0 - phase, PERIOD_MS) + 1; k * PERIOD_MS + phase + 1000 < t1; k++) {
                        slots++;
                        if (!asked.contains(k)) {
                            missed++;
                        }
                    }
                }
                result.put("healthyDevices", healthy);
                result.put("healthySlots", slots);
                result.put("healthyMissedSlots", missed);
                app.stop();
            }
            // exactly once: the spool's hours are closed (moved back a year, as if their end had passed), rotated by
            // an app with no devices, and the files' MD5s compared with the objects' ETags
            Map<String, String> md5s = new HashMap<>();
            long lines = 0;
            try (Stream<Path> hours = Files.list(spool)) {
                for (Path hourDir : hours.toList()) {
                    String hour = hourDir.getFileName().toString();
                    String old = "2020" + hour.substring(4);
                    Path moved = Files.createDirectories(spool.resolve(old));
                    try (Stream<Path> fs = Files.list(hourDir)) {
                        for (Path f : fs.toList()) {
                            String name = f.getFileName().toString().replace(hour, old);
                            String id = name.substring("meter-".length(), name.length() - ("-" + old + ".jl").length());
                            Path to = moved.resolve(name);
                            Files.move(f, to);
                            lines += Files.readAllLines(to).size();
                            md5s.put("rainforest-logs/" + id + "/" + old.substring(0, 4) + "/" + old.substring(5, 7) + "/" + old.substring(8, 10)
                                    + "/" + name, md5(to));
                        }
                    }
                    Files.delete(hourDir);
                }
            }
            props.put("landfall.meters.devices-table", "bench-no-devices");
            Map<String, String> landed = new HashMap<>();
            try (AppProcess rotator = AppProcess.start("bench-meters-rotate", props, base)) {
                rotator.awaitHealthy(Duration.ofSeconds(120));
                await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(2)).until(() -> {
                    landed.clear();
                    for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket("landfall-meters").prefix("rainforest-logs/")).contents()) {
                        landed.put(o.key(), o.eTag().replace("\"", ""));
                    }
                    return landed.size() >= md5s.size();
                });
            }
            long same = md5s.entrySet().stream().filter(e -> e.getValue().equals(landed.get(e.getKey()))).count();
            result.put("spoolFiles", md5s.size());
            result.put("readingsAppended", lines);
            result.put("objectsInS3", landed.size());
            result.put("objectsMatchingTheirFile", same);
            boolean once = same == md5s.size() && landed.size() == md5s.size();
            result.put("everyReadingInS3Once", once);
            boolean pass = once && (long) result.get("healthyMissedSlots") == 0 && (double) result.get("latenessP99Ms") < 500
                    && (double) result.get("appCpuCores") < 1.0 && (long) result.get("appRssMbMax") < 400;
            result.put("pass", pass);
            BenchSupport.putMachine(result);
            String line = String.format("bench %s: %d devices for %d s: %s polls/s (expected %s), lateness p50 %s ms p99 %s ms (max of"
                    + " windows %s), healthy missed slots %d of %d, app CPU %s cores, RSS max %d MB; %d readings in %d files, in S3 once: %s; %s",
                    NAME, devices, seconds, result.get("pollsPerSecond"), result.get("expectedPollsPerSecond"), result.get("latenessP50Ms"),
                    result.get("latenessP99Ms"), result.get("latenessP99MaxOfWindowsMs"), result.get("healthyMissedSlots"), result.get("healthySlots"),
                    result.get("appCpuCores"), result.get("appRssMbMax"), lines, md5s.size(), once, pass ? "PASS" : "FAIL");
            BenchSupport.finish(out, NAME, result, line, 0);
        }
    }

    /** Creates the devices table (and an empty one for rotators) and registers the fleet, sealed with a new keyset. */
    static String register(DynamoDbClient ddb, EagleSimulator sim, List<EagleSimulator.Device> fleet) throws InterruptedException {
        String keyset = DeviceCredentials.newKeyset();
        DeviceCredentials credentials = DeviceCredentials.of(keyset);
        for (String t : List.of("landfall-meters-devices", "bench-no-devices")) {
            ddb.createTable(b -> b.tableName(t).billingMode("PAY_PER_REQUEST")
                    .attributeDefinitions(a -> a.attributeName(MeterRegistry.CLOUD_ID).attributeType("S"))
                    .keySchema(k -> k.attributeName(MeterRegistry.CLOUD_ID).keyType("HASH")));
        }
        MeterRegistry registry = new MeterRegistry(ddb, null, "landfall-meters-devices", "landfall-meters-state");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        for (EagleSimulator.Device d : fleet) {
            pool.submit(() -> registry.put(new MeterDevice(d.cloudId(), d.email(), MeterDevice.Api.valueOf(d.api().name()),
                    sim.endpointOf(d), credentials.seal(d.cloudId(), d.behaviour() == EagleSimulator.Behaviour.WRONG_PASSWORD
                    ? "not-" + d.credential() : d.credential()), true, Instant.now().toString())));
        }
        pool.shutdown();
        pool.awaitTermination(10, TimeUnit.MINUTES);
        System.out.printf("bench %s: %d devices registered %s%n", NAME, fleet.size(), sim.behaviours());
        return keyset;
    }

    /** A polling app's settings: meters on, the keyset, and leases short enough for a bench to see a failover. */
    static Map<String, String> appProperties(LocalServers servers, Path data, String keyset) {
        Map<String, String> props = AppProcess.baseProperties(servers, data);
        props.put("landfall.meters.enabled", "true");
        props.put("landfall.meters.keyset", keyset);
        props.put("landfall.lock.lease-seconds", "10");
        props.put("landfall.cluster.lease-ms", "10000");
        props.put("landfall.cluster.heartbeat-ms", "2000");
        props.put("landfall.cluster.acquire-interval-ms", "1000");
        props.put("landfall.cluster.rebalance-ms", "2000");
        // -Dbench.app.<property>=<value>: an app setting for one run (e.g. -Dbench.app.landfall.meters.http-threads=1)
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("bench.app."))
                .forEach(k -> props.put(k.substring("bench.app.".length()), System.getProperty(k)));
        return props;
    }

    /** utime + stime of a process, in clock ticks (100 a second). */
    static long[] cpu(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new long[] {Long.parseLong(f[11]) + Long.parseLong(f[12])};
    }

    /** VmRSS in kB. */
    static long rss(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

    static String md5(Path f) throws Exception {
        MessageDigest d = MessageDigest.getInstance("MD5");
        try (InputStream in = Files.newInputStream(f)) {
            byte[] buf = new byte[65536];
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }
}
