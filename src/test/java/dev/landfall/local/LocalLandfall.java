package dev.landfall.local;

import java.nio.file.Path;

import dev.landfall.Application;
import org.apache.camel.main.Main;

/**
 * The local run (README command 1): real S3Proxy, DynamoDB Local and FtpServer on loopback with state under the
 * data dir, the demo feeder, and Landfall itself with route reload from {@code src/main/resources/routes}.
 * <p>
 * System properties: {@code landfall.data-dir} (default {@code .landfall}), {@code landfall.demo} (default true),
 * {@code landfall.s3.port}, {@code landfall.dynamodb.port}, {@code landfall.ftp.port}, {@code landfall.sqs.port}.
 */
public final class LocalLandfall {

    private LocalLandfall() {
    }

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(System.getProperty("landfall.data-dir", ".landfall")).toAbsolutePath();
        LocalServers.Options defaults = LocalServers.Options.forLocalRun(dataDir);
        LocalServers.Options options = new LocalServers.Options(dataDir, true,
                Integer.getInteger("landfall.s3.port", defaults.s3Port()),
                Integer.getInteger("landfall.dynamodb.port", defaults.dynamoDbPort()),
                Integer.getInteger("landfall.ftp.port", defaults.ftpPort()),
                defaults.ftpPassivePorts(),
                Integer.getInteger("landfall.sqs.port", defaults.sqsPort()));
        LocalServers servers = LocalServers.start(options);
        DemoFeeder feeder = null;
        if (Boolean.parseBoolean(System.getProperty("landfall.demo", "true"))) {
            feeder = new DemoFeeder(servers.ftpHome().resolve("demo/facility-log.csv"), 24);
            feeder.start(3000);
        }
        System.out.printf("%nLocal servers: S3 %s  DynamoDB %s  SQS %s  FTP ftp://127.0.0.1:%d (user %s)%n%n",
                servers.s3Endpoint(), servers.dynamoDbEndpoint(), servers.sqsEndpoint(), servers.ftpPort(), LocalServers.FTP_USER);

        DemoSiteLogs siteLogs = null;
        if (Boolean.parseBoolean(System.getProperty("landfall.demo", "true"))) {
            // the app creates the log bucket at start; the first object drops a few seconds later
            siteLogs = new DemoSiteLogs(dev.landfall.testing.Aws.s3(servers), "landfall-site-logs", "logs/");
            siteLogs.start(15_000);
        }

        Main main = Application.create();
        servers.appProperties().forEach(main::addOverrideProperty);
        main.addOverrideProperty("landfall.data-dir", dataDir.toString());
        main.addOverrideProperty("camel.main.profile", "local");
        main.addOverrideProperty("camel.main.routes-reload-enabled", "true");
        main.addOverrideProperty("camel.main.routes-reload-directory", "src/main/resources/routes");
        main.addOverrideProperty("camel.main.routes-reload-pattern", "*.camel.yaml");
        main.addOverrideProperty("camel.main.routes-reload-remove-all-routes", "false");
        if (feeder != null) {
            // the demo facility: the file the demo feeder keeps growing
            String demo = "camel.routeTemplate[facility-logs-poll-demo].";
            main.addOverrideProperty(demo + "templateId", "facility-logs-ftp");
            main.addOverrideProperty(demo + "name", "demo");
            main.addOverrideProperty(demo + "host", "127.0.0.1");
            main.addOverrideProperty(demo + "port", Integer.toString(servers.ftpPort()));
            main.addOverrideProperty(demo + "user", LocalServers.FTP_USER);
            main.addOverrideProperty(demo + "password", LocalServers.FTP_PASSWORD);
            main.addOverrideProperty(demo + "path", "/demo");
            main.addOverrideProperty(demo + "fileName", "facility-log.csv");
            main.addOverrideProperty(demo + "pollInterval", "5000");
        }
        DemoFeeder f = feeder;
        DemoSiteLogs l = siteLogs;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (f != null) {
                f.close();
            }
            if (l != null) {
                l.close();
            }
            servers.close();
        }, "local-servers-stop"));
        main.run(args);
        // DynamoDB Local leaves a non-daemon thread behind
        System.exit(0);
    }
}
