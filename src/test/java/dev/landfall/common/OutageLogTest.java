package dev.landfall.common;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

import static dev.landfall.testing.AccessLogLines.view;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * S3, DynamoDB and FTP unreachable for 20 s, then S3 alone for 10 s, while a facility and the page-views poller keep
 * polling: at most one WARN line per dependency per log interval, no stack trace, one "back" line per dependency, and
 * what arrived meanwhile lands afterwards.
 */
class OutageLogTest {

    static final long INTERVAL_MS = 5_000;
    static final Duration ALL_DOWN = Duration.ofSeconds(20);
    static final Duration S3_DOWN = Duration.ofSeconds(10);
    static final String HEADER = "event_timestamp,sensor,value";
    static final String FACILITY_ROUTE = "facility-logs-poll-storm";
    static final String OUTAGE_LOGGER = OutageLog.class.getName();
    static final String CLUSTER_LOGGER = "dev.landfall.common.cluster";

    @TempDir
    Path dir;
    LocalServers servers;
    LandfallApp app;
    S3Client s3;
    DynamoDbClient ddb;
    final Capture capture = new Capture();
    final Unreachable unreachable = new Unreachable();

    /** Makes every attempt of the app's clients of the services down fail the way a dead endpoint does (SDK retries included). */
    static final class Unreachable implements ExecutionInterceptor {
        volatile Set<String> down = Set.of();

        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            // the SDK's service names: "S3", "DynamoDb"
            if (down.contains(attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME).toLowerCase(java.util.Locale.ROOT))) {
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
        Path facilityFile = servers.ftpHome().resolve("storm").resolve("log.csv");
        Files.createDirectories(facilityFile.getParent());
        append(facilityFile, List.of("20160701:00:00:00,s,1"));
        capture.attach();
        app = LandfallApp.start(props, Map.of("unreachable", unreachable));

        // all up: both pipelines land their first input
        putLog("logs/2026-11-25-00-00-00-before", "before");
        await().atMost(Duration.ofSeconds(30)).until(() -> S3Objects.texts(s3, "landfall-facility-logs", "storm/").size() == 1
                && pageViews("logs/2026-11-25-00-00-00-before") == 2);
        // and said so: the facility's summary line comes just after its object is written
        await().atMost(Duration.ofSeconds(10)).until(() -> capture.events.stream()
                .anyMatch(e -> e.getMessage().getFormattedMessage().startsWith("facility storm:")));

        // everything down: the polls fail at once, and so does every dead letter of theirs
        outage("all", Set.of("s3", "dynamodb"), true, ALL_DOWN, List.of("s3", "dynamodb", "ftp:" + FACILITY_ROUTE), 1);
        // S3 alone down: the facility file is read and merged, the merge and its dead letter fail on S3
        outage("s3", Set.of("s3"), false, S3_DOWN, List.of("s3"), 2);
        String all = capture.events.stream().map(e -> e.getMessage().getFormattedMessage()).collect(Collectors.joining("\n"));
        assertThat(all).doesNotContain(LocalServers.SECRET_KEY).doesNotContainIgnoringCase("password=" + LocalServers.FTP_PASSWORD);
    }

    /** Takes the services (and FTP) away for a while with new input arriving, then checks the lines logged and that the input lands. */
    private void outage(String name, Set<String> services, boolean ftp, Duration length, List<String> dependencies, int n) throws Exception {
        int from = capture.events.size();
        unreachable.down = services;
        if (ftp) {
            servers.stopFtp();
        }
        // new input arrives meanwhile (written past the app, straight to the servers)
        String logKey = "logs/2026-11-25-00-0" + n + "-00-" + name;
        putLog(logKey, name);
        String row = "20160701:0" + n + ":00:00,s," + (n + 1);
        append(facilityFile(), List.of(row));
        long start = System.nanoTime();
        await().pollDelay(Duration.ZERO).atMost(length.plusSeconds(10)).during(length).pollInterval(Duration.ofSeconds(1))
                .until(() -> pageViews(logKey) == 0);
        unreachable.down = Set.of();
        if (ftp) {
            servers.startFtp();
        }
        long outageMs = (System.nanoTime() - start) / 1_000_000;
        List<LogEvent> during = capture.events.subList(from, capture.events.size()).stream().filter(e -> !startupNoise(e)).toList();
        // leadership needs DynamoDB: the cluster says in one INFO line per tick with changes that this replica lost its
        // three namespaces (in one tick, or spread over a few) and, maybe, that it leads them again: never one per failure
        List<LogEvent> cluster = during.stream().filter(e -> e.getLoggerName().startsWith(CLUSTER_LOGGER)).toList();
        assertThat(cluster).as("cluster lines during the outage").hasSizeLessThanOrEqualTo(4)
                .allMatch(e -> e.getLevel() == Level.INFO && e.getThrown() == null);
        // the app's lines: not the cluster's, nor the test's own FTP server's (Apache FtpServer on MINA, in this JVM, logs a
        // WARN with a stack trace when a client's connection resets; it is not part of Landfall)
        List<LogEvent> outage = during.stream().filter(e -> !e.getLoggerName().startsWith(CLUSTER_LOGGER))
                .filter(e -> !e.getLoggerName().startsWith("org.apache.mina.") && !e.getLoggerName().startsWith("org.apache.ftpserver."))
                .toList();
        String byLogger = outage.stream().collect(Collectors.groupingBy(e -> e.getLevel() + " " + e.getLoggerName(), TreeMap::new,
                Collectors.counting())).toString();
        long stackTraces = outage.stream().filter(e -> e.getThrown() != null).count();
        System.out.printf("outage (%s) of %d ms: %d log lines, %d with a stack trace, by level and logger %s%n",
                name, outageMs, outage.size(), stackTraces, byLogger);

        // nothing lost: what arrived during the outage lands after it
        await().atMost(Duration.ofSeconds(45)).untilAsserted(() -> {
            assertThat(pageViews(logKey)).isEqualTo(2);
            assertThat(S3Objects.texts(s3, "landfall-facility-logs", "storm/").get("storm/201607")).contains(row);
        });
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(backLines(from, dependencies)).hasSize(dependencies.size()));

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
                .allMatch(e -> dependencies.stream().anyMatch(d -> e.getMessage().getFormattedMessage().startsWith(d + " ")))
                .hasSizeLessThanOrEqualTo((int) (dependencies.size() * perDependency));
        assertThat(backLines(from, dependencies)).hasSize(dependencies.size());
    }

    private Path facilityFile() {
        return servers.ftpHome().resolve("storm").resolve("log.csv");
    }

    /** Each master: route's leader-election task ends a few seconds after start with a WARN of its own, outage or not. */
    private static boolean startupNoise(LogEvent e) {
        return e.getLoggerName().equals("org.apache.camel.support.task.BackgroundTask")
                && e.getMessage().getFormattedMessage().contains("Leadership");
    }

    private List<String> backLines(int from, List<String> dependencies) {
        return capture.events.subList(from, capture.events.size()).stream().filter(e -> e.getLevel() == Level.INFO && e.getLoggerName().equals(OUTAGE_LOGGER))
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
