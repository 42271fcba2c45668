package dev.landfall.common;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import dev.landfall.common.cluster.DynamoDbClusterService;
import org.apache.camel.CamelContext;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.cluster.CamelPreemptiveClusterService;
import org.apache.camel.component.kubernetes.KubernetesConfiguration;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.support.cluster.RebalancingCamelClusterService;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Creates the cluster service that {@code master:} routes elect their active poller with: one lease per namespace
 * (a facility, an S3 arrival source, ...) on DynamoDB ({@code landfall.cluster.type=dynamodb}, AWS's lock library) or
 * on Kubernetes Leases ({@code kubernetes} profile), wrapped in Camel's {@link RebalancingCamelClusterService} so that
 * N replicas each lead an even share of the namespaces (differing by at most one), and a stopped or dead replica's
 * share moves to the others.
 */
public final class ClusterServiceFactory {

    private ClusterServiceFactory() {
    }

    public static CamelClusterService create(CamelContext context) {
        PropertiesComponent props = context.getPropertiesComponent();
        String id = unlessBlank(props, "landfall.cluster.member-id");
        String type = setting(props, "landfall.cluster.type");
        CamelPreemptiveClusterService delegate = switch (type) {
            case "kubernetes" -> kubernetes(props);
            case "dynamodb" -> new DynamoDbClusterService(
                    () -> context.getRegistry().findSingleByType(DynamoDbClient.class),
                    dynamoDbSettings(props), Clock.systemUTC(),
                    () -> context.getRegistry().findSingleByType(OutageLog.class));
            default -> throw new IllegalStateException("landfall.cluster.type must be dynamodb or kubernetes, not '" + type + "'");
        };
        if (!id.isEmpty()) {
            delegate.setId(id);
        }
        return new RebalancingCamelClusterService(delegate, Long.parseLong(setting(props, "landfall.cluster.rebalance-ms")));
    }

    /** The DynamoDB cluster's settings (its table is provisioned with the shared storage). */
    public static DynamoDbClusterService.Settings dynamoDbSettings(PropertiesComponent props) {
        return new DynamoDbClusterService.Settings(setting(props, "landfall.cluster.dynamodb.table"),
                Duration.ofMillis(Long.parseLong(setting(props, "landfall.cluster.lease-ms"))),
                Duration.ofMillis(Long.parseLong(setting(props, "landfall.cluster.heartbeat-ms"))),
                Duration.ofMillis(Long.parseLong(setting(props, "landfall.cluster.acquire-interval-ms"))));
    }

    private static KubernetesClusterService kubernetes(PropertiesComponent props) {
        KubernetesClusterService k8s = new KubernetesClusterService(new KubernetesConfiguration());
        String namespace = unlessBlank(props, "landfall.cluster.kubernetes.namespace");
        if (!namespace.isEmpty()) {
            k8s.setKubernetesNamespace(namespace);
        }
        k8s.setKubernetesResourceName(setting(props, "landfall.cluster.kubernetes.lease-prefix"));
        String pod = unlessBlank(props, "landfall.cluster.kubernetes.pod-name");
        if (!pod.isEmpty()) {
            k8s.setPodName(pod);
        }
        k8s.setClusterLabels(Map.of("app", "landfall"));
        long lease = Long.parseLong(setting(props, "landfall.cluster.lease-ms"));
        k8s.setLeaseDurationMillis(lease);
        k8s.setRenewDeadlineMillis(lease * 2 / 3);
        k8s.setRetryPeriodMillis(Long.parseLong(setting(props, "landfall.cluster.heartbeat-ms")));
        return k8s;
    }

    /** An empty value (the default) leaves the service's own choice. */
    private static String unlessBlank(PropertiesComponent props, String key) {
        return props.resolveProperty(key).map(String::trim).orElse("");
    }

    /** Every key has its default in application.properties; a missing one is a packaging error, not a silent default. */
    private static String setting(PropertiesComponent props, String key) {
        return props.resolveProperty(key).map(String::trim)
                .orElseThrow(() -> new IllegalStateException("Missing property " + key + " (application.properties sets it)"));
    }
}
