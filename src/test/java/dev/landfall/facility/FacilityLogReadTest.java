package dev.landfall.facility;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link FacilityLogCsv#read}, fast path or not, returns exactly what the commons-csv {@link FacilityLogCsv#parse} returns. */
class FacilityLogReadTest {

    private static final String HEADER = "event_timestamp,sensor,value";

    @Property(tries = 2000)
    void readEqualsParseForAnyFile(@ForAll("files") byte[] file) throws IOException {
        assertSameAsParse(file);
    }

    @Property(tries = 500)
    void aFileInTheSubsetIsReadOnce(@ForAll("subsetFiles") byte[] file) throws IOException {
        AtomicInteger opened = new AtomicInteger();
        FacilityLogCsv.read(() -> {
            opened.incrementAndGet();
            return new ByteArrayInputStream(file);
        });
        assertThat(opened).hasValue(1);
        assertSameAsParse(file);
    }

    @Test
    void linesOutsideTheSubsetFallBackToCommonsCsv() throws IOException {
        for (String file : List.of(
                HEADER + "\n20160701:00:00:00,\"multi\nline\",1\n20160701:00:00:01,s,2\n",
                HEADER + "\r20160701:00:00:00,s,1\r",
                HEADER + "\n20160701:00:00:00,\"a\" ,1\n",
                HEADER + "\n20160701:00:00:00,\"a\"x,1\n20160701:00:00:01,s,2\n",
                HEADER + "\n20160701:00:00:00,\"open,1\n",
                HEADER + "\n20160701:00:00:00,s,1\r",
                HEADER + "\n20160701:00:00:00,s\r,1\n")) {
            assertSameAsParse(file.getBytes(StandardCharsets.UTF_8));
        }
        byte[] valid = (HEADER + "\n20160701:00:00:00,s,1\n").getBytes(StandardCharsets.UTF_8);
        assertSameAsParse(insert(valid, valid.length - 4, (byte) 0xFF));
        assertSameAsParse(insert(valid, valid.length - 4, (byte) 0xE2));
    }

    @Test
    void quotedFieldsCrlfBlankLinesAndAMissingLastLineEndStayInTheFastPath() throws IOException {
        String file = "\uFEFFevent_timestamp,\"sensor\",value\r\n\r\n"
                + "\"20160701:00:00:00\",\"a, b\",1\r\n"
                + "20160701:00:00:01,\"say \"\"hi\"\"\",2\n"
                + "20160701:00:00:02,plain\"quote,3\n"
                + "\n"
                + "\"2016-07-01\",x,4\n"
                + "20160701:00:00:03,\"\",\n"
                + "20160701:00:00:04,short\n"
                + "20160701:00:00:05,caf\u00e9,5";
        byte[] bytes = file.getBytes(StandardCharsets.UTF_8);
        assertThat(SubsetCsvReader.read(new ByteArrayInputStream(bytes))).isNotNull();
        assertSameAsParse(bytes);
    }

    private static void assertSameAsParse(byte[] file) throws IOException {
        Object expected;
        try {
            expected = normalise(FacilityLogCsv.parse(new InputStreamReader(new ByteArrayInputStream(file), StandardCharsets.UTF_8)));
        } catch (RuntimeException e) {
            expected = e.getClass() + ": " + e.getMessage();
        }
        Object actual;
        try {
            actual = normalise(FacilityLogCsv.read(file));
        } catch (RuntimeException e) {
            actual = e.getClass() + ": " + e.getMessage();
        }
        assertThat(actual).as(new String(file, StandardCharsets.UTF_8)).isEqualTo(expected);
    }

    private static List<Object> normalise(FacilityLogCsv.Parsed p) {
        return List.of(p.header(), p.columns(), p.rows(), p.badRows());
    }

    private static List<Object> normalise(FacilityLogCsv.Lines l) {
        List<FacilityLogCsv.Row> rows = new ArrayList<>();
        for (int i = 0; i < l.rows().size(); i++) {
            rows.add(new FacilityLogCsv.Row(l.rows().timestamp(i), l.rows().line(i), l.rows().lineNumber(i)));
        }
        return List.of(l.header(), l.columns(), rows, l.badRows());
    }

    // --- generators: files of plausible and nasty lines, glued with every kind of line end ---

    @Provide
    Arbitrary<byte[]> files() {
        Arbitrary<String> field = Arbitraries.oneOf(
                Arbitraries.of("20160701:00:00:00", "20160701:00:00:01", "20160231:00:00:00", "20160701:24:00:00",
                        "2016-07-01", "", " ", "a", "b c", "\u00e9t\u00e9", "\uD83D\uDE00", "\uFEFF", "event_timestamp", "sensor"),
                Arbitraries.strings().withChars("a,\"\r\n \t\u00e9:0").ofMaxLength(6),
                Arbitraries.strings().withChars("ab, ").ofMaxLength(5).map(v -> "\"" + v.replace("\"", "\"\"") + "\""),
                Arbitraries.strings().withChars("a\"\r\n,").ofMaxLength(4).map(v -> "\"" + v + "\""));
        Arbitrary<String> line = field.list().ofMinSize(1).ofMaxSize(4).map(fs -> String.join(",", fs));
        Arbitrary<String> end = Arbitraries.of("\n", "\n", "\n", "\r\n", "\r", "");
        Arbitrary<String> header = Arbitraries.of(HEADER, "\uFEFF" + HEADER, " event_timestamp ,v", "time,v", "", "event_timestamp");
        Arbitrary<String> body = line.flatMap(l -> end.map(e -> l + e)).list().ofMaxSize(8).map(ls -> String.join("", ls));
        Arbitrary<byte[]> text = header.flatMap(h -> Arbitraries.of("\n", "\r\n", "\r", "").flatMap(e -> body.map(b ->
                (h + e + b).getBytes(StandardCharsets.UTF_8))));
        Arbitrary<Integer> bad = Arbitraries.of(0xFF, 0xC3, 0xE2, 0x80, 0xED);
        return Arbitraries.oneOf(text, text, text.flatMap(bytes -> bad.flatMap(b -> Arbitraries.integers()
                .between(0, Math.max(0, bytes.length - 1)).map(at -> insert(bytes, at, (byte) (int) b)))));
    }

    @Provide
    Arbitrary<byte[]> subsetFiles() {
        Arbitrary<String> ts = Arbitraries.integers().between(0, 3599)
                .map(s -> String.format("20160701:00:%02d:%02d", s / 60 % 60, s % 60));
        Arbitrary<String> value = Arbitraries.oneOf(
                Arbitraries.strings().withChars("ab \u00e9.-").ofMaxLength(5),
                Arbitraries.strings().withChars("ab,\" ").ofMaxLength(5).map(v -> "\"" + v.replace("\"", "\"\"") + "\""));
        Arbitrary<String> row = ts.flatMap(t -> value.list().ofMinSize(1).ofMaxSize(3).map(vs -> t + "," + String.join(",", vs)));
        Arbitrary<String> end = Arbitraries.of("\n", "\r\n");
        return row.flatMap(r -> end.map(e -> r + e)).list().ofMaxSize(20)
                .map(rows -> (HEADER + "\n" + String.join("", rows)).getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] insert(byte[] bytes, int at, byte b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(bytes, 0, at);
        out.write(b);
        out.write(bytes, at, bytes.length - at);
        return out.toByteArray();
    }
}
