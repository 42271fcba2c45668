package dev.landfall.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntPredicate;

import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

import com.sun.management.GarbageCollectionNotificationInfo;
import dev.landfall.local.LocalServers;
import dev.landfall.testing.Aws;
import dev.landfall.testing.LandfallApp;
import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.ExchangeCompletedEvent;
import org.apache.camel.spi.CamelEvent.ExchangeEvent;
import org.apache.camel.spi.CamelEvent.ExchangeFailedEvent;
import org.apache.camel.spi.CamelEvent.ExchangeSendingEvent;
import org.apache.camel.spi.CamelEvent.ExchangeSentEvent;
import org.apache.camel.component.master.MasterConsumer;
import org.apache.camel.support.EventNotifierSupport;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

import static org.awaitility.Awaitility.await;

import static dev.landfall.bench.BenchSupport.deleteTree;
import static dev.landfall.bench.BenchSupport.round;

/**
 * Benchmarks the facility-logs pipeline end to end on the local servers: one FTP file of 1,000,000 rows over
 * 12 months merged into existing monthly objects; writes {@code target/bench/facility-logs.json}.
 * <p>
 * Run with {@code ./mvnw -Pbench}. System properties: {@code bench.out} (default {@code target/bench}),
 * {@code bench.seed} (default 42), {@code bench.timeout-seconds} (default 600).
 */
public final class FacilityLogsBench {

    static final String NAME = "facility-logs";
    static final String FACILITY = "bench";
    static final String ROUTE = route(FACILITY);
    /** Polled first, into its own prefix, so that the measured file meets compiled code as every file after the first does. */
    static final String WARM_UP = "warmup";
    static final String BUCKET = "landfall-facility-logs";
    static final String DEAD_LETTERS = "landfall-dead-letter";
    static final String PREFIX = "bench/";
    static final String FILE_NAME = "facility-log.csv";
    static final String HEADER = "event_timestamp,facility,sensor,temperature_c,humidity_pct";

    static final int FILE_ROWS = 1_000_000;
    /** Index i with {@code i % 51 == 50} is only in storage, so 1/51 of all rows never appear in the file. */
    static final int STORED_ONLY_MODULUS = 51;
    static final int TOTAL_ROWS = FILE_ROWS / (STORED_ONLY_MODULUS - 1) * STORED_ONLY_MODULUS;
    /** Every 10th row of the file is already stored: a duplicate, not a new row. */
    static final int ALREADY_STORED_MODULUS = 10;
    static final long YEAR_START = LocalDateTime.of(2016, 1, 1, 0, 0).toEpochSecond(ZoneOffset.UTC);
    /** Row i falls at a random second of slot i: distinct, time-ordered timestamps over 2016. */
    static final int SLOT_SECONDS = 30;
    static final String[] FACILITIES = {"north", "south", "east", "west, annex"};

    static final int TARGET_ROWS_PER_SECOND = 600_000;
    static final int TARGET_PEAK_HEAP_MB = 512;

    private FacilityLogsBench() {
    }

