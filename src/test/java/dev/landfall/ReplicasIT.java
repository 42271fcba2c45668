package dev.landfall;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

import dev.landfall.testing.AppProcess;
import dev.landfall.testing.ClusterLog;
import dev.landfall.testing.WithLocalServers;
import dev.landfall.testing.FacilityFeed;
import dev.landfall.testing.S3Objects;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two packaged-app replicas share the leases: only the facility's leader polls it, and the other takes over when it is SIGKILLed. */
class ReplicasIT extends WithLocalServers {

    static final List<String> MONTHS = List.of("201701", "201702", "201703");

    @Test
    void onlyTheLeaderPollsAndTheOtherReplicaTakesOverWhenItIsKilled() throws Exception {
        Random random = new Random(11);
        FacilityFeed feed = new FacilityFeed(servers, "shared");
        String summary = "facility " + feed.name() + ":";

        try (AppProcess a = AppProcess.start("replica-a", replica("a", feed), AppProcess.DEFAULT_JVM_FLAGS);
             AppProcess b = AppProcess.start("replica-b", replica("b", feed), AppProcess.DEFAULT_JVM_FLAGS)) {
            a.awaitHealthy(Duration.ofSeconds(90));
            b.awaitHealthy(Duration.ofSeconds(90));
            // the two share the five master: namespaces (3 + 2: the facility, page views' two, the directory's and the landing's demo sources); the facility's stays with one of them
            String facility = "facility-logs-" + feed.name();
            await("one replica leads the facility, steadily").atMost(Duration.ofSeconds(60)).during(Duration.ofSeconds(4))
                    .until(() -> ClusterLog.leading(a, facility).size() + ClusterLog.leading(b, facility).size() == 1
                            && ClusterLog.leading(a, "").size() + ClusterLog.leading(b, "").size() == 5
                            && !ClusterLog.leading(a, "").isEmpty() && !ClusterLog.leading(b, "").isEmpty());

            feed.append(feed.randomRows(random, 3_000, MONTHS));
            awaitLanded(feed, a + ", " + b);
            feed.append(feed.randomRows(random, 3_000, MONTHS));
            awaitLanded(feed, a + ", " + b);

            AppProcess leader = ClusterLog.leading(a, facility).isEmpty() ? b : a;
            AppProcess follower = leader == a ? b : a;
            assertThat(leader.logLines(summary)).as(leader.toString()).isNotEmpty();
            assertThat(follower.logLines(summary)).as(follower.toString()).isEmpty();
            // each timestamp was counted as landed exactly once, all by the leader
            await(leader.toString()).atMost(Duration.ofSeconds(10))
                    .until(() -> leader.metric("landfall_records_total", "outcome=\"landed\"") == feed.uniqueTimestamps());
            assertThat(follower.metric("landfall_records_total", "outcome=\"landed\"")).as(follower.toString()).isZero();

            leader.kill9();
            feed.append(feed.randomRows(random, 3_000, MONTHS));
            awaitLanded(feed, "after " + leader.name() + " was killed, " + follower);
            assertThat(follower.logLines(summary)).as(follower.toString()).isNotEmpty();
            assertThat(follower.isAlive()).isTrue();
        }
        assertThat(S3Objects.texts(s3, FacilityFeed.DEAD_LETTER_BUCKET, FacilityFeed.DEAD_LETTER_PREFIX)).isEmpty();
    }

    /** Each replica has its own data and work directory; the lease table is shared (the same DynamoDB). */
    private static Map<String, String> replica(String name, FacilityFeed feed) {
        Map<String, String> props = AppProcess.baseProperties(servers, dir.resolve(name));
        props.putAll(feed.routeProperties(300));
        return props;
    }

    private static void awaitLanded(FacilityFeed feed, String context) {
        // S3Proxy's in-memory store can answer 404 for a key it is replacing at that moment
        await(context).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).ignoreException(NoSuchKeyException.class)
                .untilAsserted(() -> assertThat(feed.differences(feed.landed(s3))).as(context).isEmpty());
    }
}
