package dev.landfall.local;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.landfall.testing.AccessLogLines;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** Drops an S3 server access log object of a small demo site into the local log bucket now and then, as S3 logging would. */
public final class DemoSiteLogs implements AutoCloseable {

    private static final String[] PAGES = {"index.html", "blog/index.html", "blog/articles/2021-11-21-understanding-scrum-part-2/index.html",
            "blog/articles/2022-11-02-dynamodb-page-view-tracker-part-2/index.html", "about/index.html", "css/site.css", "img/logo.png"};
    private static final DateTimeFormatter KEY_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd-HH-mm-ss", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final Random random = new Random(7);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "demo-site-logs");
        t.setDaemon(true);
        return t;
    });
    private long sequence;

    public DemoSiteLogs(S3Client s3, String bucket, String prefix) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix;
    }

    public void start(long periodMillis) {
        timer.scheduleAtFixedRate(this::dropOne, 5_000, periodMillis, TimeUnit.MILLISECONDS);
    }

    void dropOne() {
        try {
            long now = Instant.now().getEpochSecond();
            List<String> lines = new ArrayList<>();
            for (int i = 0, n = 10 + random.nextInt(40); i < n; i++) {
                String page = PAGES[Math.min(PAGES.length - 1, (int) Math.abs(random.nextGaussian() * 2.5))];
                lines.add(AccessLogLines.view(now - random.nextInt(60), String.format("DEMO%012X", sequence * 1000 + i), page));
            }
            String key = prefix + KEY_TIME.format(Instant.ofEpochSecond(now)) + String.format("-%016X", sequence++);
            s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(String.join("\n", lines) + "\n"));
        } catch (RuntimeException e) {
            System.err.println("demo site logs: " + e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
