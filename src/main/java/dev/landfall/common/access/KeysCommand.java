package dev.landfall.common.access;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

import dev.landfall.common.AwsClients;
import dev.landfall.common.access.AccessStore.KeyRecord;
import dev.landfall.common.access.AccessStore.Role;
import org.apache.camel.impl.DefaultCamelContext;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/**
 * {@code java -jar landfall.jar keys ...}: makes the first admin key (and any other) without the app running, from the
 * same settings the app reads (application.properties, the profile's file, LANDFALL_CONFIG, the environment).
 */
public final class KeysCommand {

    public static final String USAGE = """
            Usage: java -jar landfall.jar keys <command>
              create --name <name> --role admin|reader [--plan <plan>] [--expires <ISO instant>]
                                     makes a key and prints it once (it is stored only as a digest)
              list                   the keys: id, name, role, plan, created, expires, revoked (never a key)
              revoke <id>            revokes a key (every replica refuses it within landfall.access.cache-seconds)
              plan <name> [--rate <per second>] [--burst <n>] [--quota <n> --period DAY|WEEK|MONTH] [--apis a,b|*]
                                     creates or replaces a usage plan
            Settings as for the app: LANDFALL_API_KEY_PEPPER, the AWS settings (LANDFALL_AWS_*), CAMEL_MAIN_PROFILE,
            LANDFALL_CONFIG. The table (landfall.access.table) must exist: Landfall creates it at its first start
            (landfall.provision.mode=create, the local default) or your infrastructure does.""";

    private KeysCommand() {
    }

    /** Runs the command; returns the process's exit code. */
    public static int run(String[] args, Properties overrides, PrintStream out, PrintStream err) {
        if (args.length == 0 || "--help".equals(args[0]) || "-h".equals(args[0])) {
            out.println(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        Map<String, String> options = new LinkedHashMap<>();
        List<String> words = new java.util.ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            if (args[i].startsWith("--")) {
                if (i + 1 >= args.length) {
                    err.println("keys: " + args[i] + " needs a value\n" + USAGE);
                    return 2;
                }
                options.put(args[i].substring(2), args[++i]);
            } else {
                words.add(args[i]);
            }
        }
        DefaultCamelContext camel = new DefaultCamelContext();
        try {
            String profile = firstNonBlank(System.getenv("CAMEL_MAIN_PROFILE"), System.getProperty("camel.main.profile"));
            camel.getPropertiesComponent().setLocation("classpath:application.properties"
                    + (profile == null ? "" : ",optional:classpath:application-" + profile + ".properties"));
            if (overrides != null) {
                camel.getPropertiesComponent().setOverrideProperties(overrides);
            }
            AwsClients.Resolved aws = AwsClients.resolve(AwsClients.Settings.fromProperties(key -> get(camel, key)));
            if (aws.missing() != null) {
                err.println("keys: " + aws.missing());
                return 1;
            }
            String pepper = get(camel, "landfall.access.pepper");
            if (pepper.getBytes(StandardCharsets.UTF_8).length < ApiKeys.MIN_PEPPER_BYTES) {
                err.println("keys: set LANDFALL_API_KEY_PEPPER to the app's pepper (a random secret of at least "
                        + ApiKeys.MIN_PEPPER_BYTES + " bytes)");
                return 1;
            }
            String table = get(camel, "landfall.access.table");
            try (DynamoDbClient dynamoDb = AwsClients.dynamoDb(aws, List.of())) {
                AccessStore store = new AccessStore(dynamoDb, table);
                ApiKeys keys = new ApiKeys(pepper.getBytes(StandardCharsets.UTF_8));
                AccessAdmin admin = new AccessAdmin(store, keys,
                        new AccessControl(store, keys, Clock.systemUTC(), Duration.ZERO, 0.1), Clock.systemUTC());
                return switch (args[0]) {
                    case "create" -> create(admin, options, out);
                    case "list" -> list(store, out);
                    case "revoke" -> revoke(store, words, out, err);
                    case "plan" -> plan(store, words, options, out);
                    default -> {
                        err.println("keys: unknown command " + args[0] + "\n" + USAGE);
                        yield 2;
                    }
                };
            } catch (ResourceNotFoundException e) {
                err.println("keys: table " + table + " does not exist: start Landfall once (it creates its tables with "
                        + "landfall.provision.mode=create) or create it (hash key pk, string; TTL attribute expires_at)");
                return 1;
            } catch (IllegalArgumentException e) {
                err.println("keys: " + e.getMessage());
                return 2;
            } catch (software.amazon.awssdk.core.exception.SdkException e) {
                String endpoint = get(camel, "landfall.aws.dynamodb.endpoint");
                err.println("keys: DynamoDB " + (endpoint.isBlank() ? "" : "at " + endpoint + " ") + "did not answer: " + e.getMessage());
                return 1;
            }
        } finally {
            try {
                camel.close();
            } catch (Exception e) {
                // nothing was started
            }
        }
    }

    private static int create(AccessAdmin admin, Map<String, String> o, PrintStream out) {
        Instant expires = o.containsKey("expires") ? Instant.parse(o.get("expires")) : null;
        AccessAdmin.Created c = admin.create(o.get("name"), Role.of(o.getOrDefault("role", "reader")), o.get("plan"), expires);
        KeyRecord r = c.record();
        out.println("API key " + r.id() + " (name " + r.name() + ", role " + r.role().label()
                + (r.plan() == null ? "" : ", plan " + r.plan()) + (r.expires() == null ? "" : ", expires " + r.expires())
                + "). It is shown this once; Landfall keeps only its digest:");
        out.println(c.key());
        return 0;
    }

    private static int list(AccessStore store, PrintStream out) {
        List<KeyRecord> keys = store.listKeys();
        out.printf("%-16s  %-20s  %-6s  %-16s  %-24s  %-24s  %s%n", "ID", "NAME", "ROLE", "PLAN", "CREATED", "EXPIRES", "REVOKED");
        for (KeyRecord k : keys) {
            out.printf("%-16s  %-20s  %-6s  %-16s  %-24s  %-24s  %s%n", k.id(), k.name(), k.role().label(),
                    k.plan() == null ? "-" : k.plan(), k.created(), k.expires() == null ? "-" : k.expires(), k.revoked());
        }
        return 0;
    }

    private static int revoke(AccessStore store, List<String> words, PrintStream out, PrintStream err) {
        if (words.size() != 1) {
            err.println("keys revoke <id>");
            return 2;
        }
        if (!store.revoke(words.get(0))) {
            err.println("keys: no key " + words.get(0));
            return 1;
        }
        out.println("revoked " + words.get(0));
        return 0;
    }

    private static int plan(AccessStore store, List<String> words, Map<String, String> o, PrintStream out) {
        if (words.size() != 1) {
            throw new IllegalArgumentException("keys plan <name> [--rate ...]");
        }
        Set<String> apis = new TreeSet<>(Arrays.asList(o.getOrDefault("apis", "").split(",")));
        apis.removeIf(String::isBlank);
        UsagePlan plan = new UsagePlan(words.get(0), Double.parseDouble(o.getOrDefault("rate", "0")),
                Integer.parseInt(o.getOrDefault("burst", "0")), Long.parseLong(o.getOrDefault("quota", "0")),
                o.containsKey("period") ? UsagePlan.Period.valueOf(o.get("period")) : null, apis);
        store.putPlan(plan);
        out.println("plan " + plan.name() + " stored: " + AccessAdmin.describe(plan));
        return 0;
    }

    private static String get(DefaultCamelContext camel, String key) {
        return camel.resolvePropertyPlaceholders("{{" + key + "}}");
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }
}
