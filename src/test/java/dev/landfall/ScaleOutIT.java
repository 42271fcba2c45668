package dev.landfall;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import dev.landfall.testing.AppProcess;
import dev.landfall.testing.ClusterLog;
import dev.landfall.testing.Aws;
import dev.landfall.testing.S3Events;
import dev.landfall.testing.S3Objects;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.Select;
import software.amazon.awssdk.services.sqs.SqsClient;
import dev.landfall.testing.FacilityFeed;
import dev.landfall.testing.WithLocalServers;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three packaged-app replicas share twelve facilities through the DynamoDB cluster service and Camel's rebalancing:
 * each polls four; the FTP server never sees two pollers on one facility at once; a SIGKILLed replica's facilities
 * move to the others after about a lease; a replica that comes back gets its share back; every row lands once.
 */
class ScaleOutIT extends WithLocalServers {

    static final int FACILITIES = 12;
    static final long LEASE_MS = 5_000;
    static final List<String> MONTHS = List.of("201701", "201702");

    @Test
    void twelveFacilitiesOnThreeReplicas() throws Exception {
        Random random = new Random(12);
        List<FacilityFeed> feeds = new ArrayList<>();
        for (int i = 0; i < FACILITIES; i++) {
            FacilityFeed feed = new FacilityFeed(servers, String.format("site%02d", i));
            feed.append(feed.randomRows(random, 200, MONTHS));
            feeds.add(feed);
        }
        Map<String, AppProcess> replicas = new LinkedHashMap<>();
        try {
            for (String r : List.of("r1", "r2", "r3")) {
                replicas.put(r, AppProcess.start("scale-" + r, replica(r, feeds), AppProcess.DEFAULT_JVM_FLAGS));
            }
            for (AppProcess app : replicas.values()) {
                app.awaitHealthy(Duration.ofSeconds(120));
            }
            awaitShares(replicas, Duration.ofSeconds(60), 4);
            awaitLanded(feeds, "three replicas");
            System.out.printf("scale-out: shares with 3 replicas %s%n", shares(replicas));

            // kill -9 one replica: its facilities move to the other two after about a lease
            AppProcess victim = replicas.remove("r3");
            Set<String> orphaned = leading(victim);
            long killed = System.nanoTime();
            victim.kill9();
            await("the killed replica's facilities " + orphaned + " led by the others")
                    .atMost(Duration.ofMillis(LEASE_MS * 4)).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        Set<String> led = new TreeSet<>();
                        for (AppProcess app : replicas.values()) {
                            led.addAll(leading(app));
                        }
                        return led.containsAll(orphaned);
                    });
            long failoverMs = (System.nanoTime() - killed) / 1_000_000;
            System.out.printf("scale-out: fail-over of %d facilities after kill -9: %d ms (lease %d ms)%n",
                    orphaned.size(), failoverMs, LEASE_MS);
            awaitShares(replicas, Duration.ofSeconds(30), 6);
            for (FacilityFeed feed : feeds) {
                feed.append(feed.randomRows(random, 100, MONTHS));
            }
            awaitLanded(feeds, "after the kill");

            // it comes back (a new process): it gets its share back
            replicas.put("r3", AppProcess.start("scale-r3-again", replica("r3b", feeds), AppProcess.DEFAULT_JVM_FLAGS));
            replicas.get("r3").awaitHealthy(Duration.ofSeconds(120));
            awaitShares(replicas, Duration.ofSeconds(60), 4);
            System.out.printf("scale-out: shares after the restart %s%n", shares(replicas));
            for (FacilityFeed feed : feeds) {
                feed.append(feed.randomRows(random, 100, MONTHS));
            }
            awaitLanded(feeds, "after the restart");

