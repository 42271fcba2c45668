package dev.landfall.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landfall.local.EagleSimulator;
import dev.landfall.local.LocalServers;
import dev.landfall.testing.AppProcess;
import dev.landfall.testing.Aws;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import static org.awaitility.Awaitility.await;

/**
 * The meters bench's second half: the same fleet polled by {@code bench.replicas} (3) packaged apps sharing the 32 shards
 * through the DynamoDB cluster service; one replica is killed with SIGKILL in the middle of the window. Measured from the
 * devices' side: the longest gap between two polls of a healthy device whose shard stayed put (no slot may be missed),
 * and of one whose shard was on the killed replica (the failover time, against the bound the lease settings give).
 * Afterwards every replica's spool is rotated (the killed one's as its restarted pod would) and every reading appended
 * anywhere is compared with the readings in S3: each exactly once.
 */
public final class MetersFailoverBench {

    static final String NAME = "meters-failover";
    static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        int devices = Integer.getInteger("bench.devices", 10_000);
        int seconds = Integer.getInteger("bench.seconds", 300);
        int replicas = Integer.getInteger("bench.replicas", 3);
        long period = MetersBench.PERIOD_MS;
        Path out = Path.of(System.getProperty("bench.out", "target/bench"));
        Path work = Files.createTempDirectory("bench-meters-failover");
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("name", NAME);
        result.put("devices", devices);
        result.put("replicas", replicas);
        result.put("seconds", seconds);
        List<EagleSimulator.Device> fleet = EagleSimulator.fleet(devices, "", 0.02, 0.02, 0.01, 20, 200, 42);
        try (LocalServers servers = LocalServers.start(LocalServers.Options.forTests(work.resolve("servers"), LocalServers.Server.forApp()));
             EagleSimulator sim = EagleSimulator.start(fleet);
             DynamoDbClient ddb = Aws.dynamoDb(servers); S3Client s3 = Aws.s3(servers)) {
            String keyset = MetersBench.register(ddb, sim, fleet);
            List<String> jvm = List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError");
            List<Map<String, String>> props = new ArrayList<>();
            List<AppProcess> apps = new ArrayList<>();
            long leaseMs = 0;
            try {
                for (int i = 0; i < replicas; i++) {
                    Map<String, String> p = MetersBench.appProperties(servers, work.resolve("app-" + i), keyset);
                    leaseMs = Long.parseLong(p.get("landfall.cluster.lease-ms"));
                    props.add(p);
                    apps.add(AppProcess.start("bench-meters-r" + i, p, jvm));
                }
                for (AppProcess app : apps) {
                    app.awaitHealthy(Duration.ofSeconds(180));
                }
                // every device polled, and the shards spread: each replica polls some
                await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(2)).until(() -> {
                    double polls = 0;
                    for (AppProcess app : apps) {
                        if (app.metric("landfall_meters_devices_ok") < 1) {
                            return false;
                        }
                        polls += app.metric("landfall_meters_polls_total");
                    }
                    return polls >= devices;
                });
                BenchSupport.settle(1.9, 20);
                long t0 = System.currentTimeMillis();
                sim.recordTimes(true);
                await().pollDelay(Duration.ofSeconds(seconds / 2)).atMost(Duration.ofSeconds(seconds / 2 + 30)).until(() -> true);
                long killedAt = System.currentTimeMillis();
                List<Double> okBefore = new ArrayList<>();
                for (AppProcess app : apps) {
                    okBefore.add(app.metric("landfall_meters_devices_ok"));
                }
                apps.get(0).kill9();
                System.out.printf("bench %s: replica 0 killed (it polled %.0f healthy devices)%n", NAME, okBefore.get(0));
                await().pollDelay(Duration.ofSeconds(seconds - seconds / 2)).atMost(Duration.ofSeconds(seconds / 2 + 30)).until(() -> true);
                sim.recordTimes(false);
                long t1 = System.currentTimeMillis();
                result.put("healthyDevicesOnTheKilledReplica", okBefore.get(0).longValue());
                // the gaps between two polls of each healthy device, seen from the devices
                long staying = 0, moved = 0, stayingMissed = 0, movedMaxGap = 0, stayingMaxGap = 0;
                for (EagleSimulator.Device d : fleet) {
                    if (d.behaviour() != EagleSimulator.Behaviour.NORMAL) {
                        continue;
                    }
                    List<Long> times = new ArrayList<>(sim.readingTimes(d.cloudId()));
                    times.sort(null);
                    long maxGap = 0;
                    boolean spansKill = false;
                    long prev = t0;
                    times.add(t1);
                    for (long t : times) {
                        if (t - prev > maxGap) {
                            maxGap = t - prev;
                            spansKill = prev <= killedAt + period && t >= killedAt;
                        }
                        prev = t;
                    }
                    // a gap of more than a period and a second (a poll may leave up to a second late) is a missed slot
                    if (spansKill && maxGap > period + 1000) {
                        moved++;
                        movedMaxGap = Math.max(movedMaxGap, maxGap);
                    } else {
                        staying++;
                        stayingMaxGap = Math.max(stayingMaxGap, maxGap);
                        if (maxGap > period + 1000) {
                            stayingMissed++;
                        }
                    }
                }
                // the bound: the dead leader's lease runs out, the next acquire round takes the shard, plus one period
                long boundMs = leaseMs + Long.parseLong(props.get(1).get("landfall.cluster.acquire-interval-ms"))
                        + Long.parseLong(props.get(1).get("landfall.cluster.rebalance-ms")) + period;
                result.put("windowSeconds", (t1 - t0) / 1000);
                result.put("healthyDevicesThatStayed", staying);
                result.put("healthyDevicesThatStayedMissingASlot", stayingMissed);
                result.put("maxGapOfThoseThatStayedMs", stayingMaxGap);
                result.put("healthyDevicesThatFailedOver", moved);
                result.put("maxGapOfThoseThatFailedOverMs", movedMaxGap);
                result.put("failoverBoundMs", boundMs);
                for (int i = 1; i < apps.size(); i++) {
                    apps.get(i).stop();
                }
            } finally {
                for (AppProcess app : apps) {
                    app.close();
                }
            }
            // exactly once: every replica's hours are closed (moved back a year) and rotated by an app with no devices
            // on that replica's data directory (the killed one's torn line repaired first, as at its restart)
            Set<String> appended = new HashSet<>();
            long appendedLines = 0;
            for (int i = 0; i < replicas; i++) {
                Path spool = work.resolve("app-" + i).resolve("meters-spool");
                closeHours(spool);
                List<String> lines = spoolReadings(spool);
                appended.addAll(lines);
                appendedLines += lines.size();
                Map<String, String> p = new HashMap<>(props.get(i));
                p.put("landfall.meters.devices-table", "bench-no-devices");
                try (AppProcess rotator = AppProcess.start("bench-meters-rotate-r" + i, p, jvm)) {
                    rotator.awaitHealthy(Duration.ofSeconds(120));
                    await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(2)).until(() -> {
                        try (Stream<Path> files = Files.walk(spool)) {
                            return files.noneMatch(f -> f.toString().endsWith(".jl"));
                        }
                    });
                }
            }
            // what S3 holds
            Map<String, Integer> landed = new HashMap<>();
            long landedLines = 0;
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket("landfall-meters").prefix("rainforest-logs/")).contents()) {
                for (String line : s3.getObjectAsBytes(b -> b.bucket("landfall-meters").key(o.key())).asUtf8String().split("\n")) {
                    if (!line.isBlank()) {
                        landed.merge(readingKey(line), 1, Integer::sum);
                        landedLines++;
                    }
                }
            }
            long twice = landed.values().stream().filter(n -> n > 1).count();
            long lost = appended.stream().filter(k -> !landed.containsKey(k)).count();
            long extra = landed.keySet().stream().filter(k -> !appended.contains(k)).count();
            result.put("readingsAppended", appendedLines);
            result.put("readingsInS3", landedLines);
            result.put("readingsInS3Twice", twice);
            result.put("readingsLost", lost);
            result.put("readingsInS3NotAppended", extra);
            boolean once = twice == 0 && lost == 0 && extra == 0 && appendedLines == landedLines;
            result.put("everyReadingInS3Once", once);
            // no healthy device misses more than the failover time
            boolean pass = once && Math.max((long) result.get("maxGapOfThoseThatStayedMs"), (long) result.get("maxGapOfThoseThatFailedOverMs"))
                    <= (long) result.get("failoverBoundMs");
            result.put("pass", pass);
            BenchSupport.putMachine(result);
            String line = String.format("bench %s: %d devices on %d replicas for %d s, one killed at half time: %d healthy devices stayed"
                            + " (%d missed a slot, longest gap %d ms), %d failed over (longest gap %d ms, bound %d ms); %d readings appended, %d in S3,"
                            + " twice %d, lost %d: in S3 once: %s; %s",
                    NAME, devices, replicas, seconds, result.get("healthyDevicesThatStayed"), result.get("healthyDevicesThatStayedMissingASlot"),
                    result.get("maxGapOfThoseThatStayedMs"), result.get("healthyDevicesThatFailedOver"), result.get("maxGapOfThoseThatFailedOverMs"),
                    result.get("failoverBoundMs"), appendedLines, landedLines, twice, lost, once, pass ? "PASS" : "FAIL");
            BenchSupport.finish(out, NAME, result, line, 0);
        }
    }

    /**
     * The readings of a spool, as its next start will rotate them: whole lines only (a line torn by the kill, after the
     * last newline, is what the start's repair cuts off).
     */
    static List<String> spoolReadings(Path spool) throws Exception {
        List<String> keys = new ArrayList<>();
        if (!Files.isDirectory(spool)) {
            return keys;
        }
        try (Stream<Path> files = Files.walk(spool)) {
            for (Path f : files.filter(x -> x.toString().endsWith(".jl")).toList()) {
                String text = Files.readString(f);
                int end = text.lastIndexOf('\n');
                if (end < 0) {
                    continue;
                }
                for (String line : text.substring(0, end).split("\n")) {
                    if (!line.isBlank()) {
                        keys.add(readingKey(line));
                    }
                }
            }
        }
        return keys;
    }

    static String readingKey(String line) throws Exception {
        JsonNode n = JSON.readTree(line);
        return n.get("cloud_id").asText() + "@" + n.get("polled_at").asText();
    }

    /** Moves each hour of the spool back a year, file names too, as if the hour had long ended. */
    static void closeHours(Path spool) throws Exception {
        if (!Files.isDirectory(spool)) {
            return;
        }
        try (Stream<Path> hours = Files.list(spool)) {
            for (Path hourDir : hours.toList()) {
                String hour = hourDir.getFileName().toString();
                String old = "2020" + hour.substring(4);
                Path moved = Files.createDirectories(spool.resolve(old));
                try (Stream<Path> fs = Files.list(hourDir)) {
                    for (Path f : fs.toList()) {
                        Files.move(f, moved.resolve(f.getFileName().toString().replace(hour, old)));
                    }
                }
                Files.delete(hourDir);
            }
        }
    }
}
