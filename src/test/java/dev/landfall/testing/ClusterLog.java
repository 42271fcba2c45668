package dev.landfall.testing;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a replica's log says it leads: the cluster's one line per change ("cluster r1: leads a,b" / "gave up a" / "lost a"). */
public final class ClusterLog {

    private static final Pattern CHANGE = Pattern.compile("cluster \\S+: (leads|gave up|lost) (\\S+)");

    private ClusterLog() {
    }

    /** The namespaces starting with {@code prefix} that the replica leads now. */
    public static Set<String> leading(AppProcess app, String prefix) {
        Set<String> led = new TreeSet<>();
        for (String line : app.log().lines().toList()) {
            Matcher m = CHANGE.matcher(line);
            if (!m.find()) {
                continue;
            }
            for (String ns : m.group(2).split(",")) {
                if (!ns.startsWith(prefix)) {
                    continue;
                }
                if (m.group(1).equals("leads")) {
                    led.add(ns);
                } else {
                    led.remove(ns);
                }
            }
        }
        return led;
    }
}
