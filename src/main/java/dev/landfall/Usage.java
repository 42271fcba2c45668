package dev.landfall;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code --help} text. Its settings are read from the application.properties in the jar (each key with the comment
 * lines above it, grouped by the file's {@code # --- block ---} headers) and its profiles from the profile files' opening
 * comments, so the help says what the jar really uses.
 */
final class Usage {

    /** The profile files there are besides the default (local) settings: {@code application-<profile>.properties}. */
    static final List<String> PROFILES = List.of("prod", "kubernetes");

    static final String TEXT = text();

    /** One key of application.properties: its block, the comment lines above it, and its default. */
    record Setting(String block, String key, String defaultValue, List<String> description) {

        /** The environment variable camel-main maps onto the key (dots and dashes become underscores, upper case). */
        String environmentVariable() {
            return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
        }

        /** camel-main ignores environment variables named like Kubernetes service links (*_PORT, *_PORT_*). */
        boolean onlySystemProperty() {
            String env = environmentVariable();
            return env.endsWith("_PORT") || env.contains("_PORT_");
        }
    }

    /** A block of application.properties: its title, its settings, and the comments that belong to no one key. */
    record Block(String title, List<Setting> settings, List<String> notes) {
    }

    private Usage() {
    }

    private static String text() {
        StringBuilder out = new StringBuilder();
        out.append("Landfall lands data in S3 and DynamoDB, on Apache Camel (camel-main):\n");
        // each pipeline's block of application.properties opens with what it does
        for (Block block : blocks(lines("application.properties"))) {
            if (block.title().toLowerCase(Locale.ROOT).startsWith("pipeline:") && !block.notes().isEmpty()) {
                String name = block.title().substring("pipeline:".length()).trim();
                List<String> about = paragraph(block.notes());
                for (int i = 0; i < about.size(); i++) {
                    out.append(i == 0 ? String.format("  %-14s ", name) : " ".repeat(17)).append(about.get(i)).append('\n');
                }
            }
        }
        out.append("""
                Bad rows, conflicts and unreadable files go to dead letters in S3, which can be replayed.

                Usage: java -jar landfall.jar [--help]
                       java -jar landfall.jar keys create --role admin --name ops    (the first admin key; see keys --help)
                       java -jar landfall.jar meters keyset    (a new keyset for LANDFALL_METERS_KEYSET, on stdout)
                Production: CAMEL_MAIN_PROFILE=prod java -XX:+ExitOnOutOfMemoryError -jar landfall.jar
                Every HTTP endpoint needs an API key (header x-api-key): /admin/... an admin key, the APIs a key whose
                usage plan names them (POST /admin/keys, PUT /admin/plans/<name>).

                Profiles (CAMEL_MAIN_PROFILE):
                  local        the defaults below (the default profile): every endpoint on loopback, for the embedded
                               servers of the local run; missing buckets, tables and queues are created
                """);
        for (String profile : PROFILES) {
            List<String> about = openingComment("application-" + profile + ".properties");
            for (int i = 0; i < about.size(); i++) {
                out.append(i == 0 ? String.format("  %-12s ", profile) : "               ").append(about.get(i)).append('\n');
            }
            for (Block block : blocks(lines("application-" + profile + ".properties"))) {
                for (Setting s : block.settings()) {
                    environmentOf(s.defaultValue()).forEach(env -> out.append("               reads ").append(env)
                            .append(" for ").append(s.key()).append('\n'));
                }
            }
        }
        out.append("""

                Every setting below is a key of application.properties (shown with its default) and can be overridden by
                the environment variable named after it, by -Dkey=value, or by a properties file named in LANDFALL_CONFIG
                (applied over everything in the jar). Ports only as -D: camel-main ignores *_PORT environment variables.
                Secrets only from the environment, e.g. key = {{env:NAME}}.
                """);
        for (Block block : blocks(lines("application.properties"))) {
            out.append('\n').append(block.title()).append('\n');
            for (Setting s : block.settings()) {
                out.append("  ").append(s.key()).append(" = ").append(s.defaultValue())
                        .append(s.onlySystemProperty() ? "   (-D" + s.key() + "=... only)" : "   (" + s.environmentVariable() + ")")
                        .append('\n');
                s.description().forEach(d -> out.append("      ").append(d).append('\n'));
            }
            block.notes().forEach(n -> out.append("  ").append(n).append('\n'));
        }
        out.append("""

                Observe: http://127.0.0.1:9876/observe/health (/ready, /live), /observe/metrics, /observe/jolokia
                (read-only statistics). Replay a dead letter: POST /admin/dead-letter/replay?key=dead-letter/...json
                Remote JMX is off; turn it on only with authentication and TLS (see the README, Production).
                """);
        return out.toString();
    }

    /** The environment variables a value reads through {@code {{env:NAME[:default]}}}, with their defaults. */
    static List<String> environmentOf(String value) {
        List<String> out = new ArrayList<>();
        for (int at = value.indexOf("{{env:"); at >= 0; at = value.indexOf("{{env:", at + 1)) {
            int end = value.indexOf("}}", at);
            if (end < 0) {
                break;
            }
            String[] nameAndDefault = value.substring(at + "{{env:".length(), end).split(":", 2);
            out.add(nameAndDefault[0] + (nameAndDefault.length > 1
                    ? " (default " + (nameAndDefault[1].isEmpty() ? "empty" : nameAndDefault[1]) + ")" : ""));
        }
        return out;
    }

    /** The settings of a properties file, by block, in file order. */
    static List<Block> blocks(List<String> lines) {
        List<Block> blocks = new ArrayList<>();
        Block current = new Block("General", new ArrayList<>(), new ArrayList<>());
        List<String> comment = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.startsWith("# ---") && line.length() > "# ---".length() && !line.substring(5).isBlank()
                    && !line.substring(5).chars().allMatch(c -> c == '-')) {
                current = new Block(title(line), new ArrayList<>(), new ArrayList<>());
                blocks.add(current);
                comment.clear();
            } else if (line.startsWith("#")) {
                String text = line.substring(1).strip();
                if (!text.chars().allMatch(c -> c == '-')) {
                    comment.add(line.substring(1).startsWith(" ") ? line.substring(2) : line.substring(1));
                }
            } else if (line.isEmpty()) {
                // a comment with no key under it is about the block
                current.notes().addAll(comment);
                comment.clear();
            } else {
                StringBuilder entry = new StringBuilder(line);
                while (entry.toString().endsWith("\\") && i + 1 < lines.size()) {
                    entry.setLength(entry.length() - 1);
                    entry.append(lines.get(++i).strip());
                }
                int eq = entry.indexOf("=");
                String key = (eq < 0 ? entry.toString() : entry.substring(0, eq)).strip();
                String value = eq < 0 ? "" : entry.substring(eq + 1).strip();
                if (!blocks.contains(current)) {
                    blocks.add(current);
                }
                current.settings().add(new Setting(current.title(), key, value, List.copyOf(comment)));
                comment.clear();
            }
        }
        current.notes().addAll(comment);
        return blocks;
    }

    /** The first paragraph of a block's notes (they are kept without the blank lines between paragraphs, so up to a full stop). */
    private static List<String> paragraph(List<String> notes) {
        List<String> out = new ArrayList<>();
        for (String n : notes) {
            out.add(n);
            if (n.endsWith(".")) {
                break;
            }
        }
        return out;
    }

    private static String title(String header) {
        String t = header.substring(1).strip();
        while (t.startsWith("-")) {
            t = t.substring(1);
        }
        while (t.endsWith("-")) {
            t = t.substring(0, t.length() - 1);
        }
        return t.strip();
    }

    /** The comment lines a properties file starts with. */
    private static List<String> openingComment(String resource) {
        List<String> about = new ArrayList<>();
        for (String line : lines(resource)) {
            if (!line.startsWith("#")) {
                break;
            }
            about.add(line.substring(1).strip());
        }
        return about;
    }

    static List<String> lines(String resource) {
        try (InputStream in = Usage.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not in the jar");
            }
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
