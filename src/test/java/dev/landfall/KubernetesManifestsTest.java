package dev.landfall;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
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
        assertThat(kustomization.get("resources")).asList().contains("networkpolicy.yaml", "deployment.yaml");
    }

    static Container container() throws IOException {
        Deployment deployment = load("deployment.yaml", Deployment.class);
        return deployment.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getName().equals("landfall")).findFirst().orElseThrow();
    }

    static <T> T load(String file, Class<T> type) throws IOException {
        try (InputStream in = Files.newInputStream(BASE.resolve(file))) {
            return Serialization.unmarshal(in, type);
        }
    }
}
