package dev.landfall;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code --help} lists every key of application.properties with the comment above it, and every profile file. */
class UsageTest {

    static final Path RESOURCES = Path.of("src", "main", "resources");

    @Test
    void everyKeyOfApplicationPropertiesIsInTheHelpWithItsDefault() throws IOException {
        Properties defaults = new Properties();
        try (Reader r = Files.newBufferedReader(RESOURCES.resolve("application.properties"), StandardCharsets.UTF_8)) {
            defaults.load(r);
        }
        assertThat(defaults).isNotEmpty();
        for (String key : defaults.stringPropertyNames()) {
            assertThat(Usage.TEXT).as(key).contains("\n  " + key + " = " + defaults.getProperty(key).strip() + "   (");
        }
    }

    @Test
    void theCommentAboveAKeyIsItsDescription() throws IOException {
        List<String> lines = Files.readAllLines(RESOURCES.resolve("application.properties"), StandardCharsets.UTF_8);
        int described = 0;
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            String above = lines.get(i - 1).strip();
            if (!line.isBlank() && !line.startsWith("#") && !lines.get(i - 1).endsWith("\\")
                    && above.startsWith("# ") && !above.startsWith("# ---")) {
                String key = line.substring(0, line.indexOf('=')).strip();
                List<String> help = Usage.TEXT.lines().toList();
                int at = help.indexOf(help.stream().filter(l -> l.startsWith("  " + key + " = ")).findFirst().orElseThrow());
                List<String> description = help.subList(at + 1, help.size()).stream()
                        .takeWhile(l -> l.startsWith("      ")).toList();
                assertThat(description).as(key).contains("      " + above.substring(2));
                described++;
            }
        }
        assertThat(described).isGreaterThan(10);
    }

    @Test
    void everySettingsBlockIsATitle() {
        assertThat(Usage.TEXT).contains("\ncamel.main\n", "\npipeline: facility logs\n", "\npipeline: page views\n",
                "\nlandfall: AWS\n");
        // the facilities are described by the comment that stands alone at the end of their block
        assertThat(Usage.TEXT).contains("  Facilities: one route from the facility-logs-ftp template per entry",
                "    camel.routeTemplate[facility-logs-poll-plant1].templateId = facility-logs-ftp");
        assertThat(Usage.TEXT).contains("  camel.server.port = 8080   (-Dcamel.server.port=... only)",
                "  landfall.aws.region = us-east-1   (LANDFALL_AWS_REGION)");
    }

    @Test
    void everyPipelineIsDescribedByTheOpeningOfItsBlock() {
        // a new pipeline's block of application.properties describes it in --help: nothing else to edit
        assertThat(Usage.TEXT).contains("  facility logs  a CSV log that keeps growing on a facility's FTP server")
                .contains("  page views     S3 server access logs of a static site");
    }

    @Test
    void everyProfileFileIsDescribedByItsOpeningComment() throws IOException {
        try (Stream<Path> files = Files.list(RESOURCES)) {
            List<String> profiles = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("application-") && n.endsWith(".properties"))
                    .map(n -> n.substring("application-".length(), n.length() - ".properties".length())).toList();
            assertThat(Usage.PROFILES).containsExactlyInAnyOrderElementsOf(profiles);
            for (String profile : profiles) {
                String first = Files.readAllLines(RESOURCES.resolve("application-" + profile + ".properties")).get(0);
                assertThat(Usage.TEXT).contains(String.format("  %-12s %s", profile, first.substring(1).strip()));
            }
            // the environment variables a profile reads are named
            assertThat(Usage.TEXT).contains("reads LANDFALL_MANAGEMENT_HOST (default 127.0.0.1) for camel.management.host",
                    "reads POD_IP (default 127.0.0.1) for camel.management.host");
        }
    }

    /** main returns after printing: no Main is created, so no Camel starts. */
    @Test
    void helpAnswersWithoutStartingCamel() throws Exception {
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            Application.main(new String[] {"--help"});
        } finally {
            System.setOut(out);
        }
        assertThat(printed.toString(StandardCharsets.UTF_8)).isEqualTo(Usage.TEXT + System.lineSeparator());
    }
}
