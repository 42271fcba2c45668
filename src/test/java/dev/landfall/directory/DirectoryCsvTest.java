package dev.landfall.directory;

import java.io.StringReader;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DirectoryCsvTest {

    static DirectoryCsv.Parsed read(String csv) throws Exception {
        return DirectoryCsv.read(new StringReader(csv), "department", "employee", FactTypes.inferred());
    }

    @Test
    void valuesAreTypedOneByOne() {
        FactTypes t = FactTypes.inferred();
        assertThat(t.type("c", "42")).isEqualTo(AttributeValue.fromN("42"));
        assertThat(t.type("c", "-0.5")).isEqualTo(AttributeValue.fromN("-0.5"));
        assertThat(t.type("c", "0")).isEqualTo(AttributeValue.fromN("0"));
        assertThat(t.type("c", "0.25")).isEqualTo(AttributeValue.fromN("0.25"));
        for (String s : List.of("007", "002738", "1e5", "NaN", " 42", "42 ", "+5", ".5", "5.", "-", "1,000", "0x1F", "--1", "Infinity",
                "123456789012345678901234567890123456789")) {
            assertThat(t.type("c", s)).as(s).isEqualTo(AttributeValue.fromS(s));
        }
        assertThat(t.type("c", "TRUE")).isEqualTo(AttributeValue.fromBool(true));
        assertThat(t.type("c", "False")).isEqualTo(AttributeValue.fromBool(false));
        assertThat(t.type("c", "yes")).isEqualTo(AttributeValue.fromS("yes"));
        assertThat(t.type("c", "")).isNull();
        FactTypes forced = new FactTypes(Set.of("zip"), Set.of("grade"));
        assertThat(forced.type("zip", "42")).isEqualTo(AttributeValue.fromS("42"));
        assertThat(forced.type("zip", "true")).isEqualTo(AttributeValue.fromS("true"));
        assertThat(forced.type("grade", "7")).isEqualTo(AttributeValue.fromN("7"));
        assertThatThrownBy(() -> forced.type("grade", "seven")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("grade");
    }

    @Property
    void whateverIsNotAPlainDecimalStaysTheStringItWas(@ForAll @StringLength(max = 12) String s) {
        AttributeValue v = FactTypes.inferred().type("c", s);
        if (s.isEmpty()) {
            assertThat(v).isNull();
        } else if (v.n() != null) {
            assertThat(s).matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?");
        } else if (v.bool() != null) {
            assertThat(s).isEqualToIgnoringCase(String.valueOf(v.bool()));
        } else {
            assertThat(v.s()).isEqualTo(s);
            assertThat(s.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?")).isFalse();
        }
    }

    @Test
    void rowsAreGroupedByTheDocumentKeyWithQuotesNewlinesAndABom() throws Exception {
        String csv = "\uFEFFdepartment,employee,name,grade,remote,note\r\n"
                + "eng,002738,\"Doe, Jane\",7,TRUE,\r\n"
                + "eng,0001,\"Smith \"\"JS\"\"\",-0.5,false,\"two\r\nlines\"\r\n"
                + " eng ,x,y,1,true,n\n";
        DirectoryCsv.Parsed p = read(csv);
        assertThat(p.bad()).isEmpty();
        assertThat(p.rows()).isEqualTo(3);
        assertThat(p.documents().keySet()).containsExactly(" eng ", "eng");
        SortedMap<String, Map<String, AttributeValue>> eng = p.documents().get("eng");
        assertThat(eng.keySet()).containsExactly("0001", "002738");
        assertThat(eng.get("002738")).isEqualTo(Map.of("name", AttributeValue.fromS("Doe, Jane"), "grade", AttributeValue.fromN("7"),
                "remote", AttributeValue.fromBool(true)));
        assertThat(eng.get("0001").get("name")).isEqualTo(AttributeValue.fromS("Smith \"JS\""));
        assertThat(eng.get("0001").get("note")).isEqualTo(AttributeValue.fromS("two\r\nlines"));
    }

    @Test
    void raggedRowsEmptyKeysAndDuplicateKeysAreReportedWithTheirLines() throws Exception {
        String csv = "department,employee,name\n"
                + "eng,1,a\n"          // 2
                + "eng,2\n"            // 3 ragged
                + "eng,\"3\",\"multi\nline\"\n" // 4-5
                + ",4,b\n"             // 6 empty key
                + "eng,1,again\n"      // 7 duplicate of 2
                + "ops,9,z\n";         // 8
        DirectoryCsv.Parsed p = read(csv);
        assertThat(p.bad()).extracting(DirectoryCsv.Bad::kind).containsExactly("duplicate-key", "ragged-row", "empty-key");
        assertThat(p.bad().get(0).lines()).containsExactly(2L, 7L);
        assertThat(p.bad().get(1).lines()).containsExactly(3L);
        assertThat(p.bad().get(2).lines()).containsExactly(6L);
        assertThat(p.documents().get("eng").keySet()).containsExactly("3");
        assertThat(p.documents().get("ops").keySet()).containsExactly("9");
    }

    @Test
    void aHeaderWithoutAKeyColumnRejectsTheFile() {
        assertThatThrownBy(() -> read("dept,employee\nx,1\n")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no column 'department'");
        assertThatThrownBy(() -> read("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theHashFollowsTheContentAndBigDocumentsSplitIntoParts() {
        SortedMap<String, Map<String, AttributeValue>> a = new TreeMap<>(Map.of("1", Map.of("n", AttributeValue.fromN("1"))));
        SortedMap<String, Map<String, AttributeValue>> b = new TreeMap<>(Map.of("1", Map.of("n", AttributeValue.fromS("1"))));
        assertThat(DirectoryDocuments.hash(a)).isNotEqualTo(DirectoryDocuments.hash(b)).hasSize(32);
        assertThat(DirectoryDocuments.hash(a)).isEqualTo(DirectoryDocuments.hash(new TreeMap<>(a)));
        SortedMap<String, Map<String, AttributeValue>> big = new TreeMap<>();
        for (int i = 0; i < 1000; i++) {
            big.put(String.format("%04d", i), Map.of("bio", AttributeValue.fromS("x".repeat(1000))));
        }
        List<Map<String, AttributeValue>> parts = DirectoryDocuments.parts(big, DirectoryDocuments.PART_BYTES);
        assertThat(parts).hasSize(3);
        assertThat(parts.stream().mapToInt(Map::size).sum()).isEqualTo(1000);
    }

    @Property(tries = 200)
    void theHashOfTheRawRowsIsTheHashOfTheTypedDocument(@ForAll("cells") List<String> cells) throws Exception {
        StringBuilder csv = new StringBuilder("department,employee,b,a,c\n");
        for (int i = 0; i + 2 < cells.size(); i += 3) {
            csv.append("d").append(i % 2).append(',').append(i).append(',').append(quote(cells.get(i))).append(',')
                    .append(quote(cells.get(i + 1))).append(',').append(quote(cells.get(i + 2))).append('\n');
        }
        DirectoryCsv.Parsed p = DirectoryCsv.read(new StringReader(csv.toString()), "department", "employee", FactTypes.inferred());
        p.rawDocuments().forEach((d, members) ->
                assertThat(p.hash(members)).as(d).isEqualTo(DirectoryDocuments.hash(p.typed(members))));
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<List<String>> cells() {
        return net.jqwik.api.Arbitraries.oneOf(net.jqwik.api.Arbitraries.of("", "0", "42", "-0.5", "007", "TRUE", "false", "x,y", "1e5"),
                net.jqwik.api.Arbitraries.strings().ofMaxLength(6)).list().ofMaxSize(30);
    }

    private static String quote(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }

    @Test
    void aManifestRoundTripsAndPages() {
        TreeMap<String, DirectoryManifest.Entry> e = new TreeMap<>();
        for (String k : List.of("a", "ab", "abc", "b", "ba")) {
            e.put(k, new DirectoryManifest.Entry("h" + k, 1, 3, 1000));
        }
        DirectoryManifest m = new DirectoryManifest(e);
        assertThat(DirectoryManifest.decode(m.encode())).isEqualTo(m);
        assertThat(m.keys("a", null, 2)).containsExactly("a", "ab");
        assertThat(m.keys("a", "ab", 10)).containsExactly("abc");
        assertThat(m.keys("", "abc", 10)).containsExactly("b", "ba");
        assertThat(m.keys("c", null, 10)).isEmpty();
    }
}
