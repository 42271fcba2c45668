package dev.landfall.local;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import dev.landfall.Application;
import org.apache.camel.main.Main;

/**
 * The local run (README command 1): real S3Proxy, DynamoDB Local, ElasticMQ and FtpServer on loopback with state under
 * the data dir, the demo feeders, and Landfall itself with the user's route files from {@code ./routes}, reloaded live.
 * <p>
 * System properties (an empty value means the default): {@code landfall.data-dir} ({@code .landfall}),
 * {@code landfall.demo} (true), {@code landfall.s3.port}, {@code landfall.dynamodb.port}, {@code landfall.sqs.port},
 * {@code landfall.ftp.port}, {@code landfall.ftp.passive-ports} (a range, {@code 2122-2131}), {@code landfall.http.port},
 * {@code landfall.management.port}, {@code landfall.routes.dir}. {@code LANDFALL_CONFIG} (or {@code landfall.config})
 * names a properties file applied as in production, under the local servers' endpoints. The process exits when the one
 * that started it (Maven) goes, so that no server stays on its port.
 */
public final class LocalLandfall {

    private LocalLandfall() {
    }

    public static void main(String[] args) throws Exception {
        exitWithParent();
        // Maven passes a switch not given as an empty -D, which Camel would read as a setting
        System.getProperties().stringPropertyNames().stream().filter(n -> n.startsWith("landfall."))
                .filter(n -> System.getProperty(n).isBlank()).forEach(System::clearProperty);
        Path dataDir = Path.of(option("landfall.data-dir", ".landfall")).toAbsolutePath();
        boolean demo = Boolean.parseBoolean(option("landfall.demo", "true"));
        LocalServers.Options defaults = LocalServers.Options.forLocalRun(dataDir);
        LocalServers.Options options = new LocalServers.Options(dataDir, true,
                port("landfall.s3.port", defaults.s3Port()),
                port("landfall.dynamodb.port", defaults.dynamoDbPort()),
                port("landfall.ftp.port", defaults.ftpPort()),
                option("landfall.ftp.passive-ports", defaults.ftpPassivePorts()),
                port("landfall.sqs.port", defaults.sqsPort()));
        LocalServers servers = LocalServers.start(options);
        DemoFeeder feeder = null;
        if (demo) {
            feeder = new DemoFeeder(servers.ftpHome().resolve("demo/facility-log.csv"), 24);
            feeder.start(3000);
        }
        System.out.printf("%nLocal servers: S3 %s  DynamoDB %s  SQS %s  FTP ftp://127.0.0.1:%d (user %s)%n%n",
                servers.s3Endpoint(), servers.dynamoDbEndpoint(), servers.sqsEndpoint(), servers.ftpPort(), LocalServers.FTP_USER);

        DemoSiteLogs siteLogs = null;
        if (demo) {
            // the app creates the log bucket at start; the first object drops a few seconds later
            siteLogs = new DemoSiteLogs(dev.landfall.testing.Aws.s3(servers), "landfall-site-logs", "logs/");
            siteLogs.start(15_000);
        }

        Main main = Application.create();
        // the deployment's own file first, as Application.main applies it; the local servers' endpoints over it
        String config = System.getenv().getOrDefault("LANDFALL_CONFIG", System.getProperty("landfall.config"));
        if (config != null && !config.isBlank()) {
            load(Path.of(config)).forEach((k, v) -> main.addOverrideProperty((String) k, (String) v));
            System.out.printf("Settings from %s%n", Path.of(config).toAbsolutePath());
        }
        servers.appProperties().forEach(main::addOverrideProperty);
        main.addOverrideProperty("landfall.data-dir", dataDir.toString());
        main.addOverrideProperty("camel.main.profile", "local");
        overrideIfGiven(main, "landfall.http.port", "camel.server.port");
        overrideIfGiven(main, "landfall.management.port", "camel.management.port");
        overrideIfGiven(main, "landfall.routes.dir", "landfall.routes.dir");
        if (demo) {
            // the demo facility: the file the demo feeder keeps growing
            String p = "camel.routeTemplate[facility-logs-poll-demo].";
            main.addOverrideProperty(p + "templateId", "facility-logs-ftp");
            main.addOverrideProperty(p + "name", "demo");
            main.addOverrideProperty(p + "host", "127.0.0.1");
            main.addOverrideProperty(p + "port", Integer.toString(servers.ftpPort()));
            main.addOverrideProperty(p + "user", LocalServers.FTP_USER);
            main.addOverrideProperty(p + "password", LocalServers.FTP_PASSWORD);
            main.addOverrideProperty(p + "path", "/demo");
            main.addOverrideProperty(p + "fileName", "facility-log.csv");
            main.addOverrideProperty(p + "pollInterval", "5000");
        }
        // two demo keys for this run (made anew each start, shown once, stored only as digests)
        main.addMainListener(new org.apache.camel.main.MainListenerSupport() {
            @Override
            public void afterStart(org.apache.camel.main.BaseMainSupport started) {
                printDemoKeys(started.getCamelContext());
            }
        });
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

    /** A demo plan (the page-views API, 20 requests/s, burst 40, 10,000 a day) and an admin and a reader key. */
    static void printDemoKeys(org.apache.camel.CamelContext camel) {
        var store = camel.getRegistry().lookupByNameAndType("accessStore", dev.landfall.common.access.AccessStore.class);
        var admin = camel.getRegistry().lookupByNameAndType("accessAdmin", dev.landfall.common.access.AccessAdmin.class);
        store.putPlan(new dev.landfall.common.access.UsagePlan("demo", 20, 40, 10_000,
                dev.landfall.common.access.UsagePlan.Period.DAY, java.util.Set.of("page-views", "directory", "landing")));
        String adminKey = admin.create("demo-admin", dev.landfall.common.access.AccessStore.Role.ADMIN, null, null).key();
        String readerKey = admin.create("demo-reader", dev.landfall.common.access.AccessStore.Role.READER, "demo", null).key();
        System.out.printf("%nDemo API keys of this run (x-api-key header; made at each start, shown only here):%n"
                + "  admin   %s%n  reader  %s   (plan demo: page-views, directory and landing, 20/s, burst 40, 10,000 a day)%n"
                + "  curl -H 'x-api-key: %s' 'http://127.0.0.1:%s/api/page-views/top?limit=5'%n"
                + "  curl -H 'x-api-key: %s' 'http://127.0.0.1:%s/api/directory/engineering'%n"
                + "  curl -H 'x-api-key: %s' 'http://127.0.0.1:%s/api/landing/scraper/store-1/00000/history'%n"
                + "  dashboard: http://127.0.0.1:%s/page-views/#key=%s%n%n",
                adminKey, readerKey, readerKey, port(camel), readerKey, port(camel), readerKey, port(camel), port(camel), readerKey);
        dropDemoDirectory(camel);
        // the landing pipeline's demo source: a scrape every 30 s
        DemoScraper scraper = DemoScraper.start(camel, 30);
        Runtime.getRuntime().addShutdownHook(new Thread(scraper::close, "demo-scraper-stop"));
        startDemoMeters(camel, adminKey);
    }

    /** The meters' demo: 50 simulated EAGLE gateways (a few with a wrong password, one down, one hanging), registered. */
    static void startDemoMeters(org.apache.camel.CamelContext camel, String adminKey) {
        if (!Boolean.parseBoolean(camel.resolvePropertyPlaceholders("{{landfall.meters.enabled}}"))) {
            return;
        }
        try {
            java.util.List<EagleSimulator.Device> fleet = EagleSimulator.fleet(50, "demo", 0.04, 0.02, 0.02, 20, 200, 11);
            EagleSimulator sim = EagleSimulator.start(fleet);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    sim.close();
                } catch (Exception e) {
                    // stopping anyway
                }
            }, "eagle-simulator-stop"));
            var api = camel.getRegistry().lookupByNameAndType("metersApi", dev.landfall.meters.MetersApi.class);
            for (EagleSimulator.Device d : fleet) {
                api.put(d.cloudId(), sim.registration(d));
            }
            String first = fleet.get(0).cloudId();
            System.out.printf("Meters: %d simulated EAGLE gateways on port %d (%s), polled every %s ms:%n"
                    + "  curl -H 'x-api-key: %s' 'http://127.0.0.1:%s/api/meters/devices?limit=10'%n"
                    + "  curl -H 'x-api-key: %s' 'http://127.0.0.1:%s/api/meters/devices/%s'%n"
                    + "  curl -H 'x-api-key: %s' 'http://127.0.0.1:%s/api/meters/devices/%s/now'%n"
                    + "  ls %s   (the spool: one JSON-lines file per device and hour; closed hours go to s3://%s/%s)%n%n",
                    fleet.size(), sim.port(), sim.behaviours(), camel.resolvePropertyPlaceholders("{{landfall.meters.period-ms}}"),
                    adminKey, port(camel), adminKey, port(camel), first, adminKey, port(camel), first,
                    camel.resolvePropertyPlaceholders("{{landfall.meters.spool-dir}}"),
                    camel.resolvePropertyPlaceholders("{{landfall.meters.bucket}}"),
                    camel.resolvePropertyPlaceholders("{{landfall.meters.key-prefix}}"));
        } catch (Exception e) {
            System.out.println("meters demo: " + e.getMessage());
        }
    }

    /** The directory's demo drop: a few departments and their staff, so the directory API has something to serve. */
    static void dropDemoDirectory(org.apache.camel.CamelContext camel) {
        StringBuilder csv = new StringBuilder("department,employee,name,title,grade,remote\n");
        String[] departments = {"engineering", "finance", "operations", "sales"};
        String[] titles = {"Engineer", "Analyst", "Manager", "Lead"};
        for (int d = 0; d < departments.length; d++) {
            for (int e = 1; e <= 5; e++) {
                csv.append(departments[d]).append(',').append(String.format("%06d", d * 100 + e)).append(",\"Person ").append(d * 100 + e)
                        .append(", Demo\",").append(titles[e % titles.length]).append(',').append(e + 3).append(',').append(e % 2 == 0).append('\n');
            }
        }
        var s3 = camel.getRegistry().findSingleByType(software.amazon.awssdk.services.s3.S3Client.class);
        s3.putObject(b -> b.bucket(camel.resolvePropertyPlaceholders("{{landfall.directory.source.demo.bucket}}"))
                .key(camel.resolvePropertyPlaceholders("{{landfall.directory.source.demo.prefix}}") + "demo-staff.csv"),
                software.amazon.awssdk.core.sync.RequestBody.fromString(csv.toString()));
    }

    private static String port(org.apache.camel.CamelContext camel) {
        return camel.resolvePropertyPlaceholders("{{camel.server.port}}");
    }

    /** Maven's exec:exec does not stop its child when Maven is killed: go with it, through the shutdown hooks. */
    private static void exitWithParent() {
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> {
            System.out.println("The process that started the local run is gone: stopping");
            System.exit(0);
        }));
    }

    /** A system property; unset or empty (as Maven passes a switch not given) means the default. */
    private static String option(String name, String defaultValue) {
        String value = System.getProperty(name);
        return value == null || value.isBlank() ? defaultValue : value.trim();
    }

    private static int port(String name, int defaultValue) {
        return Integer.parseInt(option(name, Integer.toString(defaultValue)));
    }

    private static void overrideIfGiven(Main main, String option, String property) {
        String value = option(option, null);
        if (value != null) {
            main.addOverrideProperty(property, value);
        }
    }

    private static Properties load(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return p;
    }
}
