package dev.landfall.facility;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.landfall.common.PollHealth;
import dev.landfall.local.LocalServers;
import dev.landfall.testing.LandfallApp;
import dev.landfall.testing.S3Objects;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.landfall.facility.FacilityLogsRouteTest.BUCKET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** FTP server down, wrong password, missing file: the route backs off, health is DOWN, nothing is written, then it recovers. */
class FacilityLogsOutageTest {

    @TempDir
    Path dir;
    LocalServers servers;
    LandfallApp app;

    @AfterEach
    void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        servers.close();
    }

    private LandfallApp start(String facility, String password) throws Exception {
        Map<String, String> props = LandfallApp.testProperties(servers, dir.resolve("app"));
        facility(props, facility, password, "/" + facility);
        return LandfallApp.start(props);
    }

    private void facility(Map<String, String> props, String facility, String password, String path) {
        String p = "camel.routeTemplate[facility-logs-poll-" + facility + "].";
        props.put(p + "templateId", "facility-logs-ftp");
        props.put(p + "name", facility);
        props.put(p + "host", "127.0.0.1");
        props.put(p + "port", Integer.toString(servers.ftpPort()));
        props.put(p + "user", LocalServers.FTP_USER);
        props.put(p + "password", password);
        props.put(p + "path", path);
        props.put(p + "fileName", "log.csv");
        props.put(p + "prefix", facility + "/");
        props.put(p + "pollInterval", "200");
        props.put(p + "readLockCheckInterval", "200");
    }

    private HealthCheck.Result polls() {
        return HealthCheckHelper.invokeReadiness(app.context()).stream()
                .filter(r -> r.getCheck().getId().equals("polls")).findFirst().orElseThrow();
    }

    private boolean pollsUp() {
        return HealthCheckHelper.invokeReadiness(app.context()).stream()
                .filter(r -> r.getCheck().getId().equals("polls"))
                .allMatch(r -> r.getState() == HealthCheck.State.UP);
    }

    private List<String> rows(String month, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(String.format("%s01:%02d:00:00,s,%d", month, i, i));
        }
        return out;
    }

    @Test
    void ftpDownAtStartReportsDownThenLandsOnceTheServerIsBack() throws Exception {
        servers = LocalServers.start(LocalServers.Options.forTests(dir.resolve("servers")));
        FacilityLogsRouteTest.servers = servers;
        FacilityLogsRouteTest.append(FacilityLogsRouteTest.file("outage"), rows("201601", 10));
        servers.stopFtp();
        app = start("outage", LocalServers.FTP_PASSWORD);
        await().atMost(Duration.ofSeconds(20)).until(() ->
                Boolean.FALSE.equals(app.bean("pollHealth", PollHealth.class).isUp("ftp://127.0.0.1:" + servers.ftpPort() + "/outage")));
        assertThat(pollsUp()).isFalse();
        assertThat(S3Objects.texts(app.s3(), BUCKET, "outage/")).isEmpty();

        servers.startFtp();
        await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> assertThat(S3Objects.texts(app.s3(), BUCKET, "outage/"))
                .isEqualTo(FacilityLogsRouteTest.expected("outage/", rows("201601", 10))));
        await().atMost(Duration.ofSeconds(20)).until(this::pollsUp);
    }

    @Test
    void aWrongPasswordOrAMissingFileIsDownAndWritesNothing() throws Exception {
        servers = LocalServers.start(LocalServers.Options.forTests(dir.resolve("servers")));
        FacilityLogsRouteTest.servers = servers;
        FacilityLogsRouteTest.append(FacilityLogsRouteTest.file("locked"), rows("201602", 3));
        app = start("locked", "wrong-password");
        await().atMost(Duration.ofSeconds(20)).until(() ->
                Boolean.FALSE.equals(app.bean("pollHealth", PollHealth.class).isUp("ftp://127.0.0.1:" + servers.ftpPort() + "/locked")));
        assertThat(pollsUp()).isFalse();
        assertThat(S3Objects.texts(app.s3(), BUCKET, "locked/")).isEmpty();
        app.close();

        app = start("nofile", LocalServers.FTP_PASSWORD);
        await().atMost(Duration.ofSeconds(20)).until(() ->
                Boolean.FALSE.equals(app.bean("pollHealth", PollHealth.class).isUp("ftp://127.0.0.1:" + servers.ftpPort() + "/nofile")));
        FacilityLogsRouteTest.append(FacilityLogsRouteTest.file("nofile"), rows("201603", 2));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(S3Objects.texts(app.s3(), BUCKET, "nofile/")).hasSize(1));
        await().atMost(Duration.ofSeconds(20)).until(() ->
                Boolean.TRUE.equals(app.bean("pollHealth", PollHealth.class).isUp("ftp://127.0.0.1:" + servers.ftpPort() + "/nofile")));
    }

    @Test
    void twoFacilitiesOnOneServerAndPathEachHaveTheirOwnHealth() throws Exception {
        servers = LocalServers.start(LocalServers.Options.forTests(dir.resolve("servers")));
        FacilityLogsRouteTest.servers = servers;
        FacilityLogsRouteTest.append(FacilityLogsRouteTest.file("shared"), rows("201604", 4));
        Map<String, String> props = LandfallApp.testProperties(servers, dir.resolve("app"));
        facility(props, "plant1", LocalServers.FTP_PASSWORD, "/shared");
        facility(props, "plant2", "wrong-password", "/shared");
        app = LandfallApp.start(props);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(S3Objects.texts(app.s3(), BUCKET, "plant1/"))
                .isEqualTo(FacilityLogsRouteTest.expected("plant1/", rows("201604", 4))));
        // over many polls of both (200 ms apart, the failing one backing off) the check stays DOWN for plant2 alone
        await().atMost(Duration.ofSeconds(20)).during(Duration.ofSeconds(4)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            HealthCheck.Result polls = polls();
            assertThat(polls.getState()).isEqualTo(HealthCheck.State.DOWN);
            assertThat(polls.getDetails()).containsKey("facility-logs-poll-plant2").doesNotContainKey("facility-logs-poll-plant1");
            assertThat(polls.getMessage().orElse("")).contains("facility-logs-poll-plant2").contains("530")
                    .doesNotContain("plant1").doesNotContain("wrong-password");
        });
        assertThat(app.bean("pollHealth", PollHealth.class).isUp("facility-logs-poll-plant1")).isTrue();
        assertThat(app.bean("pollHealth", PollHealth.class).isUp("facility-logs-poll-plant2")).isFalse();
        assertThat(S3Objects.texts(app.s3(), BUCKET, "plant2/")).isEmpty();
    }
}
