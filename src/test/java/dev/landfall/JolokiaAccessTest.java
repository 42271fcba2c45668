package dev.landfall;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landfall.local.LocalServers;
import dev.landfall.testing.FreePorts;
import dev.landfall.testing.LandfallApp;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** Security review finding 1: Jolokia on the management port refuses exec, write and secret reads, and still serves statistics. */
class JolokiaAccessTest {

    static final String CONTEXT = "org.apache.camel:context=landfall,type=context,name=\"landfall\"";
    static final String ROUTE = "org.apache.camel:context=landfall,type=routes,name=\"dead-letter-replay\"";
    static final String SECRET_PROPERTY = "landfall.aws.secret-key";
    static final String FTP_PASSWORD = "Ftp-Secret-4711";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    static Path dir;
    static LocalServers servers;
    static LandfallApp app;
    static int managementPort;
    static String secret;

    @BeforeAll
    static void start() throws Exception {
        servers = LocalServers.start(LocalServers.Options.forTests(dir.resolve("servers")));
        Map<String, String> props = LandfallApp.testProperties(servers, dir.resolve("app"));
        managementPort = FreePorts.next();
        props.put("camel.management.port", Integer.toString(managementPort));
        secret = props.get(SECRET_PROPERTY);
        // a facility whose FTP password must never show in a readable attribute
        String t = "camel.routeTemplate[facility-logs-poll-jmx].";
        props.put(t + "templateId", "facility-logs-ftp");
        props.put(t + "name", "jmx");
        props.put(t + "host", "127.0.0.1");
        props.put(t + "port", "1");
        props.put(t + "user", "u");
        props.put(t + "password", FTP_PASSWORD);
        props.put(t + "fileName", "f.csv");
        // as in the finding, the secret is a system property (the same value, so nothing else in this JVM changes)
        System.setProperty(SECRET_PROPERTY, secret);
        app = LandfallApp.start(props);
    }

    @AfterAll
    static void stop() throws Exception {
        System.clearProperty(SECRET_PROPERTY);
        if (app != null) {
            app.close();
        }
        servers.close();
    }

    @Test
    void noReadableCamelAttributeHoldsAPassword() throws Exception {
        for (String pattern : List.of("org.apache.camel:type=routes,*", "org.apache.camel:type=context,*")) {
            JsonNode answer = jolokia(Map.of("type", "read", "mbean", pattern));
            assertThat(answer.path("status").asInt()).as(pattern + " " + answer).isEqualTo(200);
            assertThat(answer.toString()).as(pattern).doesNotContain(FTP_PASSWORD).doesNotContain(secret);
        }
        assertThat(jolokia(Map.of("type", "read", "mbean", "org.apache.camel:type=routes,*")).toString())
                .as("the facility's route was read").contains("facility-logs-poll-jmx");
    }

    @Test
    void execOfSendStringBodyCannotWriteAFile() throws Exception {
        Path target = dir.resolve("written");
        JsonNode answer = jolokia(exec(CONTEXT, "sendStringBody(java.lang.String,java.lang.String)",
                "file:" + target + "?fileName=pwned.txt", "pwned"));
        assertRefused(answer);
        assertThat(target.resolve("pwned.txt")).doesNotExist();
    }

    @Test
    void execOfRequestStringBodyCannotReadAFile() throws Exception {
        Path file = Files.writeString(dir.resolve("private.txt"), "private-content-42");
        JsonNode answer = jolokia(exec(CONTEXT, "requestStringBody(java.lang.String,java.lang.String)",
                "language:constant:resource:file:" + file, ""));
        assertRefused(answer);
        assertThat(answer.toString()).doesNotContain("private-content-42");
    }

    @Test
    void simpleLanguageCannotReadTheEnvironmentOrSystemProperties() throws Exception {
        JsonNode env = jolokia(exec(CONTEXT, "requestStringBody(java.lang.String,java.lang.String)",
                "language:simple:${sysenv.PATH}", ""));
        assertRefused(env);
        assertThat(env.toString()).doesNotContain(System.getenv("PATH"));
        JsonNode sys = jolokia(exec(CONTEXT, "requestStringBody(java.lang.String,java.lang.String)",
                "language:simple:${sys." + SECRET_PROPERTY + "}", ""));
        assertRefused(sys);
        assertThat(sys.toString()).doesNotContain(secret);
    }

