package dev.landfall.deploy;

import java.io.Reader;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Kubernetes manifests, checked offline (no cluster here, and kubectl may be missing): every manifest parses into
 * fabric8's typed model with no unknown field, every kustomization names files that exist, probes, ports and paths
 * match the application's properties, the Role grants exactly what the Lease cluster service calls, and the overlays
 * say what they promise. (Their route files are started by EveryRouteFileStartsTest; .ci/run also renders each
 * overlay with kubectl kustomize where kubectl exists.)
 */
class K8sManifestsTest {

    static final Path K8S = Path.of("k8s");
    static final Set<String> KUSTOMIZATION_FIELDS = Set.of("apiVersion", "kind", "resources", "patches", "replicas",
            "configMapGenerator", "secretGenerator", "labels", "images", "namespace");

    static List<Path> files(String suffix) throws Exception {
        try (Stream<Path> walk = Files.walk(K8S)) {
            return walk.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
        }
    }

    /** Every Kubernetes object of the manifests (not the kustomizations), by file. */
    static Map<String, HasMetadata> objects() throws Exception {
        Map<String, HasMetadata> out = new LinkedHashMap<>();
        for (Path p : files(".yaml")) {
            if (p.getFileName().toString().equals("kustomization.yaml")) {
                continue;
            }
            int n = 0;
            for (String doc : Files.readString(p).split("(?m)^---\\s*$")) {
                if (doc.lines().allMatch(l -> l.isBlank() || l.trim().startsWith("#"))) {
                    continue;
                }
                out.put(p + "#" + (n++), (HasMetadata) Serialization.unmarshal(doc));
            }
        }
        return out;
    }

    static <T extends HasMetadata> T one(Class<T> type, String under) throws Exception {
        List<T> found = new ArrayList<>();
        objects().forEach((where, o) -> {
            if (type.isInstance(o) && where.startsWith(Path.of(under).toString())) {
                found.add(type.cast(o));
            }
        });
        assertThat(found).as(type.getSimpleName() + " under " + under).hasSize(1);
        return found.get(0);
    }

    @Test
    void everyManifestParsesIntoTheTypedModelWithNoUnknownField() throws Exception {
        Map<String, HasMetadata> objects = objects();
        assertThat(objects).isNotEmpty();
        List<String> unknown = new ArrayList<>();
        objects.forEach((where, o) -> {
            assertThat(o).as(where).isNotInstanceOf(GenericKubernetesResource.class);
            unknownFields(o, where + " " + o.getKind(), unknown);
        });
        assertThat(unknown).as("fields the typed model does not know").isEmpty();
        assertThat(objects.values().stream().map(HasMetadata::getKind).distinct())
                .contains("StatefulSet", "Service", "ServiceAccount", "Role", "RoleBinding", "NetworkPolicy",
                        "PodDisruptionBudget", "ConfigMap");
    }

