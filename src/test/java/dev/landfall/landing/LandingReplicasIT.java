package dev.landfall.landing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import dev.landfall.testing.AppProcess;
import dev.landfall.testing.Aws;
import dev.landfall.testing.S3Events;
import dev.landfall.testing.S3Objects;
import dev.landfall.testing.WithLocalServers;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two packaged-app replicas read the landing's S3 notifications from SQS as competing consumers; 16 scraper objects
 * (each in its own LastModified second) over the same 400 products (each changes some prices) are landed side by side
 * in whatever order the queue hands them out, the same keys racing: each object once, by one replica, both replicas
 * working, and every product's latest version is its last version in time (the compare-and-set writes never let an
 * earlier object's version replace a later one's, nor one replica's update overwrite the other's unseen).
 */
class LandingReplicasIT extends WithLocalServers {

    static final String SOURCE = "landfall-scraper";
    static final String QUEUE = "landfall-landing-events";
    static final int OBJECTS = 16;
    static final int PRODUCTS = 400;

    @Test
    void twoReplicasOnSqsLandEachObjectOnceAndKeepTheLatestVersionsRight() throws Exception {
        Random random = new Random(5);
        Map<String, AppProcess> replicas = new LinkedHashMap<>();
        try (DynamoDbClient ddb = Aws.dynamoDb(servers); SqsClient sqs = Aws.sqs(servers)) {
            for (String r : List.of("l1", "l2")) {
                replicas.put(r, AppProcess.start("landing-" + r, replica(r), AppProcess.DEFAULT_JVM_FLAGS));
            }
            for (AppProcess app : replicas.values()) {
                app.awaitHealthy(Duration.ofSeconds(120));
            }
            double[] prices = new double[PRODUCTS];
            List<String> keys = new ArrayList<>();
            for (int o = 0; o < OBJECTS; o++) {
                for (int p = 0; p < PRODUCTS; p++) {
                    if (o == 0 || random.nextInt(10) == 0) {
                        prices[p] = 1 + random.nextInt(10_000) / 100.0;
                    }
                }
                StringBuilder b = new StringBuilder();
                for (int p = 0; p < PRODUCTS; p++) {
                    b.append(String.format("{\"store\":\"s\",\"sku\":\"%04d\",\"title\":\"P\",\"price\":%.2f}%n", p, prices[p]));
                }
                String key = String.format("feed/race-%02d.jsonl", o);
                // each object its own LastModified second, so their versions are ordered in time
                long second = java.time.Instant.now().getEpochSecond();
                await().pollInterval(Duration.ofMillis(20)).until(() -> java.time.Instant.now().getEpochSecond() > second);
                s3.putObject(r -> r.bucket(SOURCE).key(key), RequestBody.fromString(b.toString(), StandardCharsets.UTF_8));
                keys.add(key);
            }
            S3Events.announceEach(sqs, QUEUE, s3, SOURCE, keys);
            await("every object landed").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
                    .until(() -> summaries(replicas) == OBJECTS);
            Map<String, Integer> perReplica = new LinkedHashMap<>();
            replicas.forEach((k, v) -> perReplica.put(k, v.logLines("landing scraper: s3://" + SOURCE + "/feed/race-").size()));
            System.out.println("LandingReplicasIT: objects landed per replica " + perReplica);
            assertThat(perReplica.values()).as("objects per replica " + perReplica).allMatch(n -> n > 0);

            Map<String, String> lastVersion = new HashMap<>();
            long items = 0;
            for (Map<String, AttributeValue> i : ddb.scanPaginator(b -> b.tableName("landfall-landing").consistentRead(true)).items()) {
                items++;
                lastVersion.merge(i.get("uuid").s(), i.get("upload_date").s(), (a, b) -> a.compareTo(b) >= 0 ? a : b);
            }
            assertThat(lastVersion).hasSize(PRODUCTS);
            assertThat(items).isBetween((long) PRODUCTS, (long) PRODUCTS * OBJECTS);
            int latest = 0;
            for (Map<String, AttributeValue> l : ddb.scanPaginator(b -> b.tableName("landfall-landing-latest").consistentRead(true)).items()) {
                latest++;
                assertThat(l.get("upload_date").s()).as(l.get("uuid").s()).isEqualTo(lastVersion.get(l.get("uuid").s()));
            }
            assertThat(latest).isEqualTo(PRODUCTS);
            assertThat(s3.listObjectsV2Paginator(b -> b.bucket("landfall-landing").prefix("raw/")).contents().stream().count())
                    .isEqualTo(OBJECTS);
            assertThat(S3Objects.texts(s3, "landfall-dead-letter", "dead-letter/landing/")).isEmpty();
        } finally {
            replicas.values().forEach(AppProcess::close);
        }
    }

    static long summaries(Map<String, AppProcess> replicas) {
        return replicas.values().stream().mapToLong(a -> a.logLines("landing scraper: s3://" + SOURCE + "/feed/race-").size()).sum();
    }

    private static Map<String, String> replica(String id) {
        Map<String, String> props = AppProcess.baseProperties(servers, dir.resolve(id));
        props.put("landfall.landing.arrivals.poll", "false");
        props.put("landfall.landing.arrivals.sqs", "true");
        props.put("landfall.landing.page-records", "100");
        props.put("landfall.cluster.member-id", id);
        return props;
    }
}