    public static void main(String[] args) throws Exception {
        long seed = Long.getLong("bench.seed", 42L);
        Path out = Path.of(System.getProperty("bench.out", "target/bench")).toAbsolutePath();
        long timeoutSeconds = Long.getLong("bench.timeout-seconds", 600L);
        boolean warmUp = Boolean.parseBoolean(System.getProperty("bench.warm-up", "true"));
        Path work = out.resolve("work");
        deleteTree(work);
        Files.createDirectories(work);

        Rows rows = new Rows(seed);
        Map<String, Object> result = new LinkedHashMap<>();
        int exit = 1;
        try (LocalServers servers = LocalServers.start(LocalServers.Options.forTests(work.resolve("servers")))) {
            Path staged = servers.ftpHome().resolve(FACILITY).resolve(FILE_NAME + ".staged");
            long fileBytes = rows.writeFile(staged);
            int storedBefore = preloadMonthlyObjects(servers, rows, PREFIX);
            Rows warmRows = new Rows(seed + 1);
            Path warmStaged = servers.ftpHome().resolve(WARM_UP).resolve(FILE_NAME + ".staged");
            if (warmUp) {
                warmRows.writeFile(warmStaged);
                preloadMonthlyObjects(servers, warmRows, WARM_UP + "/");
            }

            Map<String, String> props = LandfallApp.testProperties(servers, work.resolve("app"));
            facility(props, servers.ftpPort(), FACILITY);
            if (warmUp) {
                facility(props, servers.ftpPort(), WARM_UP);
            }
            try (LandfallApp app = LandfallApp.start(props)) {
                Timings timings = new Timings(ROUTE);
                Timings warm = new Timings(route(WARM_UP));
                app.context().getManagementStrategy().addEventNotifier(timings);
                app.context().getManagementStrategy().addEventNotifier(warm);
                timings.start();
                warm.start();
                // the file must not wait for the poller's leader election, which is no part of the pipeline's time
                MasterConsumer poller = (MasterConsumer) app.context().getRoute(ROUTE).getConsumer();
                await().atMost(Duration.ofSeconds(60)).until(poller::isMaster);
                if (warmUp) {
                    MasterConsumer warmPoller = (MasterConsumer) app.context().getRoute(route(WARM_UP)).getConsumer();
                    await().atMost(Duration.ofSeconds(60)).until(warmPoller::isMaster);
                    Files.move(warmStaged, warmStaged.resolveSibling(FILE_NAME), StandardCopyOption.ATOMIC_MOVE);
                    if (!warm.done.await(timeoutSeconds, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the warm-up poll did not finish within " + timeoutSeconds + " s");
                    }
                    if (warm.failure != null) {
                        throw new IllegalStateException("the warm-up poll failed: " + warm.failure);
                    }
                }
                HeapWatch heap = HeapWatch.start();

                long fileVisible = System.nanoTime();
                Files.move(staged, staged.resolveSibling(FILE_NAME), StandardCopyOption.ATOMIC_MOVE);
                if (!timings.done.await(timeoutSeconds, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the poll did not finish within " + timeoutSeconds + " s");
                }
                HeapWatch.Figures memory = heap.stop();

                Verification verified = verify(app.s3(), rows);
                double mergeSeconds = seconds(timings.mergeStart.get(), timings.mergeEnd.get());
                double pollSeconds = seconds(fileVisible, timings.pollEnd.get());
                double rowsPerSecond = FILE_ROWS / mergeSeconds;
                boolean correct = verified.ok() && timings.failure == null
                        && Integer.valueOf(TOTAL_ROWS - storedBefore).equals(timings.landed);
                boolean pass = correct && rowsPerSecond >= TARGET_ROWS_PER_SECOND && memory.peakMb() < TARGET_PEAK_HEAP_MB;

                result.put("name", NAME);
                result.put("rows", FILE_ROWS);
                result.put("seconds", round(mergeSeconds, 3));
                result.put("rowsPerSecond", Math.round(rowsPerSecond));
                result.put("peakHeapMb", round(memory.peakMb(), 1));
                result.put("targetRowsPerSecond", TARGET_ROWS_PER_SECOND);
                result.put("targetPeakHeapMb", TARGET_PEAK_HEAP_MB);
                result.put("pass", pass);
                result.put("warmUp", warmUp ? "a first file of the same shape (another facility and prefix) was merged before the measured one"
                        : "none: the measured file is the first after start (cold JIT)");
                if (warmUp) {
                    double firstSeconds = seconds(warm.mergeStart.get(), warm.mergeEnd.get());
                    result.put("firstFileSeconds", round(firstSeconds, 3));
                    result.put("firstFileRowsPerSecond", Math.round(FILE_ROWS / firstSeconds));
                }
                result.put("pollSeconds", round(pollSeconds, 3));
                result.put("pollRowsPerSecond", Math.round(FILE_ROWS / pollSeconds));
                result.put("fetchSeconds", round(seconds(fileVisible, timings.mergeStart.get()), 3));
                result.put("mergeCpuSeconds", round(seconds(timings.mergeStartCpu.get(), timings.mergeEndCpu.get()), 3));
                result.put("systemLoadAverage", round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), 2));
                result.put("fileBytes", fileBytes);
                result.put("months", verified.months());
                result.put("storedRowsBefore", storedBefore);
                result.put("storedRowsAfter", verified.rows());
                result.put("expectedRowsAfter", TOTAL_ROWS);
                result.put("rowsLanded", timings.landed);
                result.put("expectedRowsLanded", TOTAL_ROWS - storedBefore);
                result.put("verified", correct);
                result.put("verification", verified.detail());
                result.put("failure", timings.failure);
                result.put("summary", timings.summary);
                result.put("peakHeapMbNote", "max heap used before any GC during the poll (whole JVM: app and local servers)");
                result.put("peakLiveHeapMb", round(memory.peakLiveMb(), 1));
                result.put("heapPoolPeaksSumMb", round(memory.poolPeaksSumMb(), 1));
                result.put("gcCount", memory.gcCount());
                result.put("gcMillis", memory.gcMillis());
                result.put("maxHeapMb", Runtime.getRuntime().maxMemory() / (1024 * 1024));
                result.put("availableProcessors", Runtime.getRuntime().availableProcessors());
                result.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
                result.put("seed", seed);
                result.put("timestamp", Instant.now().toString());
                exit = pass ? 0 : 1;
            }
        } catch (Exception | Error e) {
            result.putIfAbsent("name", NAME);
            result.put("pass", false);
            result.put("error", String.valueOf(e));
            e.printStackTrace();
        }
        BenchSupport.finish(out, NAME, result, line(result), exit);
    }

