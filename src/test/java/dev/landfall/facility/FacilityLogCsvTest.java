package dev.landfall.facility;

import java.io.IOException;
import java.io.StringReader;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FacilityLogCsvTest {

    private static FacilityLogCsv.Parsed parse(String text) throws IOException {
        return FacilityLogCsv.parse(new StringReader(text));
    }

    @Test
    void parsesHeaderAndRowsKeepingOtherColumnsVerbatim() throws IOException {
        var p = parse("event_timestamp,temp,unit\n20160701:00:03:00,21.50,C\r\n20160701:00:04:00, 007 ,C\n");
        assertThat(p.header()).isEqualTo("event_timestamp,temp,unit");
        assertThat(p.rows()).extracting(FacilityLogCsv.Row::line)
                .containsExactly("20160701:00:03:00,21.50,C", "20160701:00:04:00, 007 ,C");
        assertThat(p.rows()).extracting(FacilityLogCsv.Row::lineNumber).containsExactly(2L, 3L);
        assertThat(p.badRows()).isEmpty();
    }

    @Test
    void quotedFieldsStayQuotedOnlyWhereNeeded() throws IOException {
        var p = parse("event_timestamp,note\n20160701:00:03:00,\"a, b\"\n20160701:00:04:00,\"plain\"\n20160701:00:05:00,\"say \"\"hi\"\"\"\n");
        assertThat(p.rows()).extracting(FacilityLogCsv.Row::line).containsExactly(
                "20160701:00:03:00,\"a, b\"", "20160701:00:04:00,plain", "20160701:00:05:00,\"say \"\"hi\"\"\"");
    }

    @Test
    void badTimestampsAndWrongColumnCountsBecomeBadRowsWithLineNumbers() throws IOException {
        var p = parse("event_timestamp,v\n20160701:00:03:00,1\n2016-07-01,2\n20160701:00:05:00,3,extra\n20160701:00:06:00\n20160732:00:00:00,4\n20160701:00:07:00,5\n");
        assertThat(p.rows()).extracting(FacilityLogCsv.Row::timestamp).containsExactly("20160701:00:03:00", "20160701:00:07:00");
        assertThat(p.badRows()).extracting(FacilityLogCsv.BadRow::lineNumber).containsExactly(3L, 4L, 5L, 6L);
        assertThat(p.badRows().get(0).reason()).contains("not yyyyMMdd:HH:mm:ss");
        assertThat(p.badRows().get(1).reason()).isEqualTo("expected 2 columns, found 3");
        assertThat(p.badRows().get(2).reason()).isEqualTo("expected 2 columns, found 1");
        assertThat(p.badRows().get(3).reason()).contains("no such date");
        assertThat(p.badRows().get(1).line()).isEqualTo("20160701:00:05:00,3,extra");
    }

    @Test
    void blankLinesAndByteOrderMarkAreIgnored() throws IOException {
        var p = parse("\uFEFFevent_timestamp,v\n\n20160701:00:03:00,1\n\n");
        assertThat(p.header()).isEqualTo("event_timestamp,v");
        assertThat(p.rows()).hasSize(1);
    }

    @Test
    void aFileWithoutTheTimestampHeaderIsRejectedWhole() {
        assertThatThrownBy(() -> parse("")).isInstanceOf(FacilityLogCsv.BadFileException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> parse("time,v\n20160701:00:03:00,1\n"))
                .isInstanceOf(FacilityLogCsv.BadFileException.class).hasMessageContaining("'time'");
    }

    @Test
    void anUnterminatedQuoteStopsTheFileWithABadRow() throws IOException {
        var p = parse("event_timestamp,v\n20160701:00:03:00,1\n20160701:00:04:00,\"open\n");
        assertThat(p.rows()).hasSize(1);
        assertThat(p.badRows()).hasSize(1);
        assertThat(p.badRows().get(0).reason()).startsWith("unreadable CSV");
    }

    @Test
    void toLineQuotesSeparatorsQuotesAndNewlines() {
        assertThat(FacilityLogCsv.toLine(List.of("a", "b,c", "d\"e", "f\ng", ""))).isEqualTo("a,\"b,c\",\"d\"\"e\",\"f\ng\",");
    }
}
