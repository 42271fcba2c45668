package dev.landfall.common.access;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Key format, checksum and digest; GCRA's bounds; plan windows. Plain JUnit and properties, no Camel. */
class ApiKeysTest {

    static final ApiKeys KEYS = new ApiKeys("a pepper of at least thirty-two bytes....".getBytes(StandardCharsets.UTF_8));
    static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    @Test
    void aKeyIsLfThen49Base62CharactersAndEveryKeyIsNew() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            String key = KEYS.generate();
            assertThat(key).hasSize(52).startsWith("lf_").matches("lf_[0-9A-Za-z]{49}");
            assertThat(ApiKeys.wellFormed(key)).isTrue();
            assertThat(seen.add(key)).isTrue();
        }
    }

    @Property(tries = 3000)
    void anyOneCharacterChangedIsRejectedByTheChecksum(@ForAll @IntRange(min = 3, max = 51) int at, @ForAll @IntRange(min = 1, max = 61) int shift) {
        String key = KEYS.generate();
        char c = key.charAt(at);
        char other = ALPHABET.charAt((ALPHABET.indexOf(c) + shift) % 62);
        String changed = key.substring(0, at) + other + key.substring(at + 1);
        assertThat(ApiKeys.wellFormed(changed)).as(changed).isFalse();
    }

    @Test
    void garbageIsRejectedBeforeAnyLookUp() {
        for (String s : new String[] {null, "", "lf_", "LF_" + KEYS.generate().substring(3), KEYS.generate() + "x",
                KEYS.generate().substring(1), "lf_" + "-".repeat(49), "Bearer " + KEYS.generate()}) {
            assertThat(ApiKeys.wellFormed(s)).as(s).isFalse();
        }
    }

    @Test
    void theDigestIsAnHmacOfThePepperNotTheKey() {
        String key = KEYS.generate();
        String digest = KEYS.digest(key);
        assertThat(digest).hasSize(64).matches("[0-9a-f]{64}").isEqualTo(KEYS.digest(key)).doesNotContain(key.substring(3, 20));
        assertThat(new ApiKeys("another pepper of at least thirty-two bytes".getBytes(StandardCharsets.UTF_8)).digest(key)).isNotEqualTo(digest);
        assertThat(ApiKeys.id(digest)).isEqualTo(digest.substring(0, 16));
        assertThatThrownBy(() -> new ApiKeys("short".getBytes(StandardCharsets.UTF_8))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void withoutAPepperNoKeyCanBeCheckedSoKeyedEndpointsAnswer503() {
        assertThatThrownBy(() -> ApiKeys.unconfigured().digest(KEYS.generate())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("LANDFALL_API_KEY_PEPPER");
    }

    @Property(tries = 500)
    void gcraGrantsAtMostTheBurstAtOnceAndTheRateOverTime(@ForAll @IntRange(min = 1, max = 50) int burst,
                                                           @ForAll @IntRange(min = 1, max = 1000) int ratePerSecond,
                                                           @ForAll @IntRange(min = 1, max = 30) int wanted,
                                                           @ForAll @LongRange(min = 0, max = 5_000_000) long spanMicros) {
        long interval = Gcra.interval(ratePerSecond);
        long tat = 0;
        long now = 1_000_000_000_000L;
        long end = now + spanMicros;
        long granted = 0;
        // a client asking as fast as it can, in steps of a tenth of the interval
        for (long t = now; t <= end; t += Math.max(1, interval / 10)) {
            Gcra.Take take = Gcra.take(tat, t, wanted, interval, burst);
            assertThat(take.granted()).isBetween(0, wanted);
            if (take.granted() == 0) {
                assertThat(take.retryAfterMicros()).isPositive();
            }
            granted += take.granted();
            tat = take.tat();
        }
        // never more than the burst plus what the rate adds over the span
        assertThat(granted).isLessThanOrEqualTo(burst + spanMicros / interval + 1);
    }

    @Test
    void quotaWindowsAreUtcDaysIsoWeeksAndMonths() {
        Instant t = Instant.parse("2026-12-03T17:45:00Z");
        assertThat(UsagePlan.Period.DAY.start(t)).isEqualTo(Instant.parse("2026-12-03T00:00:00Z"));
        assertThat(UsagePlan.Period.DAY.end(t)).isEqualTo(Instant.parse("2026-12-04T00:00:00Z"));
        assertThat(UsagePlan.Period.WEEK.start(t)).isEqualTo(Instant.parse("2026-11-30T00:00:00Z"));
        assertThat(UsagePlan.Period.WEEK.end(t)).isEqualTo(Instant.parse("2026-12-07T00:00:00Z"));
        assertThat(UsagePlan.Period.MONTH.start(t)).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
        assertThat(UsagePlan.Period.MONTH.end(t)).isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
    }

    @Test
    void aPlanIsCheckedWhenMade() {
        assertThatThrownBy(() -> new UsagePlan("bad name", 1, 1, 0, null, Set.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new UsagePlan("p", 10, 0, 0, null, Set.of())).hasMessageContaining("burst");
        assertThatThrownBy(() -> new UsagePlan("p", 0, 0, 5, null, Set.of())).hasMessageContaining("period");
        assertThatThrownBy(() -> new UsagePlan("p", Double.NaN, 1, 0, null, Set.of())).hasMessageContaining("rate");
        assertThat(new UsagePlan("p", 0, 0, 0, null, Set.of("*")).allows("anything")).isTrue();
        assertThat(new UsagePlan("p", 0, 0, 0, null, Set.of("page-views")).allows("directory")).isFalse();
    }
}