    /** The bench facility: a fast poll, so the measured time is the pipeline's and not the schedule's. */
    private static String route(String facility) {
        return "facility-logs-poll-" + facility;
    }

    private static void facility(Map<String, String> props, int ftpPort, String facility) {
        String p = "camel.routeTemplate[" + route(facility) + "].";
        props.put(p + "templateId", "facility-logs-ftp");
        props.put(p + "name", facility);
        props.put(p + "host", LocalServers.HOST);
        props.put(p + "port", Integer.toString(ftpPort));
        props.put(p + "user", LocalServers.FTP_USER);
        props.put(p + "password", LocalServers.FTP_PASSWORD);
        props.put(p + "path", "/" + facility);
        props.put(p + "fileName", FILE_NAME);
        props.put(p + "prefix", facility + "/");
        props.put(p + "pollInterval", "100");
        props.put(p + "readLockCheckInterval", "100");
        props.put(p + "readLockTimeout", "60000");
    }

    /** Writes the existing monthly objects in the canonical form: header, rows sorted by timestamp, '\n' endings. */
    private static int preloadMonthlyObjects(LocalServers servers, Rows rows, String prefix) {
        S3Client s3 = Aws.s3(servers);
        DynamoDbClient ddb = Aws.dynamoDb(servers);
        try (s3; ddb) {
            Aws.provision(s3, ddb, "landfall-state", List.of(BUCKET, DEAD_LETTERS));
            int[] stored = {0};
            rows.forEachMonth(Rows::isStored, (month, content, count) -> {
                s3.putObject(b -> b.bucket(BUCKET).key(prefix + month).contentType("text/csv; charset=utf-8"),
                        RequestBody.fromBytes(content));
                stored[0] += count;
            });
            return stored[0];
        }
    }

    record Verification(boolean ok, int months, int rows, String detail) {
    }

