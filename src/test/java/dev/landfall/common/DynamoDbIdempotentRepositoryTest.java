package dev.landfall.common;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.landfall.local.LocalServers;
import dev.landfall.testing.Aws;
import dev.landfall.testing.MutableClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.concurrent.atomic.AtomicBoolean;

import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The idempotent repository and lease lock on a real DynamoDB Local: states, lease expiry and TTL. */
class DynamoDbIdempotentRepositoryTest {

    private static final String TABLE = "state-test";

    @TempDir
    static Path dir;
    static LocalServers servers;
    static DynamoDbClient ddb;

    // at the real now: DynamoDB Local deletes items whose TTL attribute is past in real time (within seconds, seen here)
    private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));

    @BeforeAll
    static void start() throws Exception {
        servers = LocalServers.start(LocalServers.Options.forTests(dir, LocalServers.Server.DYNAMODB));
        ddb = Aws.dynamoDb(servers);
        Aws.provision(Aws.s3(servers), ddb, TABLE, List.of());
    }

    @AfterAll
    static void stop() {
        servers.close();
    }

    private DynamoDbIdempotentRepository repo(String ns, boolean completeOnAdd) {
        return new DynamoDbIdempotentRepository(ddb, TABLE, ns, Duration.ofSeconds(30), Duration.ofDays(1), completeOnAdd, clock);
    }

    @Test
    void addClaimsOnceConfirmCompletesAndTheItemCarriesTtl() {
        var a = repo("states", false);
        var b = repo("states", false);
        assertThat(a.add("k1")).isTrue();
        assertThat(a.state("k1")).isEqualTo(DynamoDbIdempotentRepository.IN_PROGRESS);
        assertThat(b.add("k1")).as("a second replica cannot claim a key in progress").isFalse();
        assertThat(a.confirm("k1")).isTrue();
        assertThat(b.contains("k1")).isTrue();
        assertThat(b.state("k1")).isEqualTo(DynamoDbIdempotentRepository.COMPLETED);
        Map<String, AttributeValue> item = ddb.getItem(r -> r.tableName(TABLE)
                .key(Map.of(StateTable.KEY, AttributeValue.fromS("states#k1")))).item();
        assertThat(Long.parseLong(item.get(StateTable.EXPIRES_AT).n()))
                .isEqualTo(clock.instant().getEpochSecond() + Duration.ofDays(1).toSeconds());
        assertThat(ddb.describeTimeToLive(r -> r.tableName(TABLE)).timeToLiveDescription().attributeName())
                .isEqualTo(StateTable.EXPIRES_AT);
        // completed keys are never claimed again while they live
        clock.advance(Duration.ofHours(23));
        assertThat(b.add("k1")).isFalse();
    }

    @Test
    void removeReleasesOnlyOurOwnFailedClaim() {
        var a = repo("remove", false);
        var b = repo("remove", false);
        assertThat(a.add("k")).isTrue();
        assertThat(b.remove("k")).as("not b's claim").isFalse();
        assertThat(a.remove("k")).isTrue();
        assertThat(b.add("k")).isTrue();
        b.confirm("k");
        assertThat(b.remove("k")).as("a completed key stays").isFalse();
        assertThat(a.contains("k")).isTrue();
    }

    @Test
    void anExpiredLeaseLetsAnotherReplicaTakeOverAfterACrash() {
        var crashed = repo("lease", false);
        var other = repo("lease", false);
        assertThat(crashed.add("k")).isTrue();
        clock.advance(Duration.ofSeconds(29));
        assertThat(other.add("k")).isFalse();
        clock.advance(Duration.ofSeconds(2));
        assertThat(other.contains("k")).as("an expired lease counts as absent").isFalse();
        assertThat(other.add("k")).isTrue();
    }

    @Test
    void anExpiredItemIsAbsentEvenThoughDynamoDbLocalNeverDeletesIt() {
        var r = repo("ttl", true);
        assertThat(r.add("k")).isTrue();
        assertThat(r.state("k")).isEqualTo(DynamoDbIdempotentRepository.COMPLETED);
        clock.advance(Duration.ofDays(1).plusSeconds(1));
        assertThat(r.contains("k")).isFalse();
        assertThat(r.add("k")).isTrue();
    }

    @Test
    void aFailedClaimIsFreeAtOnceAndCountsItsAttempts() {
        var a = repo("attempts", false);
        var b = repo("attempts", false);
        assertThat(a.add("k")).isTrue();
        assertThat(a.fail("k")).isEqualTo(1);
        assertThat(b.state("k")).as("a failed claim is free, not held until its lease ends").isNull();
        assertThat(b.add("k")).isTrue();
        assertThat(b.fail("k")).isEqualTo(2);
        assertThat(a.add("k")).isTrue();
        a.confirm("k");
        assertThat(a.item("k")).doesNotContainKey(StateTable.ATTEMPTS);
    }

    @Test
    void theHeartbeatKeepsTheClaimOfLongWorkAliveBeyondItsLease() {
        var worker = repo("heartbeat", false);
        var other = repo("heartbeat", false);
        assertThat(worker.add("long")).isTrue();
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofSeconds(20));
            worker.renewLeases();
            assertThat(other.add("long")).as("after " + (i + 1) * 20 + " s of work on a 30 s lease").isFalse();
        }
        clock.advance(Duration.ofSeconds(31));
        assertThat(other.add("long")).as("without the heartbeat the lease runs out").isTrue();
    }

    @Test
    void aReleaseThatFailedWhileDynamoDbWasDownIsMadeAsSoonAsItAnswersAgain() {
        AtomicBoolean down = new AtomicBoolean();
        ExecutionInterceptor outage = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if (down.get()) {
                    throw SdkClientException.create("simulated: DynamoDB unreachable");
                }
            }
        };
        try (DynamoDbClient flaky = Aws.dynamoDbWithFaults(servers, outage)) {
            var worker = new DynamoDbIdempotentRepository(flaky, TABLE, "outage", Duration.ofSeconds(30), Duration.ofDays(1), false, clock);
            var other = repo("outage", false);
            assertThat(worker.add("k")).isTrue();
            down.set(true);
            assertThatThrownBy(() -> worker.fail("k")).hasMessageContaining("unreachable");
            worker.retryReleases();
            assertThat(other.add("k")).as("still claimed while DynamoDB is down").isFalse();
            down.set(false);
            worker.retryReleases();
            assertThat(other.add("k")).as("released as soon as DynamoDB answers, long before the lease ends").isTrue();
        }
    }

    @Test
    void leaseLockExcludesOthersUntilReleasedOrExpired() throws Exception {
        var lock = new DynamoDbLeaseLock(ddb, TABLE, Duration.ofSeconds(10), clock);
        var held = lock.acquire("obj", Duration.ofMillis(10));
        assertThatThrownBy(() -> lock.acquire("obj", Duration.ZERO)).hasMessageContaining("still held");
        held.close();
        var again = lock.acquire("obj", Duration.ZERO);
        clock.advance(Duration.ofSeconds(11));
        var stolen = lock.acquire("obj", Duration.ZERO);
        again.close(); // no longer ours: must not release the new holder's lock
        assertThatThrownBy(() -> lock.acquire("obj", Duration.ZERO)).hasMessageContaining("still held");
        stolen.close();
    }
}
