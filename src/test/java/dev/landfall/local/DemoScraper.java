package dev.landfall.local;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

import org.apache.camel.CamelContext;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The landing pipeline's demo source: a scraper dropping JSON lines of products (3 stores x 100 skus) into the demo
 * source bucket every {@code periodSeconds}, every other drop gzipped; most records repeat, a few prices change and
 * now and then a new product appears, so the landing table grows by what changed only.
 */
final class DemoScraper implements AutoCloseable {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "demo-scraper");
        t.setDaemon(true);
        return t;
    });
    private final Random random = new Random(7);
    private final double[] prices = new double[3 * 120];
    private int products = 3 * 100;
    private int drop;

    private DemoScraper() {
        for (int i = 0; i < prices.length; i++) {
            prices[i] = 1 + random.nextInt(9900) / 100.0;
        }
    }

    static DemoScraper start(CamelContext camel, long periodSeconds) {
        DemoScraper s = new DemoScraper();
        S3Client s3 = camel.getRegistry().findSingleByType(S3Client.class);
        String bucket = camel.resolvePropertyPlaceholders("{{landfall.landing.source.scraper.bucket}}");
        String prefix = camel.resolvePropertyPlaceholders("{{landfall.landing.source.scraper.prefix}}");
        s.timer.scheduleWithFixedDelay(() -> {
            try {
                s.dropOne(s3, bucket, prefix);
            } catch (RuntimeException e) {
                System.out.println("demo scraper: " + e.getMessage());
            }
        }, 0, periodSeconds, TimeUnit.SECONDS);
        return s;
    }

    private void dropOne(S3Client s3, String bucket, String prefix) {
        drop++;
        if (drop > 1) {
            for (int i = 0; i < products / 20; i++) {
                int p = random.nextInt(products);
                prices[p] = Math.round(prices[p] * (0.8 + random.nextDouble() * 0.4) * 100) / 100.0;
            }
            if (products < prices.length && random.nextBoolean()) {
                products++;
            }
        }
        StringBuilder b = new StringBuilder();
        String seen = Instant.now().toString();
        for (int p = 0; p < products; p++) {
            b.append(String.format("{\"store\":\"store-%d\",\"sku\":\"%05d\",\"title\":\"Product %d\",\"price\":%.2f,\"seen\":\"%s\"}%n",
                    p % 3 + 1, p, p, prices[p], seen));
        }
        byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
        boolean gz = drop % 2 == 1;
        String key = prefix + String.format("scrape-%s-%04d.jsonl%s", seen.substring(0, 10), drop, gz ? ".gz" : "");
        s3.putObject(r -> r.bucket(bucket).key(key), RequestBody.fromBytes(gz ? gzip(bytes) : bytes));
    }

    private static byte[] gzip(byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
