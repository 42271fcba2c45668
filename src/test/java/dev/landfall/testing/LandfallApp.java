package dev.landfall.testing;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import dev.landfall.Application;
import dev.landfall.common.access.AccessAdmin;
import dev.landfall.common.access.AccessStore;
import dev.landfall.common.access.UsagePlan;
import dev.landfall.local.LocalServers;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/** Starts the real Landfall Main in this JVM against the embedded servers, on free ports, for route tests. */
public final class LandfallApp implements AutoCloseable {

    private final Main main;
    private String adminKey;
    private String readerKey;

    private LandfallApp(Main main) {
        this.main = main;
    }

    /** An admin key (no limits) for this app, made on first use as {@code keys create --role admin} makes one. */
    public synchronized String adminKey() {
        if (adminKey == null) {
            adminKey = bean("accessAdmin", AccessAdmin.class).create("test-admin", AccessStore.Role.ADMIN, null, null).key();
        }
        return adminKey;
    }

    /** A reader key whose plan includes every API, without limits. */
    public synchronized String readerKey() {
        if (readerKey == null) {
            bean("accessStore", AccessStore.class).putPlan(new UsagePlan("test-readers", 0, 0, 0, null, Set.of(UsagePlan.ALL_APIS)));
            readerKey = bean("accessAdmin", AccessAdmin.class).create("test-reader", AccessStore.Role.READER, "test-readers", null).key();
        }
        return readerKey;
    }

    public static Map<String, String> testProperties(LocalServers servers, Path dataDir) {
        Map<String, String> p = new LinkedHashMap<>(servers.appProperties());
        p.put("landfall.data-dir", dataDir.toString());
        p.put("camel.server.port", "0");
        p.put("camel.management.port", "0");
        p.put("landfall.retry.delay-ms", "50");
        p.put("landfall.health.storage-refresh-ms", "500");
        p.put("landfall.cluster.lease-ms", "3000");
        p.put("landfall.cluster.heartbeat-ms", "500");
        p.put("landfall.cluster.acquire-interval-ms", "200");
        p.put("landfall.cluster.rebalance-ms", "500");
        p.put("camel.routecontroller.back-off-delay", "500");
        p.put("camel.routecontroller.back-off-max-delay", "1000");
        // the meters' 32 shard namespaces only in the tests of meters (they would shift every other test's leader balance)
        p.put("landfall.meters.enabled", "false");
        return p;
    }

    public static LandfallApp start(Map<String, String> properties) throws Exception {
        return start(properties, Map.of());
    }

    /** Also binds beans before start, e.g. an SDK ExecutionInterceptor that the app's DynamoDB client then uses. */
    public static LandfallApp start(Map<String, String> properties, Map<String, Object> beans) throws Exception {
        Main main = Application.create();
        properties.forEach(main::addOverrideProperty);
        beans.forEach(main::bind);
        main.start();
        return new LandfallApp(main);
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    public S3Client s3() {
        return context().getRegistry().lookupByNameAndType("s3Client", S3Client.class);
    }

    public DynamoDbClient dynamoDb() {
        return context().getRegistry().lookupByNameAndType("dynamoDbClient", DynamoDbClient.class);
    }

    public <T> T bean(String name, Class<T> type) {
        return context().getRegistry().lookupByNameAndType(name, type);
    }

    @Override
    public void close() throws Exception {
        main.stop();
    }
}