    /** fabric8 keeps a field it does not know in additionalProperties: walk the whole object for any. */
    static void unknownFields(Object o, String path, List<String> out) {
        if (o == null || o instanceof String || o instanceof Number || o instanceof Boolean || o instanceof Enum<?>) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                unknownFields(e, path + "[" + (i++) + "]", out);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> unknownFields(v, path + "." + k, out));
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method getter : o.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers()) || !getter.getName().startsWith("get")
                    || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value;
            try {
                value = getter.invoke(o);
            } catch (ReflectiveOperationException e) {
                continue;
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    out.add(path + ": " + extra.keySet());
                }
                continue;
            }
            if (value instanceof Map<?, ?> && (getter.getName().equals("getLabels") || getter.getName().equals("getAnnotations")
                    || getter.getName().equals("getData") || getter.getName().equals("getMatchLabels"))) {
                continue; // free-form by definition
            }
            unknownFields(value, path + "." + getter.getName().substring(3), out);
        }
    }

    @Test
    void everyKustomizationUsesKnownFieldsAndNamesFilesThatExist() throws Exception {
        List<Path> kustomizations = files("kustomization.yaml");
        assertThat(kustomizations).extracting(p -> K8S.relativize(p.getParent()).toString().replace('\\', '/'))
                .containsExactlyInAnyOrder("base", "overlays/aws", "overlays/single");
        for (Path k : kustomizations) {
            Map<String, Object> doc;
            try (Reader r = Files.newBufferedReader(k)) {
                doc = new Yaml().load(r);
            }
            assertThat(KUSTOMIZATION_FIELDS).as(k + " fields").containsAll(doc.keySet());
            List<String> named = new ArrayList<>();
            for (Object r : list(doc.get("resources"))) {
                named.add(String.valueOf(r));
            }
            for (Object p : list(doc.get("patches"))) {
                named.add(String.valueOf(((Map<?, ?>) p).get("path")));
            }
            for (Object g : list(doc.get("configMapGenerator"))) {
                for (Object f : list(((Map<?, ?>) g).get("files"))) {
                    named.add(String.valueOf(f));
                }
            }
            for (String n : named) {
                assertThat(k.getParent().resolve(n)).as(k + " names " + n).exists();
            }
            // every manifest beside a kustomization is one of its resources or patches
            try (Stream<Path> beside = Files.list(k.getParent())) {
                for (Path f : beside.filter(f -> f.toString().endsWith(".yaml") && !f.equals(k)).toList()) {
                    assertThat(named).as(k + " uses " + f.getFileName()).contains(f.getFileName().toString());
                }
            }
        }
    }

    private static List<?> list(Object o) {
        return o == null ? List.of() : (List<?>) o;
    }

    /** The application's settings as the kubernetes profile sees them: application.properties, then the profile's. */
    static Properties kubernetesProperties() throws Exception {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(Path.of("src/main/resources/application.properties"))) {
            p.load(r);
        }
        try (Reader r = Files.newBufferedReader(Path.of("src/main/resources/application-kubernetes.properties"))) {
            p.load(r);
        }
        return p;
    }

    @Test
    void probesPortsAndPathsMatchTheApplication() throws Exception {
        Properties props = kubernetesProperties();
        StatefulSet d = one(StatefulSet.class, "k8s/base");
        Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (ContainerPort p : c.getPorts()) {
            ports.put(p.getName(), p.getContainerPort());
        }
        assertThat(ports).containsEntry("http", Integer.parseInt(props.getProperty("camel.server.port").trim()))
                .containsEntry("management", Integer.parseInt(props.getProperty("camel.management.port").trim()));
        // camel-main serves health under /observe/health on the management port: live and ready
        for (Probe probe : List.of(c.getStartupProbe(), c.getLivenessProbe(), c.getReadinessProbe())) {
            assertThat(probe).isNotNull();
            assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("management");
            assertThat(probe.getHttpGet().getPath()).isIn("/observe/health/live", "/observe/health/ready");
        }
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/observe/health/ready");
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/observe/health/live");
        assertThat(props.getProperty("camel.management.health-check-enabled").trim()).isEqualTo("true");
        // the kubernetes profile: Leases, the routes directory that the ConfigMap is mounted on
        assertThat(props.getProperty("landfall.cluster.type").trim()).isEqualTo("kubernetes");
        String routesDir = props.getProperty("landfall.routes.dir").trim();
        assertThat(c.getVolumeMounts()).anyMatch(m -> m.getMountPath().equals(routesDir) && "routes".equals(m.getName()));
        assertThat(d.getSpec().getTemplate().getSpec().getVolumes()).anyMatch(v -> "routes".equals(v.getName())
                && v.getConfigMap() != null && "landfall-routes".equals(v.getConfigMap().getName()));
        // graceful stop fits in the grace period: preStop, then camel-main's drain (shutdown-timeout), then a margin
        long drain = Long.parseLong(props.getProperty("camel.main.shutdown-timeout").trim());
        long preStop = c.getLifecycle().getPreStop().getSleep().getSeconds();
        assertThat(d.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds()).isGreaterThan(preStop + drain + 5);
        // non-root, read-only root file system, no privilege escalation, /tmp writable
        assertThat(d.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(c.getVolumeMounts()).anyMatch(m -> m.getMountPath().equals("/tmp"));
        assertThat(d.getSpec().getTemplate().getSpec().getTopologySpreadConstraints()).isNotEmpty();
        assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(c.getResources().getLimits()).containsKey("memory");
        // the Service, its scrape annotations and the NetworkPolicy name the same ports
        List<Service> services = objects().entrySet().stream().filter(e -> e.getKey().startsWith(Path.of("k8s/base").toString()))
                .map(Map.Entry::getValue).filter(Service.class::isInstance).map(Service.class::cast).toList();
        assertThat(services).extracting(x -> x.getMetadata().getName()).containsExactlyInAnyOrder("landfall", "landfall-pods");
        Service s = services.stream().filter(x -> x.getMetadata().getName().equals("landfall")).findFirst().orElseThrow();
        // the StatefulSet's governing service is headless
        assertThat(services).filteredOn(x -> x.getMetadata().getName().equals(d.getSpec().getServiceName()))
                .singleElement().satisfies(x -> assertThat(x.getSpec().getClusterIP()).isEqualTo("None"));
        assertThat(s.getSpec().getPorts()).extracting(p -> p.getTargetPort().getStrVal()).containsExactlyInAnyOrder("http", "management");
        assertThat(s.getMetadata().getAnnotations()).containsEntry("prometheus.io/port", props.getProperty("camel.management.port").trim())
                .containsEntry("prometheus.io/path", "/observe/metrics");
        NetworkPolicy np = one(NetworkPolicy.class, "k8s/base");
        assertThat(np.getSpec().getIngress()).flatExtracting(r -> r.getPorts()).extracting(p -> p.getPort().getStrVal())
                .containsExactlyInAnyOrder("http", "management");
        PodDisruptionBudget pdb = one(PodDisruptionBudget.class, "k8s/base");
        assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    }

    /** What KubernetesClusterService (camel-kubernetes 4.17) calls: Leases get/create/update, pods list. */
    @Test
    void theRoleGrantsExactlyWhatTheLeaseClusterServiceCalls() throws Exception {
        Role role = one(Role.class, "k8s/base");
        Map<String, List<String>> granted = new LinkedHashMap<>();
        for (PolicyRule r : role.getRules()) {
            for (String group : r.getApiGroups()) {
                for (String resource : r.getResources()) {
                    granted.put(group + "/" + resource, r.getVerbs().stream().sorted().toList());
                }
            }
        }
        assertThat(granted).containsExactlyInAnyOrderEntriesOf(Map.of(
                "coordination.k8s.io/leases", List.of("create", "get", "update"),
                "/pods", List.of("list")));
        RoleBinding binding = one(RoleBinding.class, "k8s/base");
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(binding.getSubjects()).extracting(x -> x.getName()).containsExactly(
                one(ServiceAccount.class, "k8s/base").getMetadata().getName());
        assertThat(one(StatefulSet.class, "k8s/base").getSpec().getTemplate().getSpec().getServiceAccountName())
                .isEqualTo("landfall");
    }

    @Test
    void theOverlaysSayWhatTheyPromise() throws Exception {
        Properties props = kubernetesProperties();
        Map<String, Object> aws;
        try (Reader r = Files.newBufferedReader(K8S.resolve("overlays/aws/kustomization.yaml"))) {
            aws = new Yaml().load(r);
        }
        assertThat(list(aws.get("replicas"))).singleElement().satisfies(x -> assertThat(((Map<?, ?>) x).get("count")).isEqualTo(3));
        assertThat(one(ServiceAccount.class, "k8s/overlays/aws").getMetadata().getAnnotations())
                .containsKey("eks.amazonaws.com/role-arn");
        Map<String, Object> single;
        try (Reader r = Files.newBufferedReader(K8S.resolve("overlays/single/kustomization.yaml"))) {
            single = new Yaml().load(r);
        }
        assertThat(list(single.get("replicas"))).singleElement().satisfies(x -> assertThat(((Map<?, ?>) x).get("count")).isEqualTo(1));
        // each endpoint variable overrides a real setting (LANDFALL_AWS_S3_ENDPOINT -> landfall.aws.s3.endpoint)
        Map<?, ?> endpoints = (Map<?, ?>) list(single.get("configMapGenerator")).get(0);
        for (Object literal : list(endpoints.get("literals"))) {
            String name = String.valueOf(literal).split("=", 2)[0];
            String key = name.toLowerCase().replace('_', '.');
            boolean known = props.stringPropertyNames().stream().anyMatch(k -> k.replace('-', '.').equals(key))
                    || props.values().stream().anyMatch(v -> String.valueOf(v).contains("env:" + name));
            assertThat(known).as(name + " sets a Landfall setting").isTrue();
        }
        StatefulSet patch = one(StatefulSet.class, "k8s/overlays/single");
        assertThat(patch.getSpec().getTemplate().getSpec().getContainers().get(0).getEnvFrom())
                .anyMatch(e -> e.getConfigMapRef() != null && "landfall-endpoints".equals(e.getConfigMapRef().getName()));
    }

    /** The image profile (not built here: it needs a registry): Temurin 17 JRE, non-root, the Deployment's entrypoint. */
    @Test
    void theImageConfigurationMatchesTheDeployment() throws Exception {
        javax.xml.parsers.DocumentBuilderFactory f = javax.xml.parsers.DocumentBuilderFactory.newInstance();
        org.w3c.dom.Document pom = f.newDocumentBuilder().parse(Path.of("pom.xml").toFile());
        javax.xml.xpath.XPath x = javax.xml.xpath.XPathFactory.newInstance().newXPath();
        String jib = "//profile[id='image']//plugin[artifactId='jib-maven-plugin']/configuration";
        assertThat(x.evaluate(jib + "/from/image", pom)).matches("eclipse-temurin:17(\\.[0-9.]+)?-jre.*");
        String user = x.evaluate(jib + "/container/user", pom);
        assertThat(user).isNotBlank().doesNotStartWith("0").doesNotStartWith("root");
        org.w3c.dom.NodeList args = (org.w3c.dom.NodeList) x.evaluate(jib + "/container/entrypoint/arg", pom,
                javax.xml.xpath.XPathConstants.NODESET);
        List<String> entrypoint = new ArrayList<>();
        for (int i = 0; i < args.getLength(); i++) {
            entrypoint.add(args.item(i).getTextContent().trim());
        }
        Container c = one(StatefulSet.class, "k8s/base").getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(entrypoint).isEqualTo(c.getCommand());
        assertThat(Integer.parseInt(user.split(":")[0])).isEqualTo(
                one(StatefulSet.class, "k8s/base").getSpec().getTemplate().getSpec().getSecurityContext().getRunAsUser().intValue());
        assertThat(x.evaluate(jib + "/extraDirectories/paths/path/includes", pom)).isEqualTo("landfall.jar");
        assertThat(x.evaluate("//build/finalName", pom)).isEqualTo("landfall");
    }
}
