package dev.landfall.meters;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landfall.local.EagleSimulator;
import dev.landfall.testing.AppProcess;
import dev.landfall.testing.Aws;
import dev.landfall.testing.CrashLoop;
import dev.landfall.testing.WithLocalServers;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.model.S3Object;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged app SIGKILLed while it rotates the spool to S3 (during uploads and between an upload and its delete) and
 * while it appends readings: afterwards every appended reading is in S3 exactly once, and every line is whole.
 */
class MetersCrashIT extends WithLocalServers {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String BUCKET = "landfall-meters";

    static Map<String, String> props(Path data, String keyset) {
        Map<String, String> p = AppProcess.baseProperties(servers, data);
        p.put("landfall.meters.enabled", "true");
        p.put("landfall.meters.shards", "2");
        p.put("landfall.meters.keyset", keyset);
        p.put("landfall.meters.rotate-interval-ms", "300");
        p.put("landfall.meters.registry-refresh-ms", "1000");
        p.put("landfall.meters.state-flush-ms", "1000");
        return p;
    }

    static Map<String, String> spoolFiles(Path spool) throws Exception {
        Map<String, String> out = new HashMap<>();
        if (!Files.exists(spool)) {
            return out;
        }
        try (Stream<Path> files = walk(spool)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".jl")).toList()) {
                try {
                    out.put(f.getFileName().toString(), Files.readString(f));
                } catch (java.nio.file.NoSuchFileException e) {
                    // rotated away meanwhile
                }
            }
        }
        return out;
    }

    /** The spool's paths; a directory removed by the rotation while walked is skipped. */
    static Stream<Path> walk(Path spool) throws Exception {
        List<Path> all = new java.util.ArrayList<>();
        try (Stream<Path> hours = Files.list(spool)) {
            for (Path h : hours.toList()) {
                try (Stream<Path> fs = Files.list(h)) {
                    all.addAll(fs.toList());
                } catch (java.nio.file.NoSuchFileException | java.nio.file.NotDirectoryException e) {
                    // rotated away meanwhile
                }
            }
        }
        return all.stream();
    }

    static Map<String, String> landed() {
        Map<String, String> out = new HashMap<>();
        for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix("rainforest-logs/")).contents()) {
            out.put(o.key(), s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(o.key())).asUtf8String());
        }
        return out;
    }

    @Test
    void killedWhileRotatingEveryFileLandsOnceAndWhole() throws Exception {
        long seed = Long.getLong("landfall.it.seed", System.nanoTime());
        Path data = dir.resolve("rotation");
        Path spool = data.resolve("meters-spool");
        Map<String, String> expected = new HashMap<>();
        String[] hours = {"2026-11-29-21", "2026-11-29-22", "2026-11-29-23"};
        for (String hour : hours) {
            Files.createDirectories(spool.resolve(hour));
            for (int d = 0; d < 40; d++) {
                String id = String.format("%06d", d);
                StringBuilder b = new StringBuilder();
                for (int i = 0; i < 1500; i++) {
                    b.append("{\"cloud_id\":\"").append(id).append("\",\"polled_at\":\"").append(hour).append("-").append(i)
                            .append("\",\"demand_kw\":").append(i % 97).append(".125,\"pad\":\"").append("x".repeat(60)).append("\"}\n");
                }
                String name = "meter-" + id + "-" + hour + ".jl";
                Files.writeString(spool.resolve(hour).resolve(name), b.toString());
                expected.put("rainforest-logs/" + id + "/2026/11/29/" + name, b.toString());
            }
        }
        Map<String, String> p = props(data, DeviceCredentials.newKeyset());
        try (CrashLoop crashes = new CrashLoop(n -> AppProcess.startHealthy("meters-rotation-crash-" + n, p), new Random(seed))) {
            crashes.start();
            AppProcess app = crashes.app();
            for (int k = 0; k < 3 && !spoolFiles(spool).isEmpty(); k++) {
                app = crashes.killWhenBusy(CrashLoop.inflight("meters-rotate"), Duration.ofSeconds(30), Duration.ofMillis(300));
            }
            String context = "seed " + seed + ", kills " + crashes.kills() + ", log " + app.logPath();
            await(context).atMost(Duration.ofSeconds(120)).until(() -> spoolFiles(spool).isEmpty());
            Map<String, String> landed = landed();
            assertThat(landed.keySet()).as(context).containsExactlyInAnyOrderElementsOf(expected.keySet());
            expected.forEach((key, text) -> assertThat(landed.get(key)).as(context + ": " + key).isEqualTo(text));
            System.out.println("MetersCrashIT rotation " + context + ": " + expected.size() + " files, each once");
        }
    }

    @Test
    void killedWhileAppendingEveryLineIsWholeAndLandsOnce() throws Exception {
        long seed = Long.getLong("landfall.it.seed", System.nanoTime());
        Path data = dir.resolve("appends");
        Path spool = data.resolve("meters-spool");
        String keyset = DeviceCredentials.newKeyset();
        DeviceCredentials credentials = DeviceCredentials.of(keyset);
        List<EagleSimulator.Device> fleet = EagleSimulator.fleet(20, "c", 0, 0, 0, 1, 5, seed);
        Map<String, String> p = props(data, keyset);
        p.put("landfall.meters.period-ms", "200");
        try (EagleSimulator sim = EagleSimulator.start(fleet); DynamoDbClient ddb = Aws.dynamoDb(servers);
             CrashLoop crashes = new CrashLoop(n -> AppProcess.startHealthy("meters-append-crash-" + n, p), new Random(seed))) {
            crashes.start();
            MeterRegistry registry = new MeterRegistry(ddb, null, "landfall-meters-devices", "landfall-meters-state");
            for (EagleSimulator.Device d : fleet) {
                registry.put(new MeterDevice(d.cloudId(), d.email(), MeterDevice.Api.valueOf(d.api().name()), sim.endpointOf(d),
                        credentials.seal(d.cloudId(), d.credential()), true, Instant.now().toString()));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> spoolFiles(spool).size() == fleet.size());
            for (int k = 0; k < 3; k++) {
                crashes.killAfterRandomDelay(Duration.ofMillis(1500));
            }
            AppProcess app = crashes.app();
            String context = "seed " + seed + ", kills " + crashes.kills() + ", log " + app.logPath();
            long before = sim.requests();
            await(context).atMost(Duration.ofSeconds(30)).until(() -> sim.requests() > before + 100);
            app.stop();

            // every line whole, once per poll of its device
            Map<String, String> files = spoolFiles(spool);
            assertThat(files.size()).as(context).isGreaterThanOrEqualTo(fleet.size());
            long lines = 0;
            for (Map.Entry<String, String> f : files.entrySet()) {
                Set<String> polled = new HashSet<>();
                assertThat(f.getValue()).as(f.getKey()).endsWith("\n");
                for (String line : f.getValue().split("\n")) {
                    JsonNode n = JSON.readTree(line);
                    assertThat(f.getKey()).contains("-" + n.get("cloud_id").asText() + "-");
                    assertThat(polled.add(n.get("polled_at").asText())).as(context + ": " + f.getKey() + " " + line).isTrue();
                    lines++;
                }
            }
            // the hour closes (moved back, as if its end had passed): what was appended lands, each line once
            Map<String, String> expected = new HashMap<>();
            try (Stream<Path> hourDirs = Files.list(spool)) {
                for (Path hourDir : hourDirs.toList()) {
                    String hour = hourDir.getFileName().toString();
                    String old = "2020-01-0" + (1 + Integer.parseInt(hour.substring(11))  % 9) + "-" + hour.substring(11);
                    Path moved = Files.createDirectories(spool.resolve(old));
                    try (Stream<Path> fs = Files.list(hourDir)) {
                        for (Path f : fs.toList()) {
                            String name = f.getFileName().toString().replace(hour, old);
                            String id = name.substring("meter-".length(), name.length() - ("-" + old + ".jl").length());
                            expected.put("rainforest-logs/" + id + "/2020/01/" + old.substring(8, 10) + "/" + name, Files.readString(f));
                            Files.move(f, moved.resolve(name));
                        }
                    }
                    Files.delete(hourDir);
                }
            }
            Map<String, String> q = new HashMap<>(p);
            q.put("landfall.meters.enabled", "true");
            try (AppProcess rotator = AppProcess.startHealthy("meters-append-rotate", q)) {
                registry.all().forEach(d -> registry.delete(d.cloudId()));
                await(context).atMost(Duration.ofSeconds(60)).until(() -> landed().keySet().containsAll(expected.keySet()));
                Map<String, String> landed = landed();
                expected.forEach((key, text) -> assertThat(landed.get(key)).as(context + ": " + key).isEqualTo(text));
                assertThat(landed.keySet().stream().filter(k -> k.contains(".part"))).as(context).isEmpty();
            }
            System.out.println("MetersCrashIT appends " + context + ": " + lines + " whole lines in " + files.size() + " files, each landed once");
        }
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
