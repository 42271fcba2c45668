package dev.landfall.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landfall.local.LocalServers;

import static org.awaitility.Awaitility.await;

/** The packaged Landfall jar ({@code -Dlandfall.jar}) running as a child JVM, with its output in a log file under target/. */
public final class AppProcess implements AutoCloseable {

    /** Keeps a crashed or interrupted test run from leaving child JVMs behind. */
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    private static final AtomicInteger STARTS = new AtomicInteger();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly)));
    }

    /** Small heap and C1 only: several children share two cores with the servers, and start-up time dominates. */
    public static final List<String> DEFAULT_JVM_FLAGS = List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private final String name;
    private final Process process;
    private final Path log;
    private final int managementPort;
    private final int serverPort;

    private AppProcess(String name, Process process, Path log, int managementPort, int serverPort) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.managementPort = managementPort;
        this.serverPort = serverPort;
    }

    /**
     * Settings every child needs to run against the servers: their endpoints, its own data directory and free ports,
     * short retry, lock and leader-election timings (a SIGKILLed holder's lock lease must run out quickly).
     */
    public static Map<String, String> baseProperties(LocalServers servers, Path dataDir) {
        Map<String, String> p = LandfallApp.testProperties(servers, dataDir.toAbsolutePath());
        // the test reaches the child's management port, so it names both ports
        p.put("camel.server.port", Integer.toString(FreePorts.next()));
        p.put("camel.management.port", Integer.toString(FreePorts.next()));
        p.put("landfall.lock.lease-seconds", "3");
        return p;
    }

    /** Starts {@code java <jvmFlags> -D<properties> -jar <landfall.jar>} in the data directory; does not wait for it. */
    public static AppProcess start(String name, Map<String, String> properties, List<String> jvmFlags) throws IOException {
        return start(name, properties, jvmFlags, env -> { });
    }

    /** The same, with the child's environment (inherited from this JVM) edited first, e.g. to set a profile or drop AWS_*. */
    public static AppProcess start(String name, Map<String, String> properties, List<String> jvmFlags,
                                   Consumer<Map<String, String>> environment) throws IOException {
        Path jar = Path.of(System.getProperty("landfall.jar", "target/landfall.jar")).toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run the ITs after package (./mvnw verify)");
        }
        Path dataDir = Path.of(required(properties, "landfall.data-dir"));
        Files.createDirectories(dataDir);
        Path logDir = Files.createDirectories(Path.of("target", "it-logs"));
        Path log = logDir.resolve(String.format("%03d-%s.log", STARTS.incrementAndGet(), name)).toAbsolutePath();

        List<String> command = new ArrayList<>();
        command.add(javaCommand());
        command.addAll(jvmFlags);
        Path archive = Boolean.getBoolean("landfall.it.cds") ? classArchive(jar) : null;
        if (archive != null && jvmFlags.stream().noneMatch(f -> f.startsWith("-XX:SharedArchiveFile"))) {
            command.add("-XX:SharedArchiveFile=" + archive);
        }
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(jar.toString());
        Files.writeString(log, String.join(" ", command) + System.lineSeparator(), StandardCharsets.UTF_8);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dataDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        environment.accept(builder.environment());
        Process process = builder.start();
        process.getOutputStream().close();
        LIVE.add(process);
        return new AppProcess(name, process, log,
                Integer.parseInt(required(properties, "camel.management.port")),
                Integer.parseInt(required(properties, "camel.server.port")));
    }

    private static String javaCommand() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static Path archiveOf;
    private static boolean archiveTried;

    /**
     * A class-data-sharing archive of the jar's classes (AppCDS, {@code -XX:ArchiveClassesAtExit}), made once per build
     * by one short run of the jar next to it, then mapped by every child: their start-up loads and verifies the classes
     * again otherwise, and the ITs start about 40 children on two cores (a start took 8.6 s of CPU, 4.9 s with the
     * archive). The training run reaches no server (its AWS endpoints are a closed port) and binds free ports. Null when
     * the archive cannot be made: the children then start without it. Off unless {@code -Dlandfall.it.cds=true} (the
     * ITs set it; the benches leave it off, so their RSS counts no mapped archive).
     */
    static synchronized Path classArchive(Path jar) {
        if (archiveTried) {
            return archiveOf;
        }
        archiveTried = true;
        Path archive = jar.resolveSibling(jar.getFileName().toString().replaceFirst("\\.jar$", "") + ".jsa");
        try {
            if (Files.isRegularFile(archive) && Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) > 0) {
                return archiveOf = archive;
            }
            Path work = Files.createTempDirectory("landfall-cds");
            Path partial = work.resolve("landfall.jsa");
            Path log = Files.createDirectories(Path.of("target", "it-logs")).resolve("000-class-archive.log").toAbsolutePath();
            List<String> command = new ArrayList<>(List.of(javaCommand()));
            command.addAll(DEFAULT_JVM_FLAGS);
            command.add("-XX:ArchiveClassesAtExit=" + partial);
            String closed = "http://127.0.0.1:1";
            for (String property : List.of("landfall.aws.s3.endpoint=" + closed, "landfall.aws.dynamodb.endpoint=" + closed,
                    "landfall.aws.sqs.endpoint=" + closed, "landfall.data-dir=" + work.resolve("data"),
                    "camel.server.port=" + FreePorts.next(), "camel.management.port=" + FreePorts.next(),
                    "camel.main.duration-max-seconds=6")) {
                command.add("-D" + property);
            }
            command.add("-jar");
            command.add(jar.toString());
            Process p = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            p.getOutputStream().close();
            LIVE.add(p);
            boolean exited = p.waitFor(90, TimeUnit.SECONDS);
            LIVE.remove(p);
            if (!exited) {
                p.destroyForcibly();
            }
            if (exited && Files.isRegularFile(partial) && Files.size(partial) > 0) {
                Files.move(partial, archive, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                return archiveOf = archive;
            }
            System.err.println("AppProcess: no class archive (see " + log + "); the children start without one");
        } catch (IOException e) {
            System.err.println("AppProcess: no class archive (" + e + "); the children start without one");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }

    /** Starts the app with the default JVM flags and waits until its health is UP. */
    public static AppProcess startHealthy(String name, Map<String, String> properties) throws IOException {
        AppProcess app = start(name, properties, DEFAULT_JVM_FLAGS);
        app.awaitHealthy(Duration.ofSeconds(90));
        return app;
    }

    /** Waits until {@code /observe/health} says UP; fails at once, with the log tail, if the process exits. */
    public AppProcess awaitHealthy(Duration timeout) {
        try {
            await("health of " + name + " (log " + log + ")").atMost(timeout).pollInterval(Duration.ofMillis(200))
                    .until(() -> "UP".equals(healthStatus()));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // which check kept it from UP
            throw new AssertionError(e.getMessage() + "; its last health answer: " + lastHealth, e);
        }
        return this;
    }

    private volatile String lastHealth;

    /** The overall health status, or null while the management server does not answer. */
    public String healthStatus() {
        requireAlive();
        try {
            HttpResponse<String> r = get("/observe/health");
            lastHealth = r.body();
            return JSON.readTree(r.body()).path("status").asText(null);
        } catch (IOException e) {
            lastHealth = e.toString();
            return null;
        }
    }

    /** GET on the management server (health, metrics, Jolokia). */
    public HttpResponse<String> get(String path) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                .timeout(Duration.ofSeconds(10)).GET().build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** Reads MBean attributes through Jolokia; an ObjectName pattern sums numeric attributes over its matches. */
    public Map<String, Long> jolokiaNumbers(String mbean, String... attributes) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "read");
        body.put("mbean", mbean);
        body.put("attribute", List.of(attributes));
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/observe/jolokia"))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build();
        JsonNode answer;
        try {
            answer = JSON.readTree(HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        if (answer.path("status").asInt() != 200) {
            throw new IOException("Jolokia read of " + mbean + " failed: " + answer);
        }
        JsonNode value = answer.path("value");
        List<JsonNode> perMBean = new ArrayList<>();
        if (mbean.contains("*")) {
            value.forEach(perMBean::add);
        } else {
            perMBean.add(value);
        }
        Map<String, Long> out = new LinkedHashMap<>();
        for (String attribute : attributes) {
            out.put(attribute, perMBean.stream().mapToLong(v -> v.path(attribute).asLong()).sum());
        }
        return out;
    }

    /** One numeric attribute of a route MBean, e.g. {@code ExchangesInflight} or {@code ExchangesCompleted}. */
    public long routeNumber(String routeId, String attribute) throws IOException {
        return jolokiaNumbers(routeMBean(routeId), attribute).get(attribute);
    }

    public static String routeMBean(String routeId) {
        return "org.apache.camel:context=*,type=routes,name=\"" + routeId + "\"";
    }

    /** The sum of a Prometheus metric's samples whose line contains every given label fragment, 0 when there are none. */
    public double metric(String name, String... labelFragments) throws IOException {
        double sum = 0;
        for (String line : get("/observe/metrics").body().lines().toList()) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                boolean all = true;
                for (String fragment : labelFragments) {
                    all &= line.contains(fragment);
                }
                if (all) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
        }
        return sum;
    }

    /** SIGKILL (on Linux {@link Process#destroyForcibly()} sends it): no shutdown hook, no graceful stop. */
    public void kill9() {
        process.destroyForcibly();
        waitForExit(Duration.ofSeconds(30));
    }

    /** SIGTERM, without waiting. */
    public void terminate() {
        process.destroy();
    }

    /** SIGTERM, then waits for camel-main's graceful shutdown; returns the exit code. */
    public int stop() {
        process.destroy();
        return waitForExit(Duration.ofSeconds(60));
    }

    private int waitForExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        LIVE.remove(process);
        return process.isAlive() ? -1 : process.exitValue();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    public String name() {
        return name;
    }

    public int managementPort() {
        return managementPort;
    }

    public int serverPort() {
        return serverPort;
    }

    public Path logPath() {
        return log;
    }

    /** The whole log so far. */
    public String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Log lines containing {@code text}. */
    public List<String> logLines(String text) {
        return log().lines().filter(l -> l.contains(text)).toList();
    }

    private void requireAlive() {
        if (!process.isAlive()) {
            List<String> lines = log().lines().toList();
            throw new IllegalStateException(name + " exited with " + process.exitValue() + "; log " + log + " ends with:\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
        }
    }

    private static String required(Map<String, String> properties, String key) {
        String v = properties.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing property " + key);
        }
        return v;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill9();
        }
        LIVE.remove(process);
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ", log " + log + ")";
    }
}
