package dev.landfall.common.cluster;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import dev.landfall.common.OutageLog;
import dev.landfall.common.StorageProvisioner;
import dev.landfall.common.StorageSpec;
import dev.landfall.local.LocalServers;
import dev.landfall.testing.Aws;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.cluster.RebalancingCamelClusterService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The DynamoDB cluster service under Camel's rebalancing service, on DynamoDB Local: members in one JVM, each a
 * CamelContext with the same twelve {@code master:} routes.
 */
class DynamoDbClusterServiceTest {

    static final Duration LEASE = Duration.ofMillis(3000);
    static final int NAMESPACES = 12;

    @TempDir
    static Path dir;
    static LocalServers servers;
    static int tables;

    String table;
    final List<CamelContext> contexts = new ArrayList<>();
    /** namespace -> the members whose route ran for it, and every run's member, to see who polled */
    final Map<String, Set<String>> ran = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        servers = LocalServers.start(LocalServers.Options.forTests(dir.resolve("servers")));
    }

    @AfterAll
    static void stop() {
        servers.close();
    }

    @AfterEach
    void stopMembers() {
        contexts.forEach(CamelContext::stop);
    }

    /** A fresh lease table per test, provisioned like the app's. */
    private void leaseTable() {
        table = "leases-" + (++tables);
        try (DynamoDbClient ddb = Aws.dynamoDb(servers)) {
            new StorageProvisioner(Aws.s3(servers), ddb, StorageProvisioner.Mode.CREATE,
                    List.of(new StorageSpec(List.of(), List.of(DynamoDbClusterService.tableSpec(table))))).ensure();
        }
    }

    record Member(String id, CamelContext context, DynamoDbClusterService cluster) {
        Set<String> leading() {
            return cluster.leading();
        }
    }

    private Member member(String id, DynamoDbClient ddb) throws Exception {
        DynamoDbClusterService cluster = new DynamoDbClusterService(() -> ddb,
                new DynamoDbClusterService.Settings(table, LEASE, Duration.ofMillis(500), Duration.ofMillis(200)),
                Clock.systemUTC(), () -> new OutageLog(Clock.systemUTC(), 60_000));
        cluster.setId(id);
        CamelContext context = new DefaultCamelContext();
        context.addService(new RebalancingCamelClusterService(cluster, 300));
        // a lambda, not a RouteBuilder class: the app's package scan must not find test routes
        RouteBuilder.addRoutes(context, rb -> {
            for (int i = 0; i < NAMESPACES; i++) {
                String ns = String.format("ns-%02d", i);
                rb.from("master:" + ns + ":timer:" + ns + "?period=100").routeId(ns)
                        .process(e -> ran.computeIfAbsent(ns, k -> ConcurrentHashMap.newKeySet()).add(id));
            }
        });
        context.start();
        contexts.add(context);
        return new Member(id, context, cluster);
    }

    private static void awaitShares(Duration within, Map<Member, Integer> shares) {
        await("shares " + shares.values()).atMost(within).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            Set<String> all = new TreeSet<>();
            for (Map.Entry<Member, Integer> e : shares.entrySet()) {
                Set<String> mine = e.getKey().leading();
                assertThat(mine).as(e.getKey().id()).hasSize(e.getValue());
                all.addAll(mine);
            }
            assertThat(all).hasSize(NAMESPACES);
        });
    }

    @Test
    void threeMembersShareTwelveNamespacesEvenlyAndAStoppedMembersShareMovesAtOnce() throws Exception {
        leaseTable();
        try (DynamoDbClient ddb = Aws.dynamoDb(servers)) {
            Member a = member("a", ddb);
            Member b = member("b", ddb);
            Member c = member("c", ddb);
            awaitShares(Duration.ofSeconds(20), Map.of(a, 4, b, 4, c, 4));
            // only the leaders' routes ran
            ran.clear();
            await().atMost(Duration.ofSeconds(5)).until(() -> ran.size() == NAMESPACES);
            for (Member m : List.of(a, b, c)) {
                for (String ns : m.leading()) {
                    assertThat(ran.get(ns)).as(ns).containsExactly(m.id());
                }
            }

            // a graceful stop deletes its locks: the others take them well before a lease would have run out
            long stopped = System.nanoTime();
            c.context().stop();
            long stopMs = (System.nanoTime() - stopped) / 1_000_000;
            awaitShares(LEASE, Map.of(a, 6, b, 6));
            long movedMs = (System.nanoTime() - stopped) / 1_000_000;
            System.out.printf("graceful stop took %d ms, hand-over %d ms (lease %d ms)%n", stopMs, movedMs, LEASE.toMillis());
            assertThat(movedMs).as("hand-over after a graceful stop, ms").isLessThan(LEASE.toMillis());

            // a member that joins gets its share back from the others
            Member d = member("d", ddb);
            awaitShares(Duration.ofSeconds(20), Map.of(a, 4, b, 4, d, 4));
        }
    }

    /** A member cut off from DynamoDB stops leading on its own before anyone may take its namespaces over. */
    @Test
    void aMemberCutOffFromDynamoDbStopsLeadingBeforeTheOthersTakeOver() throws Exception {
        leaseTable();
        AtomicBoolean cut = new AtomicBoolean();
        ExecutionInterceptor cable = new ExecutionInterceptor() {
            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                if (cut.get()) {
                    throw SdkClientException.create("cable cut (test)");
                }
            }
        };
        try (DynamoDbClient ddb = Aws.dynamoDb(servers); DynamoDbClient faulty = Aws.dynamoDbWithFaults(servers, cable)) {
            Member a = member("a", ddb);
            Member b = member("b", faulty);
            awaitShares(Duration.ofSeconds(20), Map.of(a, 6, b, 6));

            // sample every 10 ms: never two leaders of one namespace
            AtomicReference<String> overlap = new AtomicReference<>();
            java.util.concurrent.ScheduledExecutorService sampler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
            sampler.scheduleAtFixedRate(() -> {
                Set<String> both = new TreeSet<>(a.leading());
                both.retainAll(b.leading());
                if (!both.isEmpty()) {
                    overlap.compareAndSet(null, both.toString());
                }
            }, 0, 10, java.util.concurrent.TimeUnit.MILLISECONDS);
            long cutAt = System.nanoTime();
            cut.set(true);
            awaitShares(LEASE.multipliedBy(3), Map.of(a, 12, b, 0));
            long failoverMs = (System.nanoTime() - cutAt) / 1_000_000;
            sampler.shutdownNow();
            assertThat(overlap.get()).as("namespaces led by both at once").isNull();
            // the library waits a whole lease of unchanged lock items before it lets another member take them
            assertThat(failoverMs).as("fail-over, ms").isGreaterThanOrEqualTo(LEASE.toMillis() - 1000);

            // back on the network, it gets its share again
            cut.set(false);
            awaitShares(Duration.ofSeconds(20), Map.of(a, 6, b, 6));
        }
    }
}