    /** Every monthly object must equal, byte for byte, the header plus all rows of the month in timestamp order. */
    private static Verification verify(S3Client s3, Rows rows) {
        StringBuilder problems = new StringBuilder();
        int[] months = {0};
        int[] total = {0};
        rows.forEachMonth(i -> true, (month, expected, count) -> {
            months[0]++;
            byte[] actual = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(PREFIX + month)).asByteArrayUnsafe();
            int lines = 0;
            for (byte b : actual) {
                if (b == '\n') {
                    lines++;
                }
            }
            total[0] += lines - 1;
            if (!Arrays.equals(expected, actual)) {
                problems.append(month).append(": ").append(lines - 1).append(" rows, expected ").append(count).append("; ");
            }
        });
        int objects = s3.listObjectsV2(b -> b.bucket(BUCKET).prefix(PREFIX)).keyCount();
        if (objects != 12) {
            problems.append(objects).append(" monthly objects, expected 12; ");
        }
        int deadLetters = s3.listObjectsV2(b -> b.bucket(DEAD_LETTERS)).keyCount();
        if (deadLetters != 0) {
            problems.append(deadLetters).append(" dead letters; ");
        }
        boolean ok = problems.length() == 0 && total[0] == TOTAL_ROWS;
        String detail = ok ? "12 monthly objects equal the expected sorted unique rows" : problems.toString();
        return new Verification(ok, months[0], total[0], detail);
    }

    private static String line(Map<String, Object> r) {
        if (r.containsKey("error")) {
            return String.format("bench %s: FAIL %s", NAME, r.get("error"));
        }
        String first = r.containsKey("firstFileRowsPerSecond")
                ? String.format(" (first file after start, cold JIT: %,d rows/s)", r.get("firstFileRowsPerSecond")) : " (first file after start)";
        return String.format("bench %s: %,d rows merged in %.2f s = %,d rows/s%s (target >= %,d); whole poll %.2f s "
                        + "(read lock + FTP download %.2f s); peak heap %.0f MB (target < %d MB, live %.0f MB); %s; %s",
                NAME, r.get("rows"), r.get("seconds"), r.get("rowsPerSecond"), first, TARGET_ROWS_PER_SECOND,
                r.get("pollSeconds"), r.get("fetchSeconds"), r.get("peakHeapMb"), TARGET_PEAK_HEAP_MB,
                r.get("peakLiveHeapMb"), Boolean.TRUE.equals(r.get("verified")) ? "verified" : "NOT VERIFIED: " + r.get("verification"),
                Boolean.TRUE.equals(r.get("pass")) ? "PASS" : "FAIL");
    }

    private static double seconds(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1e9;
    }


    /** The bench data, a pure function of the row index and the seed, so nothing large is kept for verification. */
    static final class Rows {

        interface MonthConsumer {
            void accept(String month, byte[] content, int rows);
        }

        private final long seed;

        Rows(long seed) {
            this.seed = seed;
        }

        static boolean inFile(int i) {
            return i % STORED_ONLY_MODULUS != STORED_ONLY_MODULUS - 1;
        }

        static boolean isStored(int i) {
            return !inFile(i) || i % ALREADY_STORED_MODULUS == 0;
        }

        /** Writes the file rows in a seeded random order; returns its size in bytes. */
        long writeFile(Path file) throws IOException {
            Files.createDirectories(file.getParent());
            int[] order = new int[FILE_ROWS];
            int n = 0;
            for (int i = 0; i < TOTAL_ROWS; i++) {
                if (inFile(i)) {
                    order[n++] = i;
                }
            }
            Random random = new Random(seed);
            for (int k = order.length - 1; k > 0; k--) {
                int j = random.nextInt(k + 1);
                int t = order[k];
                order[k] = order[j];
                order[j] = t;
            }
            try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                w.write(HEADER);
                w.write('\n');
                StringBuilder sb = new StringBuilder(80);
                for (int i : order) {
                    sb.setLength(0);
                    appendLine(sb, i);
                    w.append(sb).append('\n');
                }
            }
            return Files.size(file);
        }

        /** Calls back once per month with the canonical object of the rows the filter accepts. */
        void forEachMonth(IntPredicate filter, MonthConsumer consumer) {
            StringBuilder sb = new StringBuilder(8 << 20);
            StringBuilder line = new StringBuilder(80);
            String month = null;
            int count = 0;
            for (int i = 0; i <= TOTAL_ROWS; i++) {
                String m = null;
                if (i < TOTAL_ROWS) {
                    line.setLength(0);
                    appendLine(line, i);
                    m = line.substring(0, 6);
                }
                if (month != null && !month.equals(m)) {
                    consumer.accept(month, sb.toString().getBytes(StandardCharsets.UTF_8), count);
                    month = null;
                }
                if (m == null) {
                    break;
                }
                if (month == null) {
                    month = m;
                    count = 0;
                    sb.setLength(0);
                    sb.append(HEADER).append('\n');
                }
                if (filter.test(i)) {
                    sb.append(line).append('\n');
                    count++;
                }
            }
        }

        void appendLine(StringBuilder sb, int i) {
            long h = mix(seed * 0x9E3779B97F4A7C15L + i);
            long second = YEAR_START + (long) i * SLOT_SECONDS + Math.floorMod(h, SLOT_SECONDS);
            LocalDateTime t = LocalDateTime.ofEpochSecond(second, 0, ZoneOffset.UTC);
            pad(sb, t.getYear(), 4);
            pad(sb, t.getMonthValue(), 2);
            pad(sb, t.getDayOfMonth(), 2);
            sb.append(':');
            pad(sb, t.getHour(), 2);
            sb.append(':');
            pad(sb, t.getMinute(), 2);
            sb.append(':');
            pad(sb, t.getSecond(), 2);
            String facility = FACILITIES[(int) ((h >>> 8) & 3)];
            sb.append(',');
            if (facility.indexOf(',') >= 0) {
                sb.append('"').append(facility).append('"');
            } else {
                sb.append(facility);
            }
            sb.append(",sensor-");
            pad(sb, (int) ((h >>> 10) & 63), 2);
            int centi = (int) Math.floorMod(h >>> 16, 5001) - 1000;
            sb.append(',');
            if (centi < 0) {
                sb.append('-');
            }
            sb.append(Math.abs(centi) / 100).append('.');
            pad(sb, Math.abs(centi) % 100, 2);
            int permille = (int) Math.floorMod(h >>> 32, 1001);
            sb.append(',').append(permille / 10).append('.').append(permille % 10);
        }

        private static void pad(StringBuilder sb, int v, int width) {
            String s = Integer.toString(v);
            for (int k = s.length(); k < width; k++) {
                sb.append('0');
            }
            sb.append(s);
        }

        private static long mix(long z) {
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }
    }

    /** Times the merge of the bench facility's poll, and the poll's end, from Camel events. */
    static final class Timings extends EventNotifierSupport {

        final CountDownLatch done = new CountDownLatch(1);
        final AtomicLong mergeStart = new AtomicLong();
        final AtomicLong mergeEnd = new AtomicLong();
        final AtomicLong pollEnd = new AtomicLong();
        final AtomicLong mergeStartCpu = new AtomicLong();
        final AtomicLong mergeEndCpu = new AtomicLong();
        volatile String failure;
        volatile String summary;
        volatile Integer landed;

        private final String route;

        Timings(String route) {
            this.route = route;
            setIgnoreCamelContextEvents(true);
            setIgnoreRouteEvents(true);
            setIgnoreServiceEvents(true);
            setIgnoreStepEvents(true);
        }

        @Override
        public boolean isEnabled(CamelEvent event) {
            // the poll's exchange, not the copies its merge splits the months into (they start in the same route)
            return event instanceof ExchangeEvent e && route.equals(e.getExchange().getFromRouteId())
                    && e.getExchange().getProperty(Exchange.SPLIT_INDEX) == null;
        }

        @Override
        public void notify(CamelEvent event) {
            long now = System.nanoTime();
            Exchange exchange = ((ExchangeEvent) event).getExchange();
            if (event instanceof ExchangeSendingEvent s && isMerge(s.getEndpoint().getEndpointUri())) {
                mergeStartCpu.compareAndSet(0, processCpuNanos());
                mergeStart.compareAndSet(0, now);
            } else if (event instanceof ExchangeSentEvent s && isMerge(s.getEndpoint().getEndpointUri())) {
                mergeEnd.compareAndSet(0, now);
                mergeEndCpu.compareAndSet(0, processCpuNanos());
            } else if (event instanceof ExchangeCompletedEvent || event instanceof ExchangeFailedEvent) {
                if (pollEnd.compareAndSet(0, now)) {
                    Exception e = exchange.getException();
                    Object handled = exchange.getProperty(Exchange.EXCEPTION_CAUGHT);
                    failure = e != null ? String.valueOf(e) : handled != null ? String.valueOf(handled) : null;
                    summary = exchange.getMessage().getHeader("landfallSummary", String.class);
                    landed = exchange.getMessage().getHeader("landfallRowsLanded", Integer.class);
                    done.countDown();
                }
            }
        }

        private static long processCpuNanos() {
            return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        }

        private static boolean isMerge(String uri) {
            return uri.startsWith("direct:") && uri.endsWith("facility-logs-merge");
        }
    }

    /** Peak heap of the whole JVM from GC notifications: heap used just before each collection, and just after. */
    static final class HeapWatch {

        record Figures(double peakMb, double peakLiveMb, double poolPeaksSumMb, long gcCount, long gcMillis) {
        }

        private final AtomicLong peakBefore = new AtomicLong();
        private final AtomicLong peakAfter = new AtomicLong();
        private final AtomicLong gcCount = new AtomicLong();
        private final AtomicLong gcMillis = new AtomicLong();
        private final List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).toList();
        private final javax.management.NotificationListener listener = (notification, handback) -> {
            if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                return;
            }
            var info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData()).getGcInfo();
            peakBefore.accumulateAndGet(heapUsed(info.getMemoryUsageBeforeGc()), Math::max);
            peakAfter.accumulateAndGet(heapUsed(info.getMemoryUsageAfterGc()), Math::max);
            gcCount.incrementAndGet();
            gcMillis.addAndGet(info.getDuration());
        };

        static HeapWatch start() {
            System.gc();
            HeapWatch w = new HeapWatch();
            for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                ((NotificationEmitter) gc).addNotificationListener(w.listener, null, null);
            }
            w.heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
            long now = w.currentUsed();
            w.peakBefore.set(now);
            w.peakAfter.set(now);
            return w;
        }

        Figures stop() throws Exception {
            for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                ((NotificationEmitter) gc).removeNotificationListener(listener);
            }
            long now = currentUsed();
            long poolPeaks = heapPools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
            return new Figures(mb(Math.max(peakBefore.get(), now)), mb(peakAfter.get()), mb(poolPeaks),
                    gcCount.get(), gcMillis.get());
        }

        private long heapUsed(Map<String, MemoryUsage> byPool) {
            return heapPools.stream().map(p -> byPool.get(p.getName())).filter(u -> u != null)
                    .mapToLong(MemoryUsage::getUsed).sum();
        }

        private long currentUsed() {
            return heapPools.stream().mapToLong(p -> p.getUsage().getUsed()).sum();
        }

        private static double mb(long bytes) {
            return bytes / (1024.0 * 1024.0);
        }
    }
}
