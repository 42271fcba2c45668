package dev.landfall.bench;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPOutputStream;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landfall.common.DynamoDbBatchWriter;
import dev.landfall.common.PipelineMetrics;
import dev.landfall.common.StorageProvisioner;
import dev.landfall.common.StorageSpec;
import dev.landfall.landing.LandingItems;
import dev.landfall.landing.LandingSource;
import dev.landfall.landing.LandingStore;
import dev.landfall.local.LocalServers;
import dev.landfall.testing.AppProcess;
import dev.landfall.testing.Aws;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;

import static dev.landfall.bench.BenchSupport.deleteTree;
import static dev.landfall.bench.BenchSupport.round;
import static org.awaitility.Awaitility.await;

/**
 * The landing pipeline end to end, the packaged app (-Xmx512m) on the local servers: 200 scraper objects (half gzipped)
 * with 1,000,000 JSON-lines records in all, about 30% of them repeating a product unchanged and 5% changing its price,
 * the rest new products. Figures: the copy phase (objects/s, MB/s) against raw CopyObject of the same objects; records/s
 * against the raw ceiling of the same calls (the pages' BatchGetItem, the new and changed records' BatchWriteItem and
 * their latest versions' TransactWriteItems, 8 in flight) on fresh tables; items written against new + changed exactly;
 * then a 200 MB object (100,000 repeated products padded with a 2 KB description, not a change field) and the app's
 * heap in use, sampled over the run (it runs with -Xmx512m). Writes {@code target/bench/landing.json}.
 * <p>
 * {@code ./mvnw -B -Pbench package -DskipTests exec:exec@bench-landing}; {@code bench.objects} (200), {@code bench.records}
 * (1,000,000), {@code bench.big-mb} (200, 0: none).
 */
public final class LandingBench {

    static final String NAME = "landing";
    static final String SOURCE = "landfall-scraper";
    static final double TARGET_RATIO = 0.85;
    static final int PARALLEL = 8;

    private LandingBench() {
    }

