package dev.landfall.routes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.landfall.common.RouteDirectoryReloadStrategy;
import dev.landfall.local.LocalServers;
import dev.landfall.testing.LandfallApp;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every route file of the repository starts on the real Main against the local servers: those in the jar
 * (src/main/resources/routes), the examples, and the route files of the Kubernetes manifests (files, or ConfigMap keys
 * ending in .yaml), the last two loaded as the user's route directory.
 */
class EveryRouteFileStartsTest {

    /** Kubernetes manifests and kustomizations, as opposed to route files. */
    static final java.util.regex.Pattern MANIFEST = java.util.regex.Pattern.compile("(?m)^(apiVersion|kind):");

    @TempDir
    Path dir;

    static List<Path> yaml(Path root) throws Exception {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        }
    }

    /** The user route files of the repository, by where they are: examples/** and those under k8s/. */
    static Map<String, String> userRouteFiles() throws Exception {
        Map<String, String> files = new LinkedHashMap<>();
        for (Path p : yaml(Path.of("examples"))) {
            files.put(p.toString(), Files.readString(p));
        }
        for (Path p : yaml(Path.of("k8s"))) {
            String text = Files.readString(p);
            if (!MANIFEST.matcher(text).find()) {
                files.put(p.toString(), text);
                continue;
            }
            for (String document : text.split("(?m)^---\\s*$")) {
                if (document.contains("kind: ConfigMap")) {
                    ConfigMap map = Serialization.unmarshal(document, ConfigMap.class);
                    if (map.getData() != null) {
                        map.getData().forEach((key, value) -> {
                            if (key.endsWith(".yaml") || key.endsWith(".yml")) {
                                files.put(p + "#" + key, value);
                            }
                        });
                    }
                }
            }
        }
        return files;
    }

    @Test
    void everyRouteFileOfTheRepositoryStarts() throws Exception {
        Map<String, String> user = userRouteFiles();
        assertThat(user).as("the example facility").containsKey(Path.of("examples", "routes", "facility-plant1.camel.yaml").toString());
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Map<Path, String> copies = new LinkedHashMap<>();
        for (String source : user.keySet()) {
            // one dot only, before the extension: Camel takes everything after a name's first dot as its extension
            String flat = source.replaceAll("[/\\\\#]", "__");
            int ext = flat.lastIndexOf('.');
            Path copy = routes.resolve(flat.substring(0, ext).replace('.', '_') + flat.substring(ext));
            Files.writeString(copy, user.get(source));
            copies.put(copy, source);
        }
        try (LocalServers servers = LocalServers.start(LocalServers.Options.forTests(dir.resolve("servers")))) {
            Map<String, String> props = LandfallApp.testProperties(servers, dir.resolve("app"));
            props.put("landfall.routes.dir", routes.toString());
            props.put("landfall.routes.reload", "false");
            try (LandfallApp app = LandfallApp.start(props)) {
                CamelContext camel = app.context();
                // the jar's files: each one's routes are there and started
                for (Path file : yaml(Path.of("src", "main", "resources", "routes"))) {
                    String name = Path.of("src", "main", "resources").relativize(file).toString().replace('\\', '/');
                    List<Route> own = camel.getRoutes().stream()
                            .filter(r -> r.getSourceResource() != null && r.getSourceResource().getLocation().endsWith(name)).toList();
                    assertStarted(camel, file.toString(), own.stream().map(Route::getRouteId).toList());
                }
                RouteDirectoryReloadStrategy strategy = camel.hasService(RouteDirectoryReloadStrategy.class);
                assertThat(strategy.failedFiles()).as("route files that did not load (see the ERROR line)")
                        .extracting(copies::get).isEmpty();
                for (Map.Entry<Path, String> copy : copies.entrySet()) {
                    assertThat(strategy.routesOf(copy.getKey())).as(copy.getValue() + " starts routes").isNotEmpty();
                    assertStarted(camel, copy.getValue(), new ArrayList<>(strategy.routesOf(copy.getKey())));
                }
            }
        }
    }

    static void assertStarted(CamelContext camel, String file, List<String> routeIds) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(routeIds)
                .as("routes of %s not started", file)
                .allMatch(id -> camel.getRouteController().getRouteStatus(id) == ServiceStatus.Started));
    }
}
