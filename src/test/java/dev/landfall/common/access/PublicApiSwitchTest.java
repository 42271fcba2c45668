package dev.landfall.common.access;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import dev.landfall.local.LocalServers;
import dev.landfall.testing.FreePorts;
import dev.landfall.testing.LandfallApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The documented switch landfall.access.public-apis: the APIs it names answer without a key; /admin/ never does. */
class PublicApiSwitchTest {

    @TempDir
    static Path dir;
    static LocalServers servers;
    static LandfallApp app;
    static int httpPort;

    @BeforeAll
    static void start() throws Exception {
        servers = LocalServers.start(LocalServers.Options.forTests(dir.resolve("servers"), LocalServers.Server.forApp()));
        Map<String, String> props = LandfallApp.testProperties(servers, dir.resolve("app"));
        httpPort = FreePorts.next();
        props.put("camel.server.port", Integer.toString(httpPort));
        props.put("landfall.access.public-apis", "page-views");
        app = LandfallApp.start(props);
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        servers.close();
    }

    @Test
    void aPublicApiAnswersWithoutAKeyAndTheAdminEndpointsStillNeedOne() throws Exception {
        assertThat(get("/api/page-views/top").statusCode()).isEqualTo(200);
        assertThat(get("/api/page-views/blog").statusCode()).isEqualTo(200);
        assertThat(app.context().getRoute("page-views-top").getProperties()).containsEntry(AccessPolicies.ACCESS_PROPERTY, "public");
        HttpResponse<String> admin = get("/admin/keys");
        assertThat(admin.statusCode()).isEqualTo(401);
        assertThat(get("/admin/page-views/backfill").statusCode()).isEqualTo(401);
    }

    static HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
