package dev.landfall.config;

import org.apache.camel.CamelContext;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.component.kubernetes.KubernetesConfiguration;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;

/**
 * Creates the cluster service that {@code master:} routes elect their single active poller with:
 * a file lock locally and in tests, a Kubernetes Lease in the {@code kubernetes} profile.
 */
public final class ClusterServiceFactory {

    private ClusterServiceFactory() {
    }

    public static CamelClusterService create(CamelContext context) {
        var props = context.getPropertiesComponent();
        String type = props.resolveProperty("landfall.cluster.type").orElse("file");
        String id = props.resolveProperty("landfall.cluster.member-id").orElse(null);
        if ("kubernetes".equals(type)) {
            KubernetesClusterService k8s = new KubernetesClusterService(new KubernetesConfiguration());
            props.resolveProperty("landfall.cluster.kubernetes.namespace").filter(n -> !n.isBlank()).ifPresent(k8s::setKubernetesNamespace);
            k8s.setKubernetesResourceName(props.resolveProperty("landfall.cluster.kubernetes.lease-prefix").orElse("landfall"));
            props.resolveProperty("landfall.cluster.kubernetes.pod-name").filter(n -> !n.isBlank()).ifPresent(k8s::setPodName);
            k8s.setClusterLabels(java.util.Map.of("app", "landfall"));
            if (id != null) {
                k8s.setId(id);
            }
            return k8s;
        }
        FileLockClusterService file = new FileLockClusterService();
        file.setRoot(props.resolveProperty("landfall.cluster.file.root").orElse(".landfall/cluster"));
        file.setAcquireLockDelay(Long.parseLong(props.resolveProperty("landfall.cluster.file.acquire-delay-ms").orElse("1000")),
                java.util.concurrent.TimeUnit.MILLISECONDS);
        file.setAcquireLockInterval(Long.parseLong(props.resolveProperty("landfall.cluster.file.acquire-interval-ms").orElse("2000")),
                java.util.concurrent.TimeUnit.MILLISECONDS);
        if (id != null) {
            file.setId(id);
        }
        return file;
    }
}
