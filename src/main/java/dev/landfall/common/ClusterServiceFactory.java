package dev.landfall.common;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.component.kubernetes.KubernetesConfiguration;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;
import org.apache.camel.spi.PropertiesComponent;

/**
 * Creates the cluster service that {@code master:} routes elect their single active poller with:
 * a file lock locally and in tests, a Kubernetes Lease in the {@code kubernetes} profile.
 */
public final class ClusterServiceFactory {

    private ClusterServiceFactory() {
    }

    public static CamelClusterService create(CamelContext context) {
        PropertiesComponent props = context.getPropertiesComponent();
        String id = unlessBlank(props, "landfall.cluster.member-id");
        if ("kubernetes".equals(setting(props, "landfall.cluster.type"))) {
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
            if (!id.isEmpty()) {
                k8s.setId(id);
            }
            return k8s;
        }
        FileLockClusterService file = new FileLockClusterService();
        file.setRoot(setting(props, "landfall.cluster.file.root"));
        file.setAcquireLockDelay(Long.parseLong(setting(props, "landfall.cluster.file.acquire-delay-ms")), TimeUnit.MILLISECONDS);
        file.setAcquireLockInterval(Long.parseLong(setting(props, "landfall.cluster.file.acquire-interval-ms")), TimeUnit.MILLISECONDS);
        if (!id.isEmpty()) {
            file.setId(id);
        }
        return file;
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
