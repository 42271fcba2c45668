package dev.landfall;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import dev.landfall.testing.AppProcess;
import dev.landfall.testing.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Security review finding 11: the packaged app in the prod profile without a region or credentials says so once and stays up. */
class StartWithoutSettingsIT {

    static final Pattern STACK_LINE = Pattern.compile("^(\\s+at |\\s+\\.\\.\\. \\d+ more|Caused by: |\\s+Suppressed: ).*");

    @TempDir
    static Path dir;

    @Test
    void withoutARegion() throws Exception {
        Map<String, String> props = prodLike("no-region");
        // credentials from system properties: resolved without any network call
        props.put("aws.accessKeyId", "AKIDLANDFALLTEST");
        props.put("aws.secretAccessKey", "not-a-real-secret");
        runWithout("no-region", props, "No AWS region", "LANDFALL_AWS_REGION");
    }

    @Test
    void withoutCredentials() throws Exception {
        Map<String, String> props = prodLike("no-credentials");
        props.put("landfall.aws.region", "eu-west-1");
        runWithout("no-credentials", props, "No AWS credentials", "AWS_ACCESS_KEY_ID");
    }

    static Map<String, String> prodLike(String name) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("landfall.data-dir", dir.resolve(name).toAbsolutePath().toString());
        p.put("camel.server.host", "127.0.0.1");
        p.put("camel.server.port", Integer.toString(FreePorts.next()));
        p.put("camel.management.port", Integer.toString(FreePorts.next()));
        return p;
    }

    /** Starts the jar as production starts it, with nothing of this machine's AWS settings, and watches it for 15 s once DOWN. */
    static void runWithout(String name, Map<String, String> props, String problem, String setting) throws Exception {
        try (AppProcess app = AppProcess.start(name, props, AppProcess.DEFAULT_JVM_FLAGS, env -> {
            env.keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("LANDFALL_") || k.startsWith("CAMEL_"));
            env.put("CAMEL_MAIN_PROFILE", "prod");
            // the one setting missing here is AWS's; the API key pepper has its own (ApiKeysTest, AccessRouteTest)
            env.put("LANDFALL_API_KEY_PEPPER", "pepper-of-the-start-without-settings-test-0123456789");
            // and the meters' keyset its own (a deployment's secret like the pepper)
            env.put("LANDFALL_METERS_KEYSET", dev.landfall.meters.DeviceCredentials.newKeyset());
            env.put("AWS_CONFIG_FILE", dir.resolve("no-such-config").toString());
            env.put("AWS_SHARED_CREDENTIALS_FILE", dir.resolve("no-such-credentials").toString());
            env.put("AWS_EC2_METADATA_DISABLED", "true");
        })) {
            await("health of " + app).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .until(() -> "DOWN".equals(app.healthStatus()));
            // the app stays up, its management server answering DOWN, all along
            await("still answering, " + app).during(Duration.ofSeconds(15)).atMost(Duration.ofSeconds(25))
                    .pollInterval(Duration.ofSeconds(1)).until(() -> "DOWN".equals(app.healthStatus()));

            assertThat(app.get("/observe/health").body()).as("health of " + app).contains(problem).contains(setting);
            List<String> lines = app.log().lines().toList();
            List<String> errors = lines.stream().filter(l -> l.contains(" ERROR ")).toList();
            List<String> warnings = lines.stream().filter(l -> l.contains(" WARN ")).toList();
            long stackLines = lines.stream().filter(l -> STACK_LINE.matcher(l).matches()).count();
            String summary = app + ": " + errors.size() + " ERROR, " + warnings.size() + " WARN, " + stackLines
                    + " stack-trace lines of " + lines.size() + "; first ERROR lines: "
                    + errors.stream().limit(3).map(l -> l.length() > 300 ? l.substring(0, 300) + "..." : l).toList();
            assertThat(stackLines).as(summary).isZero();
            assertThat(errors).as(summary).hasSize(1);
            assertThat(errors.get(0)).as(summary).contains(problem).contains(setting);
            assertThat(warnings).as(summary).hasSizeLessThanOrEqualTo(3);
            assertThat(app.isAlive()).isTrue();
        }
    }
}
