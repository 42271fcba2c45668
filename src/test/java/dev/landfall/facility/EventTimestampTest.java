package dev.landfall.facility;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class EventTimestampTest {

    @ParameterizedTest
    @ValueSource(strings = {"20160701:00:03:00", "20160229:23:59:59", "20000229:12:00:00", "19991231:00:00:00"})
    void acceptsValidTimestamps(String ts) {
        assertThat(EventTimestamp.problem(ts)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "2016-07-01 00:03:00", "20160701:0:03:00", "20160701 00:03:00", "2016070100:03:00",
            "20161301:00:00:00", "20160001:00:00:00", "20160230:00:00:00", "21000229:00:00:00", "20160431:00:00:00",
            "20160701:24:00:00", "20160701:00:60:00", "20160701:00:00:60", "2016o701:00:03:00", " 20160701:00:03:00"})
    void rejectsInvalidTimestampsWithAReason(String ts) {
        assertThat(EventTimestamp.problem(ts)).isNotBlank().contains("event_timestamp");
    }

    @Test
    void monthIsTheFirstSixDigits() {
        assertThat(EventTimestamp.month("20160701:00:03:00")).isEqualTo("201607");
    }
}