    /** One object's records: product index and price in cents; and whether each is new or changed (to be written). */
    record Gen(int[] product, int[] cents, boolean[] written) {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(System.getProperty("bench.out", "target/bench")).toAbsolutePath();
        int objects = Integer.getInteger("bench.objects", 200);
        int records = Integer.getInteger("bench.records", 1_000_000);
        int bigMb = Integer.getInteger("bench.big-mb", 200);
        Path work = out.resolve("work-" + NAME);
        deleteTree(work);
        Files.createDirectories(work);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("name", NAME);
        int exit = 1;
        try (LocalServers servers = LocalServers.start(LocalServers.Options.forTests(work.resolve("servers")));
             S3Client s3 = Aws.s3(servers); DynamoDbClient ddb = Aws.dynamoDb(servers)) {
            new StorageProvisioner(s3, ddb, StorageProvisioner.Mode.CREATE, List.of(new StorageSpec(List.of(SOURCE, "bench-copy-ceiling"), List.of(
                    new StorageSpec.Table("ceiling-landing", LandingItems.UUID_ATTR, LandingItems.UPLOAD_DATE, null),
                    new StorageSpec.Table("ceiling-latest", LandingItems.UUID_ATTR, null, null))))).ensure();
            // the objects: repeats and changes only of products no object of the last 10 touched (objects are landed a few
            // at a time, so the expected count does not depend on which of two neighbours lands first)
            Random random = new Random(42);
            int per = records / objects;
            int[] price = new int[records];
            int[] lastTouch = new int[records];
            int products = 0;
            int[] createdBy = new int[objects + 1];
            long expectedNew = 0;
            long expectedChanged = 0;
            long repeats = 0;
            long bytes = 0;
            List<Gen> gens = new ArrayList<>();
            List<String> keys = new ArrayList<>();
            for (int o = 0; o < objects; o++) {
                Gen g = new Gen(new int[per], new int[per], new boolean[per]);
                int settled = o >= 10 ? createdBy[o - 10] : 0;
                for (int i = 0; i < per; i++) {
                    double roll = random.nextDouble();
                    int p = -1;
                    if (settled > 0 && roll < 0.35) {
                        for (int t = 0; t < 5 && p < 0; t++) {
                            int c = random.nextInt(settled);
                            if (lastTouch[c] <= o - 10) {
                                p = c;
                            }
                        }
                    }
                    if (p < 0) {
                        p = products++;
                        price[p] = 100 + random.nextInt(100_000);
                        g.written[i] = true;
                        expectedNew++;
                    } else if (roll < 0.05) {
                        price[p] = price[p] + 1 + random.nextInt(500);
                        g.written[i] = true;
                        expectedChanged++;
                    } else {
                        repeats++;
                    }
                    lastTouch[p] = o;
                    g.product[i] = p;
                    g.cents[i] = price[p];
                }
                createdBy[o] = products;
                gens.add(g);
                byte[] body = text(g, null).getBytes(StandardCharsets.UTF_8);
                boolean gz = o % 2 == 1;
                byte[] stored = gz ? gzip(body) : body;
                bytes += stored.length;
                String key = String.format("bench/obj-%03d.jsonl%s", o, gz ? ".gz" : "");
                s3.putObject(b -> b.bucket(SOURCE).key(key), RequestBody.fromBytes(stored));
                keys.add(key);
            }
            long expectedWrites = expectedNew + expectedChanged;
            System.out.printf("bench %s: %d objects, %d records (%d new, %d changed, %d repeated), %.1f MB%n", NAME, objects,
                    (long) per * objects, expectedNew, expectedChanged, repeats, bytes / 1e6);

            // ceiling 1: CopyObject of the same objects, two at a time (the app's arrivals in parallel)
            ExecutorService two = Executors.newFixedThreadPool(2);
            long c0 = System.nanoTime();
            List<Future<?>> copies = new ArrayList<>();
            for (String k : keys) {
                copies.add(two.submit(() -> s3.copyObject(b -> b.sourceBucket(SOURCE).sourceKey(k).destinationBucket("bench-copy-ceiling")
                        .destinationKey("raw/" + k))));
            }
            for (Future<?> f : copies) {
                f.get();
            }
            double copyCeilingSeconds = (System.nanoTime() - c0) / 1e9;
            two.shutdown();

            // ceiling 2: the same DynamoDB calls, raw, 8 in flight
            ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
            LandingStore ceilingStore = new LandingStore(ddb, "ceiling-landing", "ceiling-latest", pool, PARALLEL);
            DynamoDbBatchWriter writer = new DynamoDbBatchWriter(ddb, PARALLEL, 10, 25, 2000,
                    new PipelineMetrics(io.micrometer.core.instrument.simple.SimpleMeterRegistry::new));
            double ceilingSeconds = 0;
            double getSeconds = 0;
            double writeSeconds = 0;
            double advanceSeconds = 0;
            for (int o = 0; o < objects; o++) {
                Gen g = gens.get(o);
                for (int from = 0; from < per; from += 1000) {
                    int to = Math.min(per, from + 1000);
                    List<String> uuids = new ArrayList<>();
                    List<Map<String, AttributeValue>> items = new ArrayList<>();
                    Map<String, LandingStore.Latest> now = new LinkedHashMap<>();
                    for (int i = from; i < to; i++) {
                        ObjectNode r = record(g, i, null);
                        String uuid = LandingItems.identity("scraper", List.of("store", "sku"), r).uuid();
                        uuids.add(uuid);
                        if (g.written()[i]) {
                            String hash = LandingItems.changeHash(List.of("price", "title"), r);
                            String date = LandingItems.uploadDate("2026-12-01T00:00:00Z", "o" + o, i + 1);
                            items.add(LandingItems.item(uuid, date, "scraper", keys.get(o), LandingItems.record(r, LandingSource.Format.JSONL), hash));
                            now.put(uuid, new LandingStore.Latest(date, hash));
                        }
                    }
                    long t0 = System.nanoTime();
                    Map<String, LandingStore.Latest> was = ceilingStore.latest(uuids);
                    long t1 = System.nanoTime();
                    writer.writeAll("ceiling-landing", "uuid,upload_date", items);
                    long t2 = System.nanoTime();
                    Map<String, LandingStore.Advance> advance = new LinkedHashMap<>();
                    now.forEach((u, v) -> advance.put(u, new LandingStore.Advance(was.get(u), v)));
                    ceilingStore.advance(advance);
                    long t3 = System.nanoTime();
                    ceilingSeconds += (t3 - t0) / 1e9;
                    getSeconds += (t1 - t0) / 1e9;
                    writeSeconds += (t2 - t1) / 1e9;
                    advanceSeconds += (t3 - t2) / 1e9;
                }
            }
            pool.shutdown();
            result.put("ceilingSecondsBatchGetItem", round(getSeconds, 2));
            result.put("ceilingSecondsBatchWriteItem", round(writeSeconds, 2));
            result.put("ceilingSecondsTransactWriteItems", round(advanceSeconds, 2));
            double ceilingRate = per * (double) objects / ceilingSeconds;
            System.out.printf("bench %s: ceiling %,.0f records/s (%.1f s of calls); copy ceiling %.1f objects/s%n", NAME, ceilingRate,
                    ceilingSeconds, objects / copyCeilingSeconds);

            // the app, on a DynamoDB Local as empty as the ceiling had it (its SQLite file grows with every table)
            ddb.deleteTable(b -> b.tableName("ceiling-landing"));
            ddb.deleteTable(b -> b.tableName("ceiling-latest"));
            Map<String, String> props = AppProcess.baseProperties(servers, work.resolve("app"));
            props.put("landfall.landing.poll-delay-ms", "500");
            props.put("landfall.landing.source.scraper.prefix", "bench/");
            // the deployment's JIT (the tests' C1-only flag is for start-up), its heap capped at 512 MB
            List<String> jvm = List.of("-Xmx512m", "-XX:+ExitOnOutOfMemoryError");
            try (AppProcess app = AppProcess.start("bench-landing", props, jvm)) {
                app.awaitHealthy(Duration.ofSeconds(120));
                java.util.concurrent.atomic.AtomicLong heapMax = new java.util.concurrent.atomic.AtomicLong();
                java.util.concurrent.ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
                sampler.scheduleAtFixedRate(() -> {
                    try {
                        heapMax.accumulateAndGet((long) app.metric("jvm_memory_used_bytes", "area=\"heap\""), Math::max);
                    } catch (Exception ignored) {
                        // the app is going away
                    }
                }, 0, 250, java.util.concurrent.TimeUnit.MILLISECONDS);
                String prefix = "landing scraper: s3://" + SOURCE + "/bench/obj-";
                await().atMost(Duration.ofMinutes(30)).pollInterval(Duration.ofSeconds(1)).until(() -> app.logLines(prefix).size() >= objects);
                List<String> lines = app.logLines(prefix);
                double first = Double.MAX_VALUE;
                double last = 0;
                long written = 0;
                long copyMs = 0;
                long recordsMs = 0;
                long landedRecords = 0;
                for (String l : lines) {
                    double end = LocalTime.parse(l.substring(0, 12)).toNanoOfDay() / 1e9;
                    long ms = Long.parseLong(l.replaceAll(".* in (\\d+) ms.*", "$1"));
                    first = Math.min(first, end - ms / 1e3);
                    last = Math.max(last, end);
                    written += Long.parseLong(l.replaceAll(".*items-written=(\\d+).*", "$1"));
                    landedRecords += Long.parseLong(l.replaceAll(".* records=(\\d+).*", "$1"));
                    copyMs += Long.parseLong(l.replaceAll(".*\\(copy (\\d+),.*", "$1"));
                    recordsMs += Long.parseLong(l.replaceAll(".*, records (\\d+)\\).*", "$1"));
                }
                double seconds = last - first;
                // a COUNT scan of a million items outlasts the SDK's timeouts on DynamoDB Local: its live item count
                long tableItems = ddb.describeTable(b -> b.tableName("landfall-landing")).table().itemCount();
                double rate = landedRecords / seconds;
                double ratio = rate / ceilingRate;
                result.put("objects", objects);
                result.put("records", landedRecords);
                result.put("newRecords", expectedNew);
                result.put("changedRecords", expectedChanged);
                result.put("repeatedRecords", repeats);
                result.put("megabytes", round(bytes / 1e6, 1));
                result.put("seconds", round(seconds, 2));
                result.put("recordsPerSecond", Math.round(rate));
                result.put("ceilingRecordsPerSecond", Math.round(ceilingRate));
                result.put("ratio", round(ratio, 3));
                result.put("targetRatio", TARGET_RATIO);
                result.put("itemsWrittenBySummaries", written);
                result.put("itemsInTable", tableItems);
                result.put("expectedItems", expectedWrites);
                result.put("copyObjectsPerSecond", round(objects / (copyMs / 1e3 / 2), 1));
                result.put("copyMegabytesPerSecond", round(bytes / 1e6 / (copyMs / 1e3 / 2), 1));
                result.put("copyCeilingObjectsPerSecond", round(objects / copyCeilingSeconds, 1));
                result.put("copyCeilingMegabytesPerSecond", round(bytes / 1e6 / copyCeilingSeconds, 1));
                result.put("copyNote", "the app's copy time is the sum over objects of its copy stage (HeadObject of the source and of the"
                        + " landing key, CopyObject), two objects at a time; the ceiling: CopyObject alone, two at a time");
                result.put("recordsStageSecondsSum", round(recordsMs / 1e3, 1));
                boolean exact = written == expectedWrites && tableItems == expectedWrites;
                if (bigMb > 0) {
                    // the big one: repeated products, each padded with a 2 KB description that is no change field
                    Gen g = gens.get(0);
                    for (int i = 0; i < per; i++) {
                        g.cents()[i] = price[g.product()[i]];
                    }
                    String pad = "d".repeat(2000);
                    StringBuilder b = new StringBuilder();
                    int n = 0;
                    while (b.length() < bigMb * 1_000_000L) {
                        int i = n++ % per;
                        b.append(record(g, i, pad).toString()).append('\n');
                    }
                    byte[] big = b.toString().getBytes(StandardCharsets.UTF_8);
                    b.setLength(0);
                    s3.putObject(r -> r.bucket(SOURCE).key("bench/big.jsonl"), RequestBody.fromBytes(big));
                    String bigPrefix = "landing scraper: s3://" + SOURCE + "/bench/big.jsonl";
                    await().atMost(Duration.ofMinutes(20)).pollInterval(Duration.ofSeconds(1)).until(() -> !app.logLines(bigPrefix).isEmpty());
                    String line = app.logLines(bigPrefix).get(0);
                    result.put("bigObjectMegabytes", round(big.length / 1e6, 1));
                    result.put("bigObjectSummary", line.substring(line.indexOf("landing scraper")));
                    exact &= Long.parseLong(line.replaceAll(".*items-written=(\\d+).*", "$1")) == 0;
                }
                sampler.shutdownNow();
                long peak = heapMax.get();
                result.put("peakHeapMbSampled", peak / (1024 * 1024));
                result.put("heapNote", "the app's heap in use (Prometheus jvm_memory_used_bytes, area heap) sampled every 250 ms over the"
                        + " whole run; the app runs with -Xmx512m, so it never held more than that");
                result.put("appJvmFlags", jvm);
                boolean pass = ratio >= TARGET_RATIO && exact && peak < 512L * 1024 * 1024;
                result.put("exact", exact);
                result.put("pass", pass);
                exit = pass ? 0 : 1;
            }
            BenchSupport.putMachine(result);
        } catch (Exception | Error e) {
            result.put("pass", false);
            result.put("error", String.valueOf(e));
            e.printStackTrace();
        }
        String line = result.containsKey("error") ? "bench " + NAME + ": FAIL " + result.get("error")
                : String.format("bench %s: %s records in %s s: %s records/s vs ceiling %s: ratio %s (target %s); items %s (expected %s);"
                        + " copy %s objects/s %s MB/s vs ceiling %s objects/s %s MB/s; peak heap (sampled) %s MB; %s", NAME, result.get("records"),
                result.get("seconds"), result.get("recordsPerSecond"), result.get("ceilingRecordsPerSecond"), result.get("ratio"), TARGET_RATIO,
                result.get("itemsInTable"), result.get("expectedItems"), result.get("copyObjectsPerSecond"), result.get("copyMegabytesPerSecond"),
                result.get("copyCeilingObjectsPerSecond"), result.get("copyCeilingMegabytesPerSecond"), result.get("peakHeapMbSampled"),
                Boolean.TRUE.equals(result.get("pass")) ? "PASS" : "FAIL");
        BenchSupport.finish(out, NAME, result, line, exit);
    }

    static ObjectNode record(Gen g, int i, String description) {
        int p = g.product()[i];
        ObjectNode r = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        r.put("store", "store-" + (p % 50));
        r.put("sku", String.format("%07d", p));
        r.put("title", "Product " + p);
        r.put("price", new java.math.BigDecimal(java.math.BigInteger.valueOf(g.cents()[i]), 2));
        if (description != null) {
            r.put("description", description);
        }
        return r;
    }

    static String text(Gen g, String description) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < g.product().length; i++) {
            b.append(record(g, i, description).toString()).append('\n');
        }
        return b.toString();
    }

    static byte[] gzip(byte[] b) throws java.io.IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(b);
        }
        return out.toByteArray();
    }
}
