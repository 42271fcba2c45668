package dev.landfall.bench;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.landfall.common.DynamoDbBatchWriter;
import dev.landfall.common.StorageProvisioner;
import dev.landfall.common.StorageSpec;
import dev.landfall.directory.DirectoryCsv;
import dev.landfall.directory.DirectoryDocuments;
import dev.landfall.directory.FactTypes;
import dev.landfall.local.LocalServers;
import dev.landfall.testing.Aws;
import dev.landfall.testing.LandfallApp;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;

import static dev.landfall.bench.BenchSupport.deleteTree;
import static dev.landfall.bench.BenchSupport.round;

/**
 * The directory load end to end on the local servers: a CSV of 100,000 rows into 2,000 departments (50 members, six
 * facts each, rows in random order) dropped in S3, polled, parsed, grouped and written as 2,000 documents to DynamoDB
 * Local; then a second drop with 1% of the rows changed and 20 departments gone. Against the ceiling: the raw SDK
 * BatchWriteItem rate for the same 2,000 items at the best thread count, in the same run. Target: the first load at
 * least 0.9 x the ceiling; the second writes only the documents that changed. Writes {@code target/bench/directory.json}.
 * <p>
 * Run with {@code ./mvnw -B -Pbench test-compile exec:exec@bench-directory}.
 */
public final class DirectoryBench {

    static final String NAME = "directory";
    static final String BUCKET = "landfall-directory";
    static final String TABLE = "landfall-directory";
    static final double TARGET_RATIO = 0.9;
    static final int[] THREADS = {1, 2, 4, 8, 16};

    private DirectoryBench() {
    }

