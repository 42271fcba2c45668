package dev.landfall;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The base manifests in k8s/base carry the production JVM flags, the management address and its network policy. */
class KubernetesManifestsTest {

    static final Path BASE = Path.of("k8s", "base");

    @Test
    void theJvmExitsOnOutOfMemoryAndRemoteJmxIsOff() throws IOException {
        Container landfall = container();
        List<String> command = landfall.getCommand();
        assertThat(command).contains("-XX:+ExitOnOutOfMemoryError");
        assertThat(command.indexOf("-XX:+ExitOnOutOfMemoryError")).isLessThan(command.indexOf("-jar"));
        // remote JMX would need authentication and TLS; the base turns none of it on
        assertThat(String.join(" ", command)).doesNotContain("jmxremote");
        assertThat(landfall.getEnv()).extracting(EnvVar::getName).doesNotContain("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS");
        // and the documented launch says the same
        assertThat(Usage.TEXT).contains("java -XX:+ExitOnOutOfMemoryError -jar landfall.jar");
    }

    @Test
    void managementBindsThePodAddress() throws IOException {
        EnvVar podIp = container().getEnv().stream().filter(e -> e.getName().equals("POD_IP")).findFirst().orElseThrow();
        assertThat(podIp.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.podIP");
        assertThat(container().getEnv()).filteredOn(e -> e.getName().equals("CAMEL_MAIN_PROFILE"))
                .extracting(EnvVar::getValue).containsExactly("kubernetes");
    }

    @Test
    void onlyTheNamespacesMonitoringReachesManagement() throws IOException {
        NetworkPolicy policy = load("networkpolicy.yaml", NetworkPolicy.class);
        assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
        assertThat(policy.getSpec().getPodSelector().getMatchLabels()).containsEntry("app", "landfall");
        List<NetworkPolicyIngressRule> rules = policy.getSpec().getIngress();
        List<NetworkPolicyIngressRule> management = rules.stream()
                .filter(r -> r.getPorts().stream().map(NetworkPolicyPort::getPort).anyMatch(p -> "management".equals(p.getStrVal())))
                .toList();
        assertThat(management).hasSize(1);
        NetworkPolicyIngressRule rule = management.get(0);
        assertThat(rule.getPorts()).hasSize(1);
        assertThat(rule.getFrom()).hasSize(1);
        assertThat(rule.getFrom().get(0).getNamespaceSelector()).as("this namespace only").isNull();
        assertThat(rule.getFrom().get(0).getPodSelector().getMatchLabels()).as("kustomize would add app=landfall").isNullOrEmpty();
        assertThat(rule.getFrom().get(0).getPodSelector().getMatchExpressions()).singleElement()
                .satisfies(e -> assertThat(e.getKey()).isEqualTo("landfall.dev/monitoring"));
        // the container port 9876 is the one named management
        assertThat(container().getPorts()).anySatisfy(p -> {
            assertThat(p.getName()).isEqualTo("management");
            assertThat(p.getContainerPort()).isEqualTo(9876);
        });

        Map<?, ?> kustomization = load("kustomization.yaml", Map.class);
        assertThat(kustomization.get("resources")).asList().contains("networkpolicy.yaml", "statefulset.yaml");
    }

    @Test
    void theRouteFilesConfigMapIsMountedAtTheRoutesDirectory() throws IOException {
        java.util.Properties kubernetes = new java.util.Properties();
        try (InputStream in = Files.newInputStream(Path.of("src", "main", "resources", "application-kubernetes.properties"))) {
            kubernetes.load(in);
        }
        String routesDir = kubernetes.getProperty("landfall.routes.dir");
        assertThat(routesDir).startsWith("/");
        io.fabric8.kubernetes.api.model.VolumeMount mount = container().getVolumeMounts().stream()
                .filter(m -> m.getMountPath().equals(routesDir)).findFirst().orElseThrow();
        io.fabric8.kubernetes.api.model.Volume volume = load("statefulset.yaml", StatefulSet.class).getSpec().getTemplate().getSpec()
                .getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow();
        assertThat(volume.getConfigMap().getName()).isEqualTo("landfall-routes");
        // not inside another mount (a ConfigMap volume cannot hold a mount point)
        assertThat(container().getVolumeMounts()).filteredOn(m -> !m.getName().equals(mount.getName()))
                .allSatisfy(m -> assertThat(routesDir).doesNotStartWith(m.getMountPath() + "/").isNotEqualTo(m.getMountPath()));
        io.fabric8.kubernetes.api.model.ConfigMap routes = load("routes-configmap.yaml", io.fabric8.kubernetes.api.model.ConfigMap.class);
        assertThat(routes.getMetadata().getName()).isEqualTo("landfall-routes");
        // listed as a resource, not generated: a generated name changes with its content and would roll the pods instead
        Map<?, ?> kustomization = load("kustomization.yaml", Map.class);
        assertThat(kustomization.get("resources")).asList().contains("routes-configmap.yaml");
        // and the properties file still where LANDFALL_CONFIG points
        String config = container().getEnv().stream().filter(e -> e.getName().equals("LANDFALL_CONFIG")).findFirst().orElseThrow().getValue();
        assertThat(container().getVolumeMounts()).anySatisfy(m -> assertThat(config).startsWith(m.getMountPath() + "/"));
    }

    /**
     * The data directory (the meters' spool of unrotated hours, the landing spool) is each replica's own
     * PersistentVolume: a restarted or rescheduled pod finds its files; scaling down keeps the claim.
     */
    @Test
    void theSpoolsLiveOnAPersistentVolumePerReplica() throws IOException {
        java.util.Properties kubernetes = new java.util.Properties();
        try (InputStream in = Files.newInputStream(Path.of("src", "main", "resources", "application-kubernetes.properties"))) {
            kubernetes.load(in);
        }
        java.util.Properties app = new java.util.Properties();
        try (InputStream in = Files.newInputStream(Path.of("src", "main", "resources", "application.properties"))) {
            app.load(in);
        }
        String dataDir = kubernetes.getProperty("landfall.data-dir");
        assertThat(app.getProperty("landfall.meters.spool-dir")).startsWith("{{landfall.data-dir}}/");
        assertThat(kubernetes.getProperty("landfall.meters.spool-dir")).as("not moved off the volume").isNull();
        StatefulSet set = load("statefulset.yaml", StatefulSet.class);
        io.fabric8.kubernetes.api.model.VolumeMount mount = container().getVolumeMounts().stream()
                .filter(m -> m.getMountPath().equals(dataDir)).findFirst().orElseThrow();
        assertThat(set.getSpec().getTemplate().getSpec().getVolumes()).as("not an emptyDir or other pod volume")
                .noneMatch(v -> v.getName().equals(mount.getName()));
        assertThat(set.getSpec().getVolumeClaimTemplates()).singleElement().satisfies(c -> {
            assertThat(c.getMetadata().getName()).isEqualTo(mount.getName());
            assertThat(c.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
        });
        assertThat(set.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenScaled()).isEqualTo("Retain");
        assertThat(set.getSpec().getPodManagementPolicy()).isEqualTo("Parallel");
        assertThat(set.getSpec().getServiceName()).isEqualTo("landfall-pods");
        assertThat(Files.readString(BASE.resolve("service.yaml"))).contains("name: landfall-pods", "clusterIP: None");
        // the overlay's patch names the same kind, or kustomize would not apply it
        assertThat(Files.readString(Path.of("k8s", "overlays", "single", "statefulset-endpoints.yaml"))).contains("kind: StatefulSet");
    }

    static Container container() throws IOException {
        StatefulSet deployment = load("statefulset.yaml", StatefulSet.class);
        return deployment.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getName().equals("landfall")).findFirst().orElseThrow();
    }

    static <T> T load(String file, Class<T> type) throws IOException {
        try (InputStream in = Files.newInputStream(BASE.resolve(file))) {
            return Serialization.unmarshal(in, type);
        }
    }
}
