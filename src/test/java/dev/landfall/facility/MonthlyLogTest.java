package dev.landfall.facility;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.landfall.facility.FacilityLogCsv.Row;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MonthlyLogTest {

    private static final String HEADER = "event_timestamp,value";

    private static Row row(String ts, String value) {
        return new Row(ts, FacilityLogCsv.toLine(List.of(ts, value)), 0);
    }

    private static String text(MonthlyLog.Merge m) {
        return new String(m.content(), StandardCharsets.UTF_8);
    }

    @Test
    void newObjectIsHeaderThenSortedRows() throws IOException {
        var m = MonthlyLog.merge(HEADER, null, List.of(row("20160701:00:05:00", "b"), row("20160701:00:03:00", "a")));
        assertThat(text(m)).isEqualTo("event_timestamp,value\n20160701:00:03:00,a\n20160701:00:05:00,b\n");
        assertThat(m.added()).isEqualTo(2);
        assertThat(m.rows()).isEqualTo(2);
    }

    @Test
    void storedTimestampsAreSkippedAndNothingIsWrittenWhenNothingIsNew() throws IOException {
        byte[] stored = "event_timestamp,value\n20160701:00:03:00,a\n".getBytes(StandardCharsets.UTF_8);
        var m = MonthlyLog.merge(HEADER, stored, List.of(row("20160701:00:03:00", "a")));
        assertThat(m.content()).isNull();
        assertThat(m.duplicates()).isEqualTo(1);
        assertThat(m.added()).isZero();
    }

    @Test
    void aConflictingRowKeepsTheStoredOneAndReportsBoth() throws IOException {
        byte[] stored = "event_timestamp,value\n20160701:00:03:00,a\n".getBytes(StandardCharsets.UTF_8);
        var m = MonthlyLog.merge(HEADER, stored, List.of(new Row("20160701:00:03:00", "20160701:00:03:00,X", 7),
                row("20160701:00:04:00", "b")));
        assertThat(text(m)).isEqualTo("event_timestamp,value\n20160701:00:03:00,a\n20160701:00:04:00,b\n");
        assertThat(m.conflicts()).containsExactly(
                new MonthlyLog.Conflict("20160701:00:03:00", "20160701:00:03:00,a", "20160701:00:03:00,X", 7));
    }

    @Test
    void lateRowsAreMergedIntoTheirPlace() throws IOException {
        byte[] stored = "event_timestamp,value\n20160701:00:03:00,a\n20160701:00:09:00,c\n".getBytes(StandardCharsets.UTF_8);
        var m = MonthlyLog.merge(HEADER, stored, List.of(row("20160701:00:05:00", "b")));
        assertThat(text(m)).isEqualTo("event_timestamp,value\n20160701:00:03:00,a\n20160701:00:05:00,b\n20160701:00:09:00,c\n");
    }

    @Test
    void aDifferentStoredHeaderIsRefused() {
        byte[] stored = "event_timestamp,other\n20160701:00:03:00,a\n".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> MonthlyLog.merge(HEADER, stored, List.of(row("20160701:00:04:00", "b"))))
                .isInstanceOf(MonthlyLog.HeaderMismatchException.class);
    }

    // --- properties that must hold for any input ---

    @Provide
    Arbitrary<List<Row>> rows() {
        Arbitrary<String> ts = Combinators.combine(
                Arbitraries.integers().between(1, 28), Arbitraries.integers().between(0, 23),
                Arbitraries.integers().between(0, 59), Arbitraries.integers().between(0, 3))
                .as((d, h, m, s) -> String.format("201607%02d:%02d:%02d:%02d", d, h, m, s));
        Arbitrary<String> value = Arbitraries.of("a", "b", "c, d", "\"q\"", "");
        return Combinators.combine(ts, value).as(MonthlyLogTest::row).list().ofMaxSize(60);
    }

    @Property(tries = 300)
    void mergingIsIdempotent(@ForAll("rows") List<Row> existing, @ForAll("rows") List<Row> incoming) throws IOException {
        byte[] once = contentOrExisting(MonthlyLog.merge(HEADER, null, existing), null);
        byte[] twice = contentOrExisting(MonthlyLog.merge(HEADER, once, incoming), once);
        var again = MonthlyLog.merge(HEADER, twice, incoming);
        assertThat(again.content()).isNull();
        assertThat(again.added()).isZero();
    }

    @Property(tries = 300)
    void outputIsSortedUniqueAndLosesNoTimestamp(@ForAll("rows") List<Row> existing, @ForAll("rows") List<Row> incoming) throws IOException {
        byte[] first = contentOrExisting(MonthlyLog.merge(HEADER, null, existing), null);
        var merge = MonthlyLog.merge(HEADER, first, incoming);
        byte[] result = contentOrExisting(merge, first);
        List<Row> stored = result == null ? List.of()
                : FacilityLogCsv.parse(new StringReader(new String(result, StandardCharsets.UTF_8))).rows();
        List<String> ts = stored.stream().map(Row::timestamp).toList();
        assertThat(ts).isSorted().doesNotHaveDuplicates();
        // first arrival of each timestamp wins; every timestamp seen is stored
        Map<String, String> expected = new TreeMap<>();
        for (Row r : existing) {
            expected.putIfAbsent(r.timestamp(), r.line());
        }
        for (Row r : incoming) {
            expected.putIfAbsent(r.timestamp(), r.line());
        }
        Map<String, String> actual = new HashMap<>();
        stored.forEach(r -> actual.put(r.timestamp(), r.line()));
        assertThat(actual).isEqualTo(expected);
        // every incoming row is counted exactly once as added, duplicate or conflict
        assertThat(merge.added() + merge.duplicates() + merge.conflicts().size()).isEqualTo(incoming.size());
    }

    private static byte[] contentOrExisting(MonthlyLog.Merge m, byte[] existing) {
        return m.content() != null ? m.content() : existing;
    }
}