    /** One load as the directory-load route took it, and the summary line it logged. */
    record Load(double seconds, String summary) {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(System.getProperty("bench.out", "target/bench")).toAbsolutePath();
        int rows = Integer.getInteger("bench.rows", 100_000);
        int departments = Integer.getInteger("bench.departments", 2_000);
        Path work = out.resolve("work-" + NAME);
        deleteTree(work);
        Files.createDirectories(work);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("name", NAME);
        int exit = 1;
        try (LocalServers servers = LocalServers.start(LocalServers.Options.forTests(work.resolve("servers")))) {
            Random random = new Random(12);
            List<String[]> table = rows(random, rows, departments);
            String first = csv(table);
            // the second drop: 1% of the rows with a new grade, 20 departments gone
            List<String[]> next = new ArrayList<>();
            java.util.Set<String> gone = new java.util.HashSet<>();
            while (gone.size() < 20) {
                gone.add(String.format("dept-%05d", random.nextInt(departments)));
            }
            for (String[] r : table) {
                if (!gone.contains(r[0])) {
                    next.add(r.clone());
                }
            }
            for (int i = 0; i < rows / 100; i++) {
                String[] r = next.get(random.nextInt(next.size()));
                r[3] = Integer.toString(Integer.parseInt(r[3]) + 1000);
            }
            String second = csv(next);

            // the ceiling: the same documents as items, written raw
            DirectoryCsv.Parsed parsed = null;
            double parseSeconds = 0;
            for (int i = 0; i < 3; i++) {
                long t0 = System.nanoTime();
                parsed = DirectoryCsv.read(new StringReader(first), "department", "employee", FactTypes.inferred());
                for (SortedMap<String, Map<String, AttributeValue>> d : parsed.documents().values()) {
                    DirectoryDocuments.hash(d);
                }
                parseSeconds = (System.nanoTime() - t0) / 1e9;
                System.out.printf("bench %s: parse + group + hash alone: %d ms%n", NAME, Math.round(parseSeconds * 1000));
            }
            List<Map<String, AttributeValue>> items = new ArrayList<>();
            for (Map.Entry<String, SortedMap<String, Map<String, AttributeValue>>> d : parsed.documents().entrySet()) {
                String hash = DirectoryDocuments.hash(d.getValue());
                items.addAll(DirectoryDocuments.items(d.getKey(), hash, DirectoryDocuments.parts(d.getValue(), 350_000), 1, "2026-12-01T00:00:00Z"));
            }
            double ceiling;
            int bestThreads = 1;
            Map<Integer, Long> trials = new LinkedHashMap<>();
            try (S3Client s3 = Aws.s3(servers); DynamoDbClient ddb = Aws.dynamoDb(servers)) {
                double best = 0;
                for (int t : THREADS) {
                    String name = "ceiling-" + t;
                    createTable(s3, ddb, name);
                    long started = System.nanoTime();
                    new DynamoDbBatchWriter(ddb, t, 10, 25, 2000, new dev.landfall.common.PipelineMetrics(io.micrometer.core.instrument.simple.SimpleMeterRegistry::new)).writeAll(name, "department,version", items);
                    double rate = rows / ((System.nanoTime() - started) / 1e9);
                    trials.put(t, Math.round(rate));
                    System.out.printf("bench %s: ceiling, %d calls in flight: %,d rows/s (%d items)%n", NAME, t, Math.round(rate), items.size());
                    if (rate > best) {
                        best = rate;
                        bestThreads = t;
                    }
                }
                ceiling = best;
            }

            Map<String, String> props = LandfallApp.testProperties(servers, work.resolve("app"));
            props.put("landfall.directory.poll-delay-ms", "200");
            props.put("landfall.directory.dynamodb.write-parallelism", Integer.toString(bestThreads));
            LinkedBlockingQueue<Load> loads = new LinkedBlockingQueue<>();
            EventNotifierSupport timing = new EventNotifierSupport() {
                @Override
                public void notify(CamelEvent event) {
                    if (event instanceof CamelEvent.ExchangeSentEvent sent && sent.getEndpoint().getEndpointUri().equals("direct://directory-load")) {
                        loads.add(new Load(sent.getTimeTaken() / 1e3, sent.getExchange().getMessage().getHeader("landfallSummary", String.class)));
                    }
                }
            };
            Load one;
            Load two;
            try (LandfallApp app = LandfallApp.start(props)) {
                app.context().getManagementStrategy().addEventNotifier(timing);
                ServiceStart.start(timing);
                // the load is measured on a running app, not on its start-up's tail
                result.put("settledSeconds", BenchSupport.settle(0.25, 30));
                app.s3().putObject(b -> b.bucket(BUCKET).key("drops/day1.csv"), RequestBody.fromString(first, StandardCharsets.UTF_8));
                one = loads.poll(300, TimeUnit.SECONDS);
                app.s3().putObject(b -> b.bucket(BUCKET).key("drops/day2.csv"), RequestBody.fromString(second, StandardCharsets.UTF_8));
                two = loads.poll(300, TimeUnit.SECONDS);
                // the same first drop again, read in a warm app into a table that holds it: the read stage on its own
                app.s3().putObject(b -> b.bucket(BUCKET).key("drops/day3.csv"), RequestBody.fromString(first, StandardCharsets.UTF_8));
                Load three = loads.poll(300, TimeUnit.SECONDS);
                if (three != null) {
                    result.put("warmReadOfFirstDropMs", Long.parseLong(three.summary().replaceAll(".*\\(read (\\d+),.*", "$1")));
                    result.put("thirdLoadSummary", three.summary());
                }
                // diagnostics: the same items again, over the ceiling's table, by a fresh writer and by the app's
                long t0 = System.nanoTime();
                try (DynamoDbClient raw = Aws.dynamoDb(servers)) {
                    new DynamoDbBatchWriter(raw, bestThreads, 10, 25, 2000, new dev.landfall.common.PipelineMetrics(
                            io.micrometer.core.instrument.simple.SimpleMeterRegistry::new)).writeAll("ceiling-" + bestThreads, "department,version", items);
                }
                result.put("freshWriterOverwriteSeconds", round((System.nanoTime() - t0) / 1e9, 3));
                t0 = System.nanoTime();
                app.bean("directoryBatchWriter", DynamoDbBatchWriter.class).writeAll("ceiling-" + bestThreads, "department,version", items);
                result.put("appWriterOverwriteSeconds", round((System.nanoTime() - t0) / 1e9, 3));
            }
            if (one == null || two == null) {
                throw new IllegalStateException("the drops were not loaded within 300 s");
            }
            double rate = rows / one.seconds();
            double ratio = rate / ceiling;
            long written = Long.parseLong(one.summary().replaceAll(".*items-written=(\\d+).*", "$1"));
            long writtenSecond = Long.parseLong(two.summary().replaceAll(".*items-written=(\\d+).*", "$1"));
            long changedDocuments = Long.parseLong(two.summary().replaceAll(".*changed=(\\d+).*", "$1"));
            boolean pass = ratio >= TARGET_RATIO && written == items.size() && writtenSecond == changedDocuments;
            result.put("rows", rows);
            result.put("departments", departments);
            result.put("firstLoadSeconds", round(one.seconds(), 3));
            result.put("firstLoadRowsPerSecond", Math.round(rate));
            result.put("firstLoadItemsWritten", written);
            result.put("ceilingRowsPerSecond", Math.round(ceiling));
            result.put("ceilingCallsInFlight", bestThreads);
            result.put("ceilingRowsPerSecondByCallsInFlight", trials);
            result.put("ratio", round(ratio, 3));
            result.put("parseGroupHashSeconds", round(parseSeconds, 3));
            result.put("targetRatio", TARGET_RATIO);
            result.put("secondLoadSeconds", round(two.seconds(), 3));
            result.put("secondLoadRowsPerSecond", Math.round(next.size() / two.seconds()));
            result.put("secondLoadItemsWritten", writtenSecond);
            result.put("secondLoadSummary", two.summary());
            result.put("firstLoadSummary", one.summary());
            result.put("ceilingNote", "DynamoDbBatchWriter (BatchWriteItem of 25, calls in flight as given) of the same 2,000 items, fresh table, same DynamoDB Local");
            result.put("pass", pass);
            BenchSupport.putMachine(result);
            exit = pass ? 0 : 1;
        } catch (Exception | Error e) {
            result.put("pass", false);
            result.put("error", String.valueOf(e));
            e.printStackTrace();
        }
        String line = result.containsKey("error") ? "bench " + NAME + ": FAIL " + result.get("error")
                : String.format("bench %s: first load %s rows/s (%s items) vs ceiling %s rows/s: ratio %s (target %s); second load wrote %s items in %s s; %s",
                NAME, result.get("firstLoadRowsPerSecond"), result.get("firstLoadItemsWritten"), result.get("ceilingRowsPerSecond"),
                result.get("ratio"), TARGET_RATIO, result.get("secondLoadItemsWritten"), result.get("secondLoadSeconds"),
                Boolean.TRUE.equals(result.get("pass")) ? "PASS" : "FAIL");
        BenchSupport.finish(out, NAME, result, line, exit);
    }

