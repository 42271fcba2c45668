package dev.landfall.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import dev.landfall.local.LocalServers;
import software.amazon.awssdk.services.s3.S3Client;

/** One facility's growing log file on the test FTP server, its route-template properties and the monthly objects a correct merge yields. */
public final class FacilityFeed {

    public static final String BUCKET = "landfall-facility-logs";
    public static final String DEAD_LETTER_BUCKET = "landfall-dead-letter";
    public static final String DEAD_LETTER_PREFIX = "dead-letter/";
    public static final String HEADER = "event_timestamp,sensor,value";
    public static final String FILE_NAME = "log.csv";

    private final LocalServers servers;
    private final String name;
    private final Path file;
    private final List<String> rows = new ArrayList<>();
    private final StringBuilder content = new StringBuilder(HEADER + "\n");

    public FacilityFeed(LocalServers servers, String name) {
        this.servers = servers;
        this.name = name;
        this.file = servers.ftpHome().resolve(name).resolve(FILE_NAME);
    }

    public String name() {
        return name;
    }

    /** Objects land under {@code <name>/yyyyMM}. */
    public String prefix() {
        return name + "/";
    }

    /** The route id of this facility's poller. */
    public String pollRouteId() {
        return "facility-logs-poll-" + name;
    }

    /** The camel.routeTemplate[...] entries that create this facility's poller. */
    public Map<String, String> routeProperties(int pollIntervalMs) {
        String p = "camel.routeTemplate[" + pollRouteId() + "].";
        Map<String, String> props = new LinkedHashMap<>();
        props.put(p + "templateId", "facility-logs-ftp");
        props.put(p + "name", name);
        props.put(p + "host", LocalServers.HOST);
        props.put(p + "port", Integer.toString(servers.ftpPort()));
        props.put(p + "user", LocalServers.FTP_USER);
        props.put(p + "password", LocalServers.FTP_PASSWORD);
        props.put(p + "path", "/" + name);
        props.put(p + "fileName", FILE_NAME);
        props.put(p + "prefix", prefix());
        props.put(p + "pollInterval", Integer.toString(pollIntervalMs));
        props.put(p + "readLockCheckInterval", "200");
        return props;
    }

    /**
     * Appends rows. The grown file replaces the old one atomically: a facility appending in place can be read
     * half-written (a cut last row is a bad row, dead-lettered by design), which is not what these tests check.
     */
    public void append(List<String> newRows) throws IOException {
        for (String r : newRows) {
            content.append(r).append('\n');
        }
        rows.addAll(newRows);
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling("." + FILE_NAME + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Every row appended so far, in file order. */
    public List<String> rows() {
        return List.copyOf(rows);
    }

    /** The monthly objects a correct merge must produce: first row per timestamp, sorted, header first, '\n' endings. */
    public Map<String, String> expected() {
        Map<String, String> firstByTs = new TreeMap<>();
        for (String r : rows) {
            firstByTs.putIfAbsent(r.substring(0, 17), r);
        }
        Map<String, StringBuilder> months = new TreeMap<>();
        firstByTs.forEach((ts, r) -> months.computeIfAbsent(prefix() + ts.substring(0, 6), k -> new StringBuilder(HEADER + "\n"))
                .append(r).append('\n'));
        Map<String, String> out = new LinkedHashMap<>();
        months.forEach((k, v) -> out.put(k, v.toString()));
        return out;
    }

    /**
     * How the landed objects differ from {@link #expected()}, one short line per object (rows lost, rows doubled or
     * unexpected, wrong order or bytes), or an empty list when they are byte for byte the same.
     */
    public List<String> differences(Map<String, String> landed) {
        Map<String, String> expected = expected();
        Set<String> keys = new TreeSet<>(expected.keySet());
        keys.addAll(landed.keySet());
        List<String> out = new ArrayList<>();
        for (String key : keys) {
            String want = expected.getOrDefault(key, "");
            String got = landed.get(key);
            if (want.equals(got)) {
                continue;
            }
            if (got == null) {
                out.add(key + ": missing");
                continue;
            }
            List<String> lost = minus(want, got);
            List<String> extra = minus(got, want);
            out.add(key + ": " + lost.size() + " rows lost " + first(lost) + ", " + extra.size() + " doubled or unexpected "
                    + first(extra) + (lost.isEmpty() && extra.isEmpty() ? ", order or line endings differ" : ""));
        }
        return out;
    }

    /** The lines of {@code a} that {@code b} lacks, counting repeats. */
    private static List<String> minus(String a, String b) {
        Map<String, Integer> counts = new HashMap<>();
        b.lines().forEach(l -> counts.merge(l, 1, Integer::sum));
        List<String> out = new ArrayList<>();
        a.lines().forEach(l -> {
            if (counts.merge(l, -1, Integer::sum) < 0) {
                out.add(l);
            }
        });
        return out;
    }

    private static List<String> first(List<String> lines) {
        return lines.subList(0, Math.min(3, lines.size()));
    }

    public long uniqueTimestamps() {
        return rows.stream().map(r -> r.substring(0, 17)).distinct().count();
    }

    /** What landed for this facility, key → text. */
    public Map<String, String> landed(S3Client s3) {
        return S3Objects.texts(s3, BUCKET, prefix());
    }

    /**
     * Random rows over the given {@code yyyyMM} months, out of order, with about 5% exact repeats of earlier rows.
     * The values are a function of the timestamp, so a repeated timestamp never conflicts (no dead letters).
     */
    public List<String> randomRows(Random random, int count, List<String> months) {
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int known = rows.size() + out.size();
            if (known > 0 && random.nextInt(20) == 0) {
                int k = random.nextInt(known);
                out.add(k < rows.size() ? rows.get(k) : out.get(k - rows.size()));
                continue;
            }
            String month = months.get(random.nextInt(months.size()));
            String ts = String.format("%s%02d:%02d:%02d:%02d", month, 1 + random.nextInt(28), random.nextInt(24),
                    random.nextInt(60), random.nextInt(60));
            out.add(row(ts));
        }
        return out;
    }

    public static String row(String timestamp) {
        int h = timestamp.hashCode();
        return timestamp + ",s" + Math.floorMod(h, 7) + "," + Math.floorMod(h * 31L, 100_000);
    }
}
