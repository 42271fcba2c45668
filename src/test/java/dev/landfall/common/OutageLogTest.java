package dev.landfall.common;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import dev.landfall.local.LocalServers;
import dev.landfall.testing.Aws;
import dev.landfall.testing.LandfallApp;
import dev.landfall.testing.S3Objects;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

import static dev.landfall.testing.AccessLogLines.view;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * S3, DynamoDB and FTP all unreachable for 30 s while a facility and the page-views poller keep polling: at most one
 * WARN line per dependency per log interval, no stack trace, one "back" line per dependency, and nothing is lost.
 */
class OutageLogTest {

    static final long INTERVAL_MS = 10_000;
    static final Duration OUTAGE = Duration.ofSeconds(30);
    static final String HEADER = "event_timestamp,sensor,value";
    static final String FACILITY_ROUTE = "facility-logs-poll-storm";
    static final String OUTAGE_LOGGER = OutageLog.class.getName();

    @TempDir
    Path dir;
    LocalServers servers;
    LandfallApp app;
    S3Client s3;
    DynamoDbClient ddb;
    final Capture capture = new Capture();

    /** Makes every attempt of the app's S3 and DynamoDB clients fail the way a dead endpoint does (SDK retries included), while down. */
    static final class Unreachable implements ExecutionInterceptor {
        volatile boolean down;

        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            if (down) {
                throw SdkClientException.builder().message("Unable to execute HTTP request: Connect to 127.0.0.1 failed: Connection refused")
                        .cause(new java.net.ConnectException("Connection refused")).build();
            }
        }
    }

    /** Every log event of the JVM from the moment it is added. */
    static final class Capture extends AbstractAppender {
        final List<LogEvent> events = new CopyOnWriteArrayList<>();

        Capture() {
            super("outage-capture", null, null, true, Property.EMPTY_ARRAY);
        }

        @Override
        public void append(LogEvent event) {
            events.add(event.toImmutable());
        }

        void attach() {
            LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
            start();
            ctx.getConfiguration().getRootLogger().addAppender(this, null, null);
            ctx.updateLoggers();
        }

        void detach() {
            LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
            ctx.getConfiguration().getRootLogger().removeAppender(getName());
            ctx.updateLoggers();
            stop();
        }
    }

    @AfterEach
    void stop() throws Exception {
        capture.detach();
        if (app != null) {
            app.close();
        }
        if (s3 != null) {
            s3.close();
            ddb.close();
        }
        servers.close();
    }

    @Test
    void anOutageLogsOneLinePerDependencyPerIntervalAndOneWhenItIsBackAndLosesNothing() throws Exception {
        servers = LocalServers.start(LocalServers.Options.forTests(dir.resolve("servers")));
        s3 = Aws.s3(servers);
        ddb = Aws.dynamoDb(servers);
        Map<String, String> props = LandfallApp.testProperties(servers, dir.resolve("app"));
        props.put("landfall.outage.log-interval-ms", Long.toString(INTERVAL_MS));
        props.put("landfall.page-views.poll-delay-ms", "300");
        String p = "camel.routeTemplate[" + FACILITY_ROUTE + "].";
        props.put(p + "templateId", "facility-logs-ftp");
        props.put(p + "name", "storm");
        props.put(p + "host", "127.0.0.1");
        props.put(p + "port", Integer.toString(servers.ftpPort()));
        props.put(p + "user", LocalServers.FTP_USER);
        props.put(p + "password", LocalServers.FTP_PASSWORD);
        props.put(p + "path", "/storm");
        props.put(p + "fileName", "log.csv");
        props.put(p + "prefix", "storm/");
        props.put(p + "pollInterval", "300");
        props.put(p + "readLockCheckInterval", "200");
        Unreachable unreachable = new Unreachable();
        Path facilityFile = servers.ftpHome().resolve("storm").resolve("log.csv");
        Files.createDirectories(facilityFile.getParent());
        append(facilityFile, List.of("20160701:00:00:00,s,1"));
        app = LandfallApp.start(props, Map.of("unreachable", unreachable));

        // all up: both pipelines land their first input
        putLog("logs/2026-11-25-00-00-00-before", "before");
        await().atMost(Duration.ofSeconds(30)).until(() -> S3Objects.texts(s3, "landfall-facility-logs", "storm/").size() == 1
                && pageViews("logs/2026-11-25-00-00-00-before") == 2);

        capture.attach();
        unreachable.down = true;
        servers.stopFtp();
        // new input arrives while everything is down (written past the app, straight to the servers)
        putLog("logs/2026-11-25-00-01-00-during", "during");
        append(facilityFile, List.of("20160701:01:00:00,s,2"));
        long outageStart = System.nanoTime();
        await().pollDelay(Duration.ZERO).atMost(OUTAGE.plusSeconds(10)).during(OUTAGE).pollInterval(Duration.ofSeconds(1))
                .until(() -> pageViews("logs/2026-11-25-00-01-00-during") == 0);
        unreachable.down = false;
        servers.startFtp();
        long outageMs = (System.nanoTime() - outageStart) / 1_000_000;
        int duringOutage = capture.events.size();

        List<LogEvent> outage = capture.events.subList(0, duringOutage).stream().filter(e -> !startupNoise(e)).toList();
        String byLogger = outage.stream().collect(Collectors.groupingBy(e -> e.getLevel() + " " + e.getLoggerName(), TreeMap::new,
                Collectors.counting())).toString();
        long stackTraces = outage.stream().filter(e -> e.getThrown() != null).count();
        System.out.printf("outage of %d ms: %d log lines, %d with a stack trace, by level and logger %s%n",
                outageMs, outage.size(), stackTraces, byLogger);

        // nothing lost: what arrived during the outage lands after it
        await().atMost(Duration.ofSeconds(45)).untilAsserted(() -> {
            assertThat(pageViews("logs/2026-11-25-00-01-00-during")).isEqualTo(2);
            assertThat(S3Objects.texts(s3, "landfall-facility-logs", "storm/").get("storm/201607")).contains("20160701:01:00:00,s,2");
        });
        List<String> dependencies = List.of("s3", "dynamodb", "ftp:" + FACILITY_ROUTE);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(backLines(dependencies)).hasSize(dependencies.size()));

        long perDependency = outageMs / INTERVAL_MS + 1;
        assertThat(stackTraces).as("lines with a stack trace during the outage; by logger " + byLogger).isZero();
        assertThat(outage.stream().filter(e -> e.getLevel().isMoreSpecificThan(Level.WARN)))
                .as("WARN/ERROR lines during the outage come from the outage log only; by logger " + byLogger)
                .allMatch(e -> e.getLoggerName().equals(OUTAGE_LOGGER));
        for (String dependency : dependencies) {
            assertThat(outage.stream().filter(e -> e.getLevel() == Level.WARN && e.getMessage().getFormattedMessage().startsWith(dependency + " ")))
                    .as("WARN lines for " + dependency).hasSizeBetween(1, (int) perDependency);
        }
        assertThat(outage).as("all lines during the outage; by logger " + byLogger)
                .hasSizeLessThanOrEqualTo((int) (dependencies.size() * perDependency) + 5);
        assertThat(backLines(dependencies)).hasSize(dependencies.size());
        String all = capture.events.stream().map(e -> e.getMessage().getFormattedMessage()).collect(Collectors.joining("\n"));
        assertThat(all).doesNotContain(LocalServers.SECRET_KEY).doesNotContainIgnoringCase("password=" + LocalServers.FTP_PASSWORD);
    }

    /** Each master: route's leader-election task ends a few seconds after start with a WARN of its own, outage or not. */
    private static boolean startupNoise(LogEvent e) {
        return e.getLoggerName().equals("org.apache.camel.support.task.BackgroundTask")
                && e.getMessage().getFormattedMessage().contains("Leadership");
    }

    private List<String> backLines(List<String> dependencies) {
        return capture.events.stream().filter(e -> e.getLevel() == Level.INFO && e.getLoggerName().equals(OUTAGE_LOGGER))
                .map(e -> e.getMessage().getFormattedMessage())
                .filter(m -> dependencies.stream().anyMatch(d -> m.startsWith(d + " back after ")))
                .toList();
    }

    private void putLog(String key, String idPrefix) {
        long start = 1_764_028_800L;
        String body = view(start, idPrefix + "-1", "index.html") + "\n" + view(start + 1, idPrefix + "-2", "blog/index.html") + "\n";
        s3.putObject(b -> b.bucket("landfall-site-logs").key(key), RequestBody.fromString(body, StandardCharsets.UTF_8));
    }

    private int pageViews(String logKey) {
        return (int) ddb.scanPaginator(b -> b.tableName("landfall-page-views").consistentRead(true)).items().stream()
                .filter(i -> logKey.equals(i.get("LogKey").s())).count();
    }

    private static void append(Path file, List<String> rows) throws Exception {
        if (!Files.exists(file)) {
            Files.writeString(file, HEADER + "\n", StandardCharsets.UTF_8);
        }
        Files.writeString(file, String.join("\n", rows) + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }
}