    /** Rows of department, employee, name, grade, salary, remote, office, started; in random order. */
    static List<String[]> rows(Random random, int rows, int departments) {
        List<String[]> out = new ArrayList<>(rows);
        int per = rows / departments;
        for (int d = 0; d < departments; d++) {
            for (int m = 0; m < per; m++) {
                out.add(new String[] {String.format("dept-%05d", d), String.format("%06d", d * per + m), "Person " + m + ", " + d,
                        Integer.toString(random.nextInt(12)), Integer.toString(40_000 + random.nextInt(90_000)),
                        Boolean.toString(random.nextBoolean()), "Building " + (char) ('A' + random.nextInt(6)) + "-" + random.nextInt(400),
                        String.format("20%02d-%02d-%02d", random.nextInt(25), 1 + random.nextInt(12), 1 + random.nextInt(28))});
            }
        }
        Collections.shuffle(out, random);
        return out;
    }

    static String csv(List<String[]> rows) {
        StringBuilder b = new StringBuilder(rows.size() * 90).append("department,employee,name,grade,salary,remote,office,started\n");
        for (String[] r : rows) {
            b.append(r[0]).append(',').append(r[1]).append(",\"").append(r[2]).append("\",").append(r[3]).append(',').append(r[4])
                    .append(',').append(r[5]).append(',').append(r[6]).append(',').append(r[7]).append('\n');
        }
        return b.toString();
    }

    static void createTable(S3Client s3, DynamoDbClient ddb, String table) {
        new StorageProvisioner(s3, ddb, StorageProvisioner.Mode.CREATE, List.of(new StorageSpec(List.of(),
                List.of(new StorageSpec.Table(table, DirectoryDocuments.DEPARTMENT, DirectoryDocuments.VERSION, DirectoryDocuments.EXPIRES_AT))))).ensure();
    }

    /** An event notifier added after start must be started by hand. */
    static final class ServiceStart {
        static void start(EventNotifierSupport n) {
            org.apache.camel.support.service.ServiceHelper.startService(n);
        }
    }
}
