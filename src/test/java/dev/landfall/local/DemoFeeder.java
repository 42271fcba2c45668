package dev.landfall.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Keeps appending facility-log rows (one per simulated hour) to the demo FTP file, so the local run shows data flowing. */
public final class DemoFeeder implements AutoCloseable {

    public static final String HEADER = "event_timestamp,facility,sensor,temperature_c,humidity_pct";
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyyMMdd:HH:mm:ss", Locale.ROOT);

    private final Path file;
    private final int rowsPerBatch;
    private final Random random = new Random(42);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "demo-feeder");
        t.setDaemon(true);
        return t;
    });
    private LocalDateTime next;

    public DemoFeeder(Path file, int rowsPerBatch) throws IOException {
        this.file = file;
        this.rowsPerBatch = rowsPerBatch;
        Files.createDirectories(file.getParent());
        if (!Files.exists(file) || Files.size(file) == 0) {
            Files.writeString(file, HEADER + "\n", StandardCharsets.UTF_8);
            next = LocalDateTime.of(2016, 7, 1, 0, 3, 0);
        } else {
            // continue after the last row of an earlier run
            var lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            String last = lines.get(lines.size() - 1);
            next = last.startsWith("event_timestamp") ? LocalDateTime.of(2016, 7, 1, 0, 3, 0)
                    : LocalDateTime.parse(last.substring(0, 17), TS).plusHours(1);
        }
    }

    public void start(long periodMillis) {
        timer.scheduleAtFixedRate(this::appendBatch, 0, periodMillis, TimeUnit.MILLISECONDS);
    }

    void appendBatch() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < rowsPerBatch; i++) {
            sb.append(TS.format(next)).append(",demo,sensor-").append(1 + random.nextInt(4)).append(',')
                    .append(String.format(Locale.ROOT, "%.1f", 18 + random.nextGaussian() * 2)).append(',')
                    .append(40 + random.nextInt(30)).append('\n');
            next = next.plusHours(1);
        }
        try {
            Files.writeString(file, sb, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("demo feeder: " + e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
