package dev.landfall;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import dev.landfall.common.PipelineConfigurations;
import dev.landfall.common.RouteFiles;
import dev.landfall.common.SharedConfiguration;
import dev.landfall.common.access.AccessConfiguration;
import dev.landfall.common.access.KeysCommand;
import dev.landfall.common.HttpEndpointsSummary;
import org.apache.camel.main.Main;

/** Starts Landfall on camel-main; settings come from application.properties, the profile and the environment. */
public final class Application {

    /** A deployment's own properties file (facilities, bucket names), applied over everything in the jar. */
    static final String CONFIG_FILE_ENV = "LANDFALL_CONFIG";

    private Application() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && ("--help".equals(args[0]) || "-h".equals(args[0]))) {
            System.out.println(Usage.TEXT);
            return;
        }
        String config = System.getenv().getOrDefault(CONFIG_FILE_ENV, System.getProperty("landfall.config"));
        Properties overrides = config != null && !config.isBlank() ? load(Path.of(config)) : null;
        if (args.length == 2 && "meters".equals(args[0]) && "keyset".equals(args[1])) {
            // a new keyset for LANDFALL_METERS_KEYSET, on stdout only (put it in a secret store, never in a file in git)
            System.out.println(dev.landfall.meters.DeviceCredentials.newKeyset());
            return;
        }
        if (args.length > 0 && "keys".equals(args[0])) {
            System.exit(KeysCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length), overrides, System.out, System.err));
        }
        Main main = create();
        if (overrides != null) {
            main.setOverrideProperties(overrides);
        }
        main.run(args);
    }

    /** The Main that both {@code main} and the tests start. */
    public static Main create() {
        Main main = new Main(Application.class);
        // scanning the package means reading the whole fat jar (seconds at start-up): each pipeline names its configuration
        main.configure().setBasePackageScanEnabled(false);
        main.configure().addConfiguration(SharedConfiguration.class);
        main.configure().addConfiguration(AccessConfiguration.class);
        main.addMainListener(new PipelineConfigurations());
        // the route files in the fat jar (routes/**, sub-directories included) found from its index
        main.addMainListener(new RouteFiles.InstallResolver());
        main.addMainListener(new HttpEndpointsSummary());
        return main;
    }

    private static Properties load(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return p;
    }
}
