package dev.landfall.pageviews;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.landfall.local.LocalServers;
import dev.landfall.testing.FreePorts;
import dev.landfall.testing.LandfallApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

import static dev.landfall.testing.AccessLogLines.view;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The dashboard in real headless Chromium (Debian's chromium; .ci/run installs it): chart and table show the API's numbers. */
class DashboardBrowserTest {

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
        props.put("landfall.page-views.poll-delay-ms", "300");
        app = LandfallApp.start(props);
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        servers.close();
    }

    static String chromium() {
        for (String candidate : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        throw new IllegalStateException("no Chromium found: install Debian's chromium package (.ci/run does)");
    }

    @Test
    void theChartShowsViewsPerDayAndTheTableTheTopPages() throws Exception {
        long day = 1_500_000_000L - 1_500_000_000L % 86400; // 2017-07-14
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            lines.add(view(day + 60 + i, "A" + i, "blog/one/index.html"));
        }
        for (int i = 0; i < 3; i++) {
            lines.add(view(day + 86400 + 60 + i, "B" + i, "blog/one/index.html"));
            lines.add(view(day + 86400 + 120 + i, "C" + i, "blog/two/index.html"));
        }
        app.s3().putObject(b -> b.bucket("landfall-site-logs").key("logs/2017-07-14-00-00-00-DASH"),
                RequestBody.fromString(String.join("\n", lines) + "\n"));
        await().atMost(Duration.ofSeconds(60)).until(() ->
                app.dynamoDb().scan(b -> b.tableName("landfall-page-views").consistentRead(true)).count() == 11);
        // the aggregates the API reads are added right after the items
        await().atMost(Duration.ofSeconds(30)).until(() -> app.dynamoDb().scan(b -> b.tableName("landfall-page-view-aggregates")
                .consistentRead(true)).items().stream().filter(i -> i.get("Series").s().startsWith("day#"))
                .mapToLong(i -> Long.parseLong(i.get("Views").n())).sum() == 11);

        String dom = dumpDom("http://127.0.0.1:" + httpPort + "/page-views/?from=2017-07-14&to=2017-07-16&limit=5#key="
                + app.readerKey());
        assertThat(dom).contains("data-loaded=\"true\"");
        Map<String, Integer> bars = new LinkedHashMap<>();
        Matcher rect = Pattern.compile("<rect[^>]*data-day=\"([0-9-]+)\"[^>]*data-views=\"(\\d+)\"").matcher(dom);
        while (rect.find()) {
            bars.put(rect.group(1), Integer.parseInt(rect.group(2)));
        }
        assertThat(bars).containsExactly(Map.entry("2017-07-14", 5), Map.entry("2017-07-15", 6));
        List<String> rows = new ArrayList<>();
        Matcher row = Pattern.compile("<td class=\"page\">([^<]*)</td><td class=\"views\">(\\d+)</td>").matcher(dom);
        while (row.find()) {
            rows.add(row.group(1) + "=" + row.group(2));
        }
        assertThat(rows).containsExactly("blog/one=8", "blog/two=3");
    }

    static String dumpDom(String url) throws Exception {
        Path profile = Files.createTempDirectory(dir, "chromium");
        Process p = new ProcessBuilder(chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile, "--virtual-time-budget=10000", "--dump-dom", url)
                .redirectError(dir.resolve("chromium.log").toFile()).start();
        String dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        return dom;
    }
}
