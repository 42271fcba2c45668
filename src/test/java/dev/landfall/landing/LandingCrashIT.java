package dev.landfall.landing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

import dev.landfall.testing.AppProcess;
import dev.landfall.testing.Aws;
import dev.landfall.testing.CrashLoop;
import dev.landfall.testing.S3Objects;
import dev.landfall.testing.WithLocalServers;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.model.S3Object;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged app SIGKILLed while it lands each of two scraper objects (the second repeats most records of the
 * first, changes some prices, adds products): afterwards the landing table holds exactly one item per new or changed
 * record, the latest table one per product with its last version, the landing bucket exactly one raw and one clean
 * copy per object.
 */
class LandingCrashIT extends WithLocalServers {

    static final String SOURCE = "landfall-scraper";
    static final String LANDING = "landfall-landing";
    static final int PRODUCTS = 6000;

    record Product(String store, String sku, String title, String price) {
        String line(long seen) {
            return String.format("{\"store\":\"%s\",\"sku\":\"%s\",\"title\":\"%s\",\"price\":%s,\"seen\":%d}%n", store, sku, title, price, seen);
        }
    }

    static byte[] gzip(String s) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(s.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    @Test
    void killedWhileLandingEachObjectEveryNewOrChangedRecordLandsOnce() throws Exception {
        long seed = Long.getLong("landfall.it.seed", System.nanoTime());
        Random random = new Random(seed);
        List<Product> first = new java.util.ArrayList<>();
        for (int i = 0; i < PRODUCTS; i++) {
            first.add(new Product("store-" + (i % 4), String.format("%06d", i), "Product " + i, (1 + i % 500) + ".99"));
        }
        // the second scrape: 30% the same, 5% another price, and as many new products as the rest
        List<Product> second = new java.util.ArrayList<>();
        int changed = 0;
        int added = 0;
        for (int i = 0; i < PRODUCTS; i++) {
            Product p = first.get(i);
            int roll = i % 20;
            if (roll == 0) {
                second.add(new Product(p.store(), p.sku(), p.title(), (2 + i % 500) + ".49"));
                changed++;
            } else if (roll <= 6) {
                second.add(p);
            } else {
                second.add(new Product("store-9", String.format("n%06d", i), "New " + i, "3.10"));
                added++;
            }
        }
        StringBuilder t1 = new StringBuilder();
        first.forEach(p -> t1.append(p.line(1)));
        StringBuilder t2 = new StringBuilder();
        second.forEach(p -> t2.append(p.line(2)));
        int expectedItems = PRODUCTS + changed + added;

        Map<String, String> props = AppProcess.baseProperties(servers, dir.resolve("app"));
        props.put("landfall.landing.poll-delay-ms", "500");
        props.put("landfall.landing.page-records", "500");
        props.put("landfall.idempotency.lease-seconds", "5");
        try (CrashLoop crashes = new CrashLoop(n -> AppProcess.startHealthy("landing-crash-" + n, props), random);
             DynamoDbClient ddb = Aws.dynamoDb(servers)) {
            crashes.start();
            s3.putObject(b -> b.bucket(SOURCE).key("feed/one.jsonl.gz"), RequestBody.fromBytes(gzip(t1.toString())));
            crashes.killWhenBusy(CrashLoop.inflight("landing-load"), Duration.ofSeconds(60), Duration.ofMillis(800));
            String context = "seed " + seed + ", kills " + crashes.kills();
            // the latest versions move after the items: all of them there, the object is landed
            await(context).atMost(Duration.ofSeconds(120)).until(() -> count(ddb, "landfall-landing-latest") == PRODUCTS);
            assertThat(count(ddb, "landfall-landing")).as(context).isEqualTo(PRODUCTS);

            s3.putObject(b -> b.bucket(SOURCE).key("feed/two.jsonl"), RequestBody.fromString(t2.toString()));
            AppProcess app = crashes.killWhenBusy(CrashLoop.inflight("landing-load"), Duration.ofSeconds(60), Duration.ofMillis(800));
            String context2 = "seed " + seed + ", kills " + crashes.kills() + ", log " + app.logPath();
            await(context2).atMost(Duration.ofSeconds(120)).until(() -> !app.logLines("landing scraper: s3://" + SOURCE + "/feed/two.jsonl").isEmpty());

            // exactly: one item per new or changed record, each the right version
            List<Map<String, AttributeValue>> items = ddb.scanPaginator(b -> b.tableName("landfall-landing").consistentRead(true)).items().stream().toList();
            assertThat(items).as(context2).hasSize(expectedItems);
            Set<String> keys = new HashSet<>();
            Map<String, Integer> perUuid = new HashMap<>();
            for (Map<String, AttributeValue> i : items) {
                keys.add(i.get("uuid").s() + " " + i.get("upload_date").s());
                perUuid.merge(i.get("uuid").s(), 1, Integer::sum);
            }
            assertThat(keys).hasSize(expectedItems);
            assertThat(perUuid).hasSize(PRODUCTS + added);
            assertThat(perUuid.values().stream().filter(n -> n == 2).count()).isEqualTo(changed);
            List<Map<String, AttributeValue>> latest = ddb.scanPaginator(b -> b.tableName("landfall-landing-latest").consistentRead(true)).items().stream().toList();
            assertThat(latest).hasSize(PRODUCTS + added);
            // the landing bucket: one raw and one clean copy per object, the clean one the text itself
            List<String> landed = s3.listObjectsV2Paginator(b -> b.bucket(LANDING)).contents().stream().map(S3Object::key).toList();
            assertThat(landed.stream().filter(k -> k.startsWith("raw/"))).as(landed.toString()).hasSize(2);
            assertThat(landed.stream().filter(k -> k.startsWith("clean/"))).as(landed.toString()).hasSize(2);
            String cleanOne = landed.stream().filter(k -> k.startsWith("clean/") && k.endsWith("/feed/one.jsonl.gz")).findFirst().orElseThrow();
            assertThat(s3.getObjectAsBytes(b -> b.bucket(LANDING).key(cleanOne)).asUtf8String()).isEqualTo(t1.toString());
            assertThat(S3Objects.texts(s3, "landfall-dead-letter", "dead-letter/")).as(context2).isEmpty();
            System.out.println("LandingCrashIT " + context2 + ": " + expectedItems + " items (" + PRODUCTS + " + " + changed
                    + " changed + " + added + " new)");
        }
    }

    static long count(DynamoDbClient ddb, String table) {
        return ddb.scanPaginator(b -> b.tableName(table).consistentRead(true).select("COUNT")).stream().mapToLong(r -> r.count()).sum();
    }
}
