package dev.landfall.common;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.landfall.local.LocalServers;
import dev.landfall.testing.LandfallApp;
import dev.landfall.testing.S3Objects;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LogEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The user's route directory while the real Main runs against the local servers: a facility file added starts its
 * poller and its file lands in S3, an edit replaces it, a broken edit logs one ERROR line and keeps everything running,
 * and deleting the file removes the poller; the application's own routes and the user's other files are not touched.
 */
class RouteDirectoryReloadTest {

    static final String BUCKET = "landfall-facility-logs";
    static final String POLLER = "facility-logs-poll-plant9";
    static final String HEADER = "event_timestamp,sensor,value";

    @TempDir
    static Path dir;
    static Path routes;
    static LocalServers servers;
    static LandfallApp app;
    static CamelContext camel;

    @BeforeAll
    static void start() throws Exception {
        servers = LocalServers.start(LocalServers.Options.forTests(dir.resolve("servers")));
        routes = Files.createDirectories(dir.resolve("routes"));
        // a file there before the start is loaded at the start
        Files.writeString(routes.resolve("tick.camel.yaml"), """
                - route:
                    id: user-tick
                    description: A user's own route that must keep running while other files change
                    from:
                      uri: timer:user-tick
                      parameters:
                        period: "60000"
                      steps:
                        - log: "tick"
                """);
        Map<String, String> props = LandfallApp.testProperties(servers, dir.resolve("app"));
        props.put("landfall.routes.dir", routes.toString());
        props.put("landfall.routes.scan-interval-ms", "200");
        app = LandfallApp.start(props);
        camel = app.context();
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        servers.close();
    }

    static String facility(String fileName, String templateId, String processor) {
        return """
                # a facility added while Landfall runs
                - templatedRoute:
                    routeTemplateRef: %s
                    routeId: %s
                    parameters:
                      - name: name
                        value: plant9
                      - name: host
                        value: 127.0.0.1
                      - name: port
                        value: "%d"
                      - name: user
                        value: %s
                      - name: password
                        value: %s
                      - name: path
                        value: /plant9
                      - name: fileName
                        value: %s
                      - name: prefix
                        value: plant9/
                      - name: pollInterval
                        value: "300"
                      - name: readLockCheckInterval
                        value: "200"
                - route:
                    id: plant9-audit
                    description: A second route of the same file
                    from:
                      uri: direct:plant9-audit
                      steps:
                        - process:
                            ref: %s
                """.formatted(templateId, POLLER, servers.ftpPort(), LocalServers.FTP_USER, LocalServers.FTP_PASSWORD, fileName, processor);
    }

    static void ftpFile(String name, String rows) throws Exception {
        Path f = servers.ftpHome().resolve("plant9").resolve(name);
        Files.createDirectories(f.getParent());
        Files.writeString(f, HEADER + "\n" + rows);
    }

    static List<String> errors(OutageLogTest.Capture capture) {
        return capture.events.stream().filter(e -> e.getLevel() == Level.ERROR)
                .map(LogEvent::getMessage).map(m -> m.getFormattedMessage()).toList();
    }

    static ServiceStatus status(String routeId) {
        return camel.getRouteController().getRouteStatus(routeId);
    }

