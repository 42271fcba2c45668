package dev.landfall.common;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.landfall.local.LocalServers;
import dev.landfall.testing.FreePorts;
import dev.landfall.testing.LandfallApp;
import dev.landfall.testing.LogCapture;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LogEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

import static dev.landfall.testing.AccessLogLines.view;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What an operator reads after a clean start of every pipeline: no WARN, the HTTP endpoints once with the address they
 * are bound to, and a HELP text for every Landfall metric.
 */
class CleanStartRouteTest {

    @TempDir
    static Path dir;
    static LocalServers servers;
    static LandfallApp app;
    static LogCapture log;
    static int httpPort;
    static int managementPort;

    @BeforeAll
    static void start() throws Exception {
        servers = LocalServers.start(LocalServers.Options.forTests(dir.resolve("servers")));
        Map<String, String> props = LandfallApp.testProperties(servers, dir.resolve("app"));
        httpPort = FreePorts.next();
        managementPort = FreePorts.next();
        props.put("camel.server.port", Integer.toString(httpPort));
        props.put("camel.management.port", Integer.toString(managementPort));
        props.put("landfall.page-views.poll-delay-ms", "300");
        Files.createDirectories(servers.ftpHome().resolve("plant"));
        String t = "camel.routeTemplate[facility-logs-poll-plant].";
        props.put(t + "templateId", "facility-logs-ftp");
        props.put(t + "name", "plant");
        props.put(t + "host", LocalServers.HOST);
        props.put(t + "port", Integer.toString(servers.ftpPort()));
        props.put(t + "user", LocalServers.FTP_USER);
        props.put(t + "password", LocalServers.FTP_PASSWORD);
        props.put(t + "path", "/plant");
        props.put(t + "fileName", "log.csv");
        props.put(t + "prefix", "plant/");
        props.put(t + "pollInterval", "300");
        log = LogCapture.attach();
        app = LandfallApp.start(props);
    }

    @AfterAll
    static void stop() throws Exception {
        if (log != null) {
            log.close();
        }
        if (app != null) {
            app.close();
        }
        servers.close();
    }

    @Test
    void readinessWaitsForTheRoutesToBeStarted() {
        await().atMost(Duration.ofSeconds(20)).until(() -> !app.context().getRouteController().isStartingRoutes());
        var check = org.apache.camel.health.HealthCheckHelper.invokeReadiness(app.context()).stream()
                .filter(r -> r.getCheck().getId().equals("routes-started")).findFirst().orElseThrow();
        assertThat(check.getState()).isEqualTo(org.apache.camel.health.HealthCheck.State.UP);
        // a context whose routes are not started yet is not ready
        RoutesStartedHealthCheck starting = new RoutesStartedHealthCheck();
        starting.setCamelContext(new org.apache.camel.impl.DefaultCamelContext());
        assertThat(starting.call().getState()).isEqualTo(org.apache.camel.health.HealthCheck.State.DOWN);
    }

    @Test
    void aCleanStartWarnsOfNothingEvenWellAfterLeadershipIsTaken() {
        // the cluster's one line per change names the namespaces this replica leads: every master: route's
        long masters = app.context().getRoutes().stream().filter(r -> r.getEndpoint().getEndpointUri().startsWith("master:")).count();
        assertThat(masters).isGreaterThanOrEqualTo(4);
        await().atMost(Duration.ofSeconds(20)).until(() -> log.messages("dev.landfall.common.cluster").stream()
                .filter(m -> m.contains(": leads ")).mapToLong(m -> m.substring(m.indexOf(": leads ") + 8).split(",").length)
                .sum() == masters);
        // camel-master's start task used to WARN five seconds after each leadership
        await().during(Duration.ofSeconds(7)).atMost(Duration.ofSeconds(10)).until(() -> warnings().isEmpty());
        assertThat(warnings()).isEmpty();
    }

