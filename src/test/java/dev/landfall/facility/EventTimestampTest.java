package dev.landfall.facility;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
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

    @Property(tries = 2000)
    void keysOrderLikeTheTextAndKnowTheMonth(@ForAll("timestamps") String a, @ForAll("timestamps") String b) {
        long ka = EventTimestamp.key(a);
        long kb = EventTimestamp.key(b);
        assertThat(ka >= 0).isEqualTo(EventTimestamp.problem(a) == null);
        if (ka >= 0 && kb >= 0) {
            assertThat(Long.signum(Long.compare(ka, kb))).isEqualTo(Integer.signum(a.compareTo(b)));
            assertThat(EventTimestamp.month(ka)).isEqualTo(EventTimestamp.month(a));
            assertThat(EventTimestamp.monthOf(ka) == EventTimestamp.monthOf(kb)).isEqualTo(a.startsWith(EventTimestamp.month(b)));
        }
    }

    @Provide
    Arbitrary<String> timestamps() {
        Arbitrary<Integer> year = Arbitraries.oneOf(Arbitraries.of(0, 1, 1900, 2000, 2016, 9999), Arbitraries.integers().between(0, 9999));
        return Combinators.combine(year, Arbitraries.integers().between(0, 13), Arbitraries.integers().between(0, 32),
                Arbitraries.integers().between(0, 24), Arbitraries.integers().between(0, 60), Arbitraries.integers().between(0, 60))
                .as((y, mo, d, h, mi, s) -> String.format("%04d%02d%02d:%02d:%02d:%02d", y, mo, d, h, mi, s));
    }
}