    /** Writes a broken version of the file and expects exactly one ERROR line about it, with everything still running. */
    static void breakIt(Path file, String content, String... expected) {
        OutageLogTest.Capture capture = new OutageLogTest.Capture();
        capture.attach();
        try {
            write(file, content);
            await().atMost(Duration.ofSeconds(15)).until(() -> !errors(capture).isEmpty());
            // and no second line while the file stays broken
            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() -> errors(capture).size() == 1);
            assertThat(errors(capture).get(0)).contains(file.toString()).contains(expected);
            assertThat(capture.events).filteredOn(e -> e.getLevel() == Level.ERROR).allMatch(e -> e.getThrown() == null);
            // the file's last good routes, the application's and the other file's keep running
            assertThat(status(POLLER)).isEqualTo(ServiceStatus.Started);
            assertThat(camel.getRoutes()).extracting(Route::getRouteId).contains("facility-logs-merge", "user-tick", "plant9-audit");
            assertThat(camel.getRoutes()).allMatch(r -> status(r.getRouteId()) == ServiceStatus.Started, "all started");
        } finally {
            capture.detach();
        }
    }

    static void write(Path file, String content) {
        try {
            // replaced in one step, as editors and the kubelet do
            Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
            Files.writeString(tmp, content);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aFacilityFileIsAddedEditedBrokenAndDeletedWhileItRuns() throws Exception {
        assertThat(status("user-tick")).isEqualTo(ServiceStatus.Started);
        Route tick = camel.getRoute("user-tick");
        Path file = routes.resolve("facility-plant9.camel.yaml");

        // added: the poller starts and the facility's file lands
        ftpFile("log.csv", "20160801:00:00:00,s1,1\n20160802:00:00:00,s1,2\n");
        write(file, facility("log.csv", "facility-logs-ftp", "deadLetterProcessor"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(S3Objects.texts(app.s3(), BUCKET, "plant9/")).containsEntry("plant9/201608",
                        HEADER + "\n20160801:00:00:00,s1,1\n20160802:00:00:00,s1,2\n"));
        assertThat(status("plant9-audit")).isEqualTo(ServiceStatus.Started);

        // edited: the new fileName takes effect (the other file's rows land), the old poller is replaced
        ftpFile("other.csv", "20160903:00:00:00,s2,3\n");
        Route first = camel.getRoute(POLLER);
        write(file, facility("other.csv", "facility-logs-ftp", "deadLetterProcessor"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(S3Objects.texts(app.s3(), BUCKET, "plant9/")).containsEntry("plant9/201609", HEADER + "\n20160903:00:00:00,s2,3\n"));
        assertThat(camel.getRoute(POLLER)).isNotSameAs(first);

        // broken three ways: one ERROR line each naming the file, the line and the fault
        breakIt(file, facility("other.csv", "facility-logs-ftp", "deadLetterProcessor").replace("    routeId:", "  routeId: ["),
                "line ");
        breakIt(file, facility("other.csv", "facility-logs-sftp", "deadLetterProcessor"), "line 3:", "facility-logs-sftp");
        breakIt(file, facility("other.csv", "facility-logs-ftp", "noSuchProcessor"), "line 33:", "noSuchProcessor");

        // fixed again; a second facility writing plant9's monthly objects is refused by name, plant9 keeps running
        write(file, facility("other.csv", "facility-logs-ftp", "deadLetterProcessor"));
        await().atMost(Duration.ofSeconds(15)).until(() -> status(POLLER) == ServiceStatus.Started);
        Path clash = routes.resolve("facility-plant8.camel.yaml");
        breakIt(clash, facility("other.csv", "facility-logs-ftp", "deadLetterProcessor").replace("value: plant9\n", "value: plant8\n")
                .replace("routeId: " + POLLER, "routeId: facility-logs-poll-plant8").replace("plant9-audit", "plant8-audit"),
                "'plant9'", "'plant8'", "plant9/");
        assertThat(camel.getRoute("facility-logs-poll-plant8")).isNull();
        assertThat(status(POLLER)).isEqualTo(ServiceStatus.Started);
        Files.delete(clash);

        // then deleted: its routes go, nothing else does
        Files.delete(file);
        await().atMost(Duration.ofSeconds(15)).until(() -> camel.getRoute(POLLER) == null && camel.getRoute("plant9-audit") == null);
        assertThat(camel.getRoutes()).extracting(Route::getRouteId).contains("facility-logs-merge", "facility-logs-replay", "user-tick");
        assertThat(camel.getRoute("user-tick")).as("the other file's route was never restarted").isSameAs(tick);
    }
}
