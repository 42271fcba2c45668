package dev.landfall.landing;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LandingRecordsTest {

    static List<LandingRecords.Entry> read(String text, LandingSource.Format f) throws Exception {
        List<LandingRecords.Entry> out = new ArrayList<>();
        try (LandingRecords r = LandingRecords.read(new StringReader(text), f)) {
            r.forEachRemaining(out::add);
        }
        return out;
    }

    @Test
    void jsonLinesGiveARecordPerLineAndABadOnePerBadLine() throws Exception {
        List<LandingRecords.Entry> e = read("{\"a\":1}\n\n not json\n[1]\n{\"b\":\"x\"}\r\n{\"c\":", LandingSource.Format.JSONL);
        assertThat(e).hasSize(5);
        assertThat(e.get(0).good()).isTrue();
        assertThat(e.get(0).line()).isEqualTo(1);
        assertThat(e.get(1).line()).isEqualTo(3);
        assertThat(e.get(1).error()).startsWith("not JSON");
        assertThat(e.get(2).error()).isEqualTo("not a JSON object but array");
        assertThat(e.get(3).fields().path("b").asText()).isEqualTo("x");
        assertThat(e.get(3).line()).isEqualTo(5);
        assertThat(e.get(4).good()).isFalse();
        assertThat(e.get(4).fatal()).isFalse();
    }

    @Test
    void aJsonArrayIsReadAnElementAtATimeWithItsLine() throws Exception {
        List<LandingRecords.Entry> e = read("[\n {\"a\":1},\n {\"a\":2}, 3,\n {\"a\":{\"n\":[1,2]}}\n]", LandingSource.Format.JSON);
        assertThat(e).hasSize(4);
        assertThat(e.get(1).line()).isEqualTo(3);
        assertThat(e.get(2).error()).isEqualTo("element is not a JSON object but number");
        assertThat(e.get(3).fields().path("a").path("n").size()).isEqualTo(2);
    }

    @Test
    void aBrokenJsonArrayEndsWithAFatalEntry() throws Exception {
        List<LandingRecords.Entry> e = read("[{\"a\":1},\n{\"a\":", LandingSource.Format.JSON);
        assertThat(e).hasSize(2);
        assertThat(e.get(1).fatal()).isTrue();
        assertThat(read("{\"a\":1}", LandingSource.Format.JSON).get(0).error()).startsWith("not a JSON array");
        assertThat(read("[{\"a\":1}", LandingSource.Format.JSON).get(1).fatal()).isTrue();
        assertThat(read("", LandingSource.Format.JSON)).isEmpty();
    }

    @Test
    void csvHasAHeaderQuotesAndNewlinesInFieldsAndRaggedRowsAreBad() throws Exception {
        List<LandingRecords.Entry> e = read("sku,title,price\r\nk1,\"A, \"\"quoted\"\"\nthing\",3\r\nk2,x\r\nk3,,4\r\n",
                LandingSource.Format.CSV);
        assertThat(e).hasSize(3);
        assertThat(e.get(0).fields().path("title").asText()).isEqualTo("A, \"quoted\"\nthing");
        assertThat(e.get(1).error()).isEqualTo("has 2 fields, the header 3");
        assertThat(e.get(1).line()).isEqualTo(4);
        assertThat(e.get(2).fields().has("title")).isFalse();
        assertThat(e.get(2).line()).isEqualTo(5);
    }
}