    @Test
    void eachArrivalSourceAndEachIngestHasItsOwnBoundedPool() {
        // the split EIPs name these profiles: Camel makes one pool of that size per route that splits
        var pools = app.context().getExecutorServiceManager();
        assertThat(pools.getThreadPoolProfile("s3-arrivals").getMaxPoolSize()).isEqualTo(2);
        assertThat(pools.getThreadPoolProfile("page-views-chunks").getMaxPoolSize()).isEqualTo(4);
        assertThat(pools.getThreadPoolProfile("page-views-chunks").getMaxQueueSize()).isEqualTo(8);
        assertThat(pools.getThreadPoolProfile("page-views-chunks").getRejectedPolicy())
                .isEqualTo(org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy.CallerRuns);
        // a file's months are in memory once read: all of them queue for the pool, none runs on the caller
        assertThat(pools.getThreadPoolProfile("facility-logs-months").getMaxPoolSize()).isEqualTo(4);
        assertThat(pools.getThreadPoolProfile("facility-logs-months").getMaxQueueSize()).isEqualTo(-1);
    }

    @Test
    void theHttpEndpointsArePrintedOnceWithTheAddressTheyAreBoundTo() {
        List<String> summary = log.messages(HttpEndpointsSummary.class.getName());
        String business = "http://127.0.0.1:" + httpPort;
        String management = "http://127.0.0.1:" + managementPort;
        assertThat(summary).filteredOn(l -> l.startsWith("HTTP endpoints on ")).containsExactly("HTTP endpoints on " + business);
        assertThat(summary).filteredOn(l -> l.startsWith("HTTP management endpoints on "))
                .containsExactly("HTTP management endpoints on " + management);
        assertThat(summary).filteredOn(l -> l.contains("/api/page-views/top ")).singleElement()
                .satisfies(l -> assertThat(l.strip()).startsWith(business + "/api/page-views/top").endsWith("(GET)"));
        // (platform-http keeps one endpoint per path: the backfill's POST is served but listed under its GET)
        assertThat(summary).filteredOn(l -> l.contains("/admin/page-views/backfill ")).singleElement();
        assertThat(summary).filteredOn(l -> l.contains("/observe/metrics")).singleElement()
                .satisfies(l -> assertThat(l.strip()).startsWith(management + "/observe/metrics"));
        assertThat(summary).filteredOn(l -> l.contains("/admin/dead-letter/replay")).hasSize(1);
        assertThat(String.join("\n", log.messages("org.apache.camel"))).doesNotContain("0.0.0.0");
    }

    @Test
    void everyLandfallMetricHasAHelpText() throws Exception {
        long day = 1_500_000_000L - 1_500_000_000L % 86400;
        app.s3().putObject(b -> b.bucket("landfall-site-logs").key("logs/2017-07-14-00-00-00-HELP"),
                RequestBody.fromString(view(day + 60, "H1", "index.html") + "\n"));
        // the ingest counts its records after its batch writes
        await().atMost(Duration.ofSeconds(30)).until(() -> helps().keySet()
                .containsAll(List.of("landfall_records_total", "landfall_ddb_batch_calls_total", "landfall_ddb_batch_items_total")));
        Map<String, String> helps = helps();
        assertThat(helps).allSatisfy((family, help) -> assertThat(help).as(family).isNotBlank());
        assertThat(helps.get("landfall_records_total")).contains("by pipeline and outcome");
    }

    /** Every landfall_ metric of /observe/metrics (by sample name) and its HELP text ("" when it has none). */
    static Map<String, String> helps() throws Exception {
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + managementPort + "/observe/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        Map<String, String> help = new LinkedHashMap<>();
        List<String> samples = new ArrayList<>();
        for (String line : metrics.body().lines().toList()) {
            if (line.startsWith("# HELP landfall_")) {
                String[] parts = line.substring("# HELP ".length()).split(" ", 2);
                help.put(parts[0], parts.length > 1 ? parts[1] : "");
            } else if (line.startsWith("landfall_")) {
                samples.add(line.split("[{ ]", 2)[0]);
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String sample : samples) {
            String family = sample.replaceAll("_(total|count|sum|max|bucket|created)$", "");
            out.put(sample, help.getOrDefault(sample, help.getOrDefault(family, "")));
        }
        return out;
    }

    static List<String> warnings() {
        List<String> out = new ArrayList<>();
        for (LogEvent e : log.events()) {
            if (e.getLevel().isMoreSpecificThan(Level.WARN)) {
                out.add(e.getLoggerName() + ": " + e.getMessage().getFormattedMessage());
            }
        }
        return out;
    }
}