    @Test
    void runtimeSystemPropertiesAndInputArgumentsAreNotReadable() throws Exception {
        for (String attribute : List.of("SystemProperties", "InputArguments")) {
            JsonNode answer = jolokia(read("java.lang:type=Runtime", attribute));
            assertRefused(answer);
            assertThat(answer.toString()).doesNotContain(secret);
        }
    }

    @Test
    void mbeansOutsideTheStatisticsAreNotReadable() throws Exception {
        assertRefused(jolokia(read("java.lang:type=OperatingSystem", "Name")));
        assertRefused(jolokia(read("org.apache.camel:context=landfall,type=components,name=\"aws2-s3\"", "State")));
    }

    @Test
    void diagnosticCommandsCannotBeRun() throws Exception {
        assertRefused(jolokia(exec("com.sun.management:type=DiagnosticCommand", "vmSystemProperties()")));
        assertRefused(jolokia(read("com.sun.management:type=HotSpotDiagnostic", "DiagnosticOptions")));
    }

    @Test
    void routesCannotBeStoppedAndAttributesCannotBeWritten() throws Exception {
        assertRefused(jolokia(exec(ROUTE, "stop()")));
        assertThat(app.context().getRouteController().getRouteStatus("dead-letter-replay")).isEqualTo(ServiceStatus.Started);

        Map<String, Object> write = new LinkedHashMap<>();
        write.put("type", "write");
        write.put("mbean", "java.lang:type=Memory");
        write.put("attribute", "Verbose");
        write.put("value", true);
        assertRefused(jolokia(write));
        assertRefused(jolokia(Map.of("type", "write", "mbean", ROUTE, "attribute", "Tracing", "value", true)));
    }

    @Test
    void statisticsAndVersionAreStillReadable() throws Exception {
        JsonNode completed = jolokia(read(ROUTE, "ExchangesCompleted"));
        assertThat(completed.path("status").asInt()).as(completed.toString()).isEqualTo(200);
        assertThat(completed.path("value").isNumber()).as(completed.toString()).isTrue();

        JsonNode routes = jolokia(read("org.apache.camel:context=*,type=routes,name=*", "ExchangesCompleted"));
        assertThat(routes.path("status").asInt()).as(routes.toString()).isEqualTo(200);

        JsonNode heap = jolokia(read("java.lang:type=Memory", "HeapMemoryUsage"));
        assertThat(heap.path("status").asInt()).as(heap.toString()).isEqualTo(200);
        assertThat(heap.path("value").path("used").asLong()).isPositive();

        JsonNode threads = jolokia(read("java.lang:type=Threading", "ThreadCount"));
        assertThat(threads.path("status").asInt()).as(threads.toString()).isEqualTo(200);

        JsonNode version = jolokia(Map.of("type", "version"));
        assertThat(version.path("status").asInt()).as(version.toString()).isEqualTo(200);
        assertThat(version.path("value").path("agent").asText()).isNotBlank();
    }

    /** Conventions: the production profiles never bind management to every interface unconditionally. */
    @Test
    void productionProfilesDoNotBindManagementToEveryInterface() throws IOException {
        for (String file : List.of("application-prod.properties", "application-kubernetes.properties")) {
            Properties p = new Properties();
            try (InputStream in = getClass().getClassLoader().getResourceAsStream(file)) {
                p.load(in);
            }
            String host = p.getProperty("camel.management.host", "").trim();
            assertThat(host).as(file + ": camel.management.host must be set").isNotEmpty();
            // {{env:NAME:default}}: the address given by the environment, else the default
            String fallback = host.startsWith("{{") ? host.replaceAll("^\\{\\{(?:env:)?[^:}]+:?([^}]*)}}$", "$1") : host;
            assertThat(fallback).as(file + ": camel.management.host = " + host)
                    .isNotIn("0.0.0.0", "::", "[::]", "*", "").doesNotContain("{{");
        }
    }

    static Map<String, Object> exec(String mbean, String operation, Object... arguments) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "exec");
        body.put("mbean", mbean);
        body.put("operation", operation);
        body.put("arguments", List.of(arguments));
        return body;
    }

    static Map<String, Object> read(String mbean, String attribute) {
        return Map.of("type", "read", "mbean", mbean, "attribute", attribute);
    }

    /** Jolokia answers a refused request with HTTP 200 and {@code "status": 403} in the body. */
    static void assertRefused(JsonNode answer) {
        assertThat(answer.path("status").asInt()).as(answer.toString()).isEqualTo(403);
    }

    static JsonNode jolokia(Map<String, Object> body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/observe/jolokia"))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }
}
