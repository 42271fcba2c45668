package dev.landfall.facility;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.landfall.testing.LandfallApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Two facilities never share monthly objects by accident: a shared bucket and prefix is refused, naming both. */
class FacilityTargetsTest {

    @TempDir
    Path dir;

    @Test
    void aSharedBucketAndPrefixIsRefusedByName() {
        FacilityTargets targets = new FacilityTargets();
        targets.add("plant1", "landfall-facility-logs", "logs/");
        assertThatCode(() -> targets.add("plant2", "landfall-facility-logs", "plant2/")).doesNotThrowAnyException();
        assertThatCode(() -> targets.add("plant3", "other-bucket", "logs/")).doesNotThrowAnyException();
        assertThatThrownBy(() -> targets.add("plant4", "landfall-facility-logs", "logs/"))
                .hasMessageContaining("'plant1'").hasMessageContaining("'plant4'").hasMessageContaining("s3://landfall-facility-logs/logs/");
    }

    static void facility(Map<String, String> p, String name, String prefix) {
        String t = "camel.routeTemplate[facility-logs-poll-" + name + "].";
        p.put(t + "templateId", "facility-logs-ftp");
        p.put(t + "name", name);
        p.put(t + "host", "ftp." + name + ".example");
        p.put(t + "user", "u");
        p.put(t + "password", "p");
        p.put(t + "fileName", "log.csv");
        if (prefix != null) {
            p.put(t + "prefix", prefix);
        }
    }

    @Test
    void landfallRefusesToStartWithTwoFacilitiesOnOneTarget() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("landfall.data-dir", dir.toString());
        p.put("camel.server.port", "0");
        p.put("camel.management.port", "0");
        facility(p, "north", null);
        facility(p, "south", "logs/");
        assertThatThrownBy(() -> LandfallApp.start(p).close())
                .satisfies(e -> assertThat(messages(e)).contains("'north'").contains("'south'").contains("/logs/yyyyMM"));
    }

    static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }
}