            // SIGTERM: the leaving replica deletes its locks, the others take its facilities at once, not after a lease
            AppProcess leaving = replicas.remove("r2");
            Set<String> handed = leading(leaving);
            long terminated = System.nanoTime();
            leaving.terminate();
            await("the stopping replica's facilities " + handed + " led by the others")
                    .atMost(Duration.ofMillis(LEASE_MS * 3)).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        Set<String> led = new TreeSet<>();
                        for (AppProcess app : replicas.values()) {
                            led.addAll(leading(app));
                        }
                        return led.containsAll(handed);
                    });
            long handOverMs = (System.nanoTime() - terminated) / 1_000_000;
            int exit = leaving.stop();
            long exitMs = (System.nanoTime() - terminated) / 1_000_000;
            System.out.printf("scale-out: hand-over of %d facilities after SIGTERM: %d ms (lease %d ms); exit %d after %d ms%n",
                    handed.size(), handOverMs, LEASE_MS, exit, exitMs);
            assertThat(handOverMs).as("hand-over after SIGTERM, ms").isLessThan(LEASE_MS);
            assertThat(exitMs).as("SIGTERM to exit, ms (Kubernetes' grace period is 30 s)").isLessThan(30_000);
            awaitShares(replicas, Duration.ofSeconds(30), 6);
            for (FacilityFeed feed : feeds) {
                feed.append(feed.randomRows(random, 100, MONTHS));
            }
            awaitLanded(feeds, "after the SIGTERM");

            // seen from the FTP server: every facility's commands came from one session at a time
            assertThat(servers.ftpAudit().interleavings()).as("facilities polled by two sessions at once").isEmpty();
            System.out.printf("scale-out: FTP sessions per facility %s%n", servers.ftpAudit().sessionsPerDirectory());
            for (FacilityFeed feed : feeds) {
                assertThat(servers.ftpAudit().sessionsPerDirectory()).containsKey(feed.name());
            }
        } finally {
            replicas.values().forEach(AppProcess::close);
        }
    }

    static final String LOGS = "landfall-site-logs";
    static final String QUEUE = "landfall-site-log-events";
    static final int OBJECTS = 300;
    static final int VIEWS_PER_OBJECT = 20;

    /**
     * 300 log objects announced on SQS, read by three replicas as competing consumers, one of them SIGKILLed midway:
     * every object is ingested exactly once (its items all there, the views per page counted once per object), and
     * all three did some of the work.
     */
    @Test
    void threeHundredObjectsOnSqsWithThreeReplicasAndAKill() throws Exception {
        Map<String, AppProcess> replicas = new LinkedHashMap<>();
        try (DynamoDbClient ddb = Aws.dynamoDb(servers); SqsClient sqs = Aws.sqs(servers)) {
            for (String r : List.of("q1", "q2", "q3")) {
                replicas.put(r, AppProcess.start("sqs-" + r, sqsReplica(r), AppProcess.DEFAULT_JVM_FLAGS));
            }
            for (AppProcess app : replicas.values()) {
                app.awaitHealthy(Duration.ofSeconds(120));
            }
            List<String> keys = S3Events.putViewLogs(s3, LOGS, "SCALE", OBJECTS, VIEWS_PER_OBJECT, "scale");
            long announced = System.nanoTime();
            S3Events.announceEach(sqs, QUEUE, s3, LOGS, keys);
            long total = (long) OBJECTS * VIEWS_PER_OBJECT;
            await("a third of the items").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                    .until(() -> pageViewItems(ddb) >= total / 3);
            AppProcess victim = replicas.get("q3");
            int victimObjects = victim.logLines("page views: s3://" + LOGS).size();
            victim.kill9();
            await("every item").atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(500))
                    .until(() -> pageViewItems(ddb) == total);
            double seconds = (System.nanoTime() - announced) / 1e9;
            // once per object: the views per page, counted once per object version, add up to the views. An object the
            // killed replica had written but not finished is finished by another once its claim lease (10 s here) ran out
            // and its message came back (visibility 10 s)
            await("the views per page").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> assertThat(aggregatedViews(ddb)).isEqualTo(total));
            Map<String, Integer> perReplica = new LinkedHashMap<>();
            replicas.forEach((k, v) -> perReplica.put(k, v.logLines("page views: s3://" + LOGS).size()));
            perReplica.put("q3", victimObjects);
            System.out.printf("scale-out: %d objects on SQS, 3 replicas, one killed midway: %.1f s (%.1f objects/s); "
                    + "objects ingested per replica %s%n", OBJECTS, seconds, OBJECTS / seconds, perReplica);
            assertThat(perReplica.values()).as("objects ingested per replica").allMatch(n -> n > 0);
            assertThat(pageViewItems(ddb)).isEqualTo(total);
            assertThat(S3Objects.texts(s3, FacilityFeed.DEAD_LETTER_BUCKET, "dead-letter/page-views/")).isEmpty();
        } finally {
            replicas.values().forEach(AppProcess::close);
        }
    }

    private static Map<String, String> sqsReplica(String id) {
        Map<String, String> props = AppProcess.baseProperties(servers, dir.resolve(id));
        props.put("landfall.page-views.arrivals.poll", "false");
        props.put("landfall.page-views.arrivals.sqs", "true");
        // the killed replica's messages come back after this (and its claims free after the idempotency lease)
        props.put("landfall.page-views.queue-visibility-seconds", "10");
        props.put("landfall.idempotency.lease-seconds", "10");
        props.put("landfall.cluster.member-id", id);
        return props;
    }

    static long pageViewItems(DynamoDbClient ddb) {
        return ddb.scanPaginator(b -> b.tableName("landfall-page-views").select(Select.COUNT).consistentRead(true)).stream()
                .mapToLong(r -> r.count()).sum();
    }

    static long aggregatedViews(DynamoDbClient ddb) {
        return ddb.scanPaginator(b -> b.tableName("landfall-page-view-aggregates").consistentRead(true)).items().stream()
                .filter(i -> i.get("Series").s().startsWith("page#scale/"))
                .mapToLong(i -> Long.parseLong(i.get("Views").n())).sum();
    }

    private static Map<String, String> replica(String id, List<FacilityFeed> feeds) {
        Map<String, String> props = AppProcess.baseProperties(servers, dir.resolve(id));
        for (FacilityFeed feed : feeds) {
            props.putAll(feed.routeProperties(300));
        }
        props.put("landfall.cluster.member-id", id);
        // Camel's rebalancer evens out the count of all namespaces, not of the facilities among them: the directory's
        // demo source (a 16th namespace) let one replica hold every non-facility namespace and only 2 facilities; the
        // landing's demo source likewise
        props.put("landfall.directory.arrivals.poll", "false");
        props.put("landfall.landing.arrivals.poll", "false");
        props.put("landfall.cluster.lease-ms", Long.toString(LEASE_MS));
        props.put("landfall.cluster.heartbeat-ms", "1000");
        props.put("landfall.cluster.acquire-interval-ms", "500");
        props.put("landfall.cluster.rebalance-ms", "1000");
        return props;
    }

    /** The facilities a replica leads now, from its log. */
    static Set<String> leading(AppProcess app) {
        return ClusterLog.leading(app, "facility-logs-");
    }

    static Map<String, Integer> shares(Map<String, AppProcess> replicas) {
        Map<String, Integer> out = new LinkedHashMap<>();
        replicas.forEach((k, v) -> out.put(k, leading(v).size()));
        return out;
    }

    /**
     * Each replica leads {@code each} +- 1 facilities, every facility is led, and counting every namespace (the facilities
     * and the page-views pipeline's two) the replicas' shares differ by at most one.
     */
    private static void awaitShares(Map<String, AppProcess> replicas, Duration within, int each) {
        await("each replica leads " + each + " +- 1 facilities").atMost(within).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    Set<String> all = new TreeSet<>();
                    List<Integer> namespaces = new ArrayList<>();
                    for (Map.Entry<String, AppProcess> e : replicas.entrySet()) {
                        Set<String> mine = leading(e.getValue());
                        assertThat(mine.size()).as(e.getKey() + " " + shares(replicas)).isBetween(each - 1, each + 1);
                        all.addAll(mine);
                        namespaces.add(ClusterLog.leading(e.getValue(), "").size());
                    }
                    assertThat(all).hasSize(FACILITIES);
                    assertThat(java.util.Collections.max(namespaces) - java.util.Collections.min(namespaces))
                            .as("namespaces per replica " + namespaces).isLessThanOrEqualTo(1);
                });
    }

    private static void awaitLanded(List<FacilityFeed> feeds, String context) {
        await(context).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).ignoreException(NoSuchKeyException.class)
                .untilAsserted(() -> {
                    for (FacilityFeed feed : feeds) {
                        assertThat(feed.differences(feed.landed(s3))).as(context + " " + feed.name()).isEmpty();
                    }
                });
    }
}
