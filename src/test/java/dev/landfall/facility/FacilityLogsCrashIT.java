package dev.landfall.facility;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

import dev.landfall.testing.AppProcess;
import dev.landfall.testing.WithLocalServers;
import dev.landfall.testing.CrashLoop;
import dev.landfall.testing.FacilityFeed;
import dev.landfall.testing.S3Objects;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The packaged app SIGKILLed again and again while it merges a growing facility log: nothing lost, nothing doubled. */
class FacilityLogsCrashIT extends WithLocalServers {

    static final List<String> MONTHS = List.of("201607", "201608", "201609", "201610");
    static final int APPENDS = 5;
    static final int ROWS_PER_APPEND = 8_000;

    @Test
    void killedDuringMergesItLandsEveryRowExactlyOnce() throws Exception {
        long seed = Long.getLong("landfall.it.seed", System.nanoTime());
        Random random = new Random(seed);
        FacilityFeed feed = new FacilityFeed(servers, "crashy");
        Map<String, String> props = AppProcess.baseProperties(servers, dir.resolve("app"));
        props.putAll(feed.routeProperties(300));
        CrashLoop.Probe merging = CrashLoop.inflight("facility-logs-merge");

        try (CrashLoop crashes = new CrashLoop(generation -> AppProcess.startHealthy("crash-" + generation, props), random)) {
            int recoveryKillAt = 1 + random.nextInt(APPENDS - 1);
            crashes.start();
            for (int i = 0; i < APPENDS; i++) {
                feed.append(feed.randomRows(random, ROWS_PER_APPEND, MONTHS));
                crashes.killWhenBusy(merging, Duration.ofSeconds(20), Duration.ofMillis(1000));
                if (i == recoveryKillAt) {
                    // the restarted app re-merges the file it was killed on: kill that recovery too, or whatever runs then
                    crashes.killAfterRandomDelay(Duration.ofMillis(1500));
                }
            }
            String context = "seed " + seed + ", kills " + crashes.kills() + ", log " + crashes.app().logPath();
            // S3Proxy's in-memory store can answer 404 for a key it is replacing at that moment
            await(context).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreException(NoSuchKeyException.class)
                    .untilAsserted(() -> assertThat(feed.differences(feed.landed(s3))).as(context).isEmpty());
            assertThat(S3Objects.texts(s3, FacilityFeed.DEAD_LETTER_BUCKET, FacilityFeed.DEAD_LETTER_PREFIX)).as(context).isEmpty();
            assertThat(crashes.kills()).as(context).hasSize(APPENDS + 1);
            System.out.println("FacilityLogsCrashIT " + context + ", rows " + feed.rows().size()
                    + ", unique " + feed.uniqueTimestamps());
        }
    }
}
