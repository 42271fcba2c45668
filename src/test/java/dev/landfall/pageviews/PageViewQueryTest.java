package dev.landfall.pageviews;

import java.time.Instant;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every API parameter is bounded: extreme values are a 400 message, never a loop or an allocation sized by the caller. */
class PageViewQueryTest {

    static final long NOW = Instant.parse("2026-12-01T09:30:00Z").getEpochSecond();

    @Provide
    Arbitrary<Long> epochs() {
        return Arbitraries.oneOf(
                Arbitraries.longs().between(Long.MIN_VALUE, Long.MAX_VALUE),
                Arbitraries.longs().between(PageViewQuery.MIN_EPOCH - 10 * 86400L, PageViewQuery.MAX_EPOCH + 10 * 86400L),
                Arbitraries.of(Long.MAX_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE, Long.MIN_VALUE + 1, 0L, -1L, 1L,
                        PageViewQuery.MIN_EPOCH, PageViewQuery.MAX_EPOCH, PageViewQuery.MAX_EPOCH + 1, 9_223_372_036_854_775_806L));
    }

    @Provide
    Arbitrary<PageViewStats.Granularity> granularities() {
        return Arbitraries.of(PageViewStats.Granularity.class);
    }

    @Property(tries = 3000)
    void anyPairOfEpochsIsABoundedRangeOrA400(@ForAll("epochs") long from, @ForAll("epochs") long to,
                                               @ForAll("granularities") PageViewStats.Granularity granularity) {
        String f = Long.toString(from);
        try {
            PageViewQuery.Range raw = PageViewQuery.range(f, Long.toString(to), NOW);
            PageViewQuery.Range counts = PageViewQuery.counts(raw, granularity);
            assertThat(counts.from()).isBetween(PageViewQuery.MIN_EPOCH, PageViewQuery.MAX_EPOCH);
            assertThat(counts.to()).isBetween(counts.from() + 1, PageViewQuery.MAX_EPOCH);
            assertThat(counts.buckets(granularity.seconds)).isBetween(1L, (long) PageViewQuery.maxBuckets(granularity));
            assertThat(counts.from() % granularity.seconds).isZero();
            assertThat(counts.to() % granularity.seconds).isZero();
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
        try {
            PageViewQuery.Range top = PageViewQuery.top(PageViewQuery.range(f, Long.toString(to), NOW));
            assertThat(top.buckets(86400)).isBetween(1L, (long) PageViewQuery.MAX_TOP_DAYS);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @Test
    void theAttackParametersOfFinding2AreRejected() {
        assertThatThrownBy(() -> PageViewQuery.range("9223372036854775806", "9223372036854775807", NOW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("between 2000-01-01 and 2100-01-01");
        assertThatThrownBy(() -> PageViewQuery.range("99999999999999999999999", null, NOW))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PageViewQuery.range("+1000000000-01-01T00:00:00Z", null, NOW))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PageViewQuery.range(null, "-1000000000-01-01T00:00:00Z", NOW))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PageViewQuery.range("0", "1", NOW)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void hourRangesStopAt744BucketsDayRangesAt5YearsTopAt366Days() {
        long day = Instant.parse("2022-10-01T00:00:00Z").getEpochSecond();
        PageViewQuery.Range month = PageViewQuery.range(Long.toString(day), Long.toString(day + 744 * 3600L), NOW);
        assertThat(PageViewQuery.counts(month, PageViewStats.Granularity.HOUR).buckets(3600)).isEqualTo(744);
        PageViewQuery.Range tooLong = PageViewQuery.range(Long.toString(day), Long.toString(day + 744 * 3600L + 1), NOW);
        assertThatThrownBy(() -> PageViewQuery.counts(tooLong, PageViewStats.Granularity.HOUR))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("744");
        assertThat(PageViewQuery.counts(tooLong, PageViewStats.Granularity.DAY).buckets(86400)).isEqualTo(32);
        PageViewQuery.Range fiveYears = PageViewQuery.range("2020-01-01", "2025-01-01", NOW);
        assertThat(PageViewQuery.counts(fiveYears, PageViewStats.Granularity.DAY).buckets(86400)).isEqualTo(1827);
        PageViewQuery.Range more = PageViewQuery.range("2020-01-01", "2025-01-02", NOW);
        assertThatThrownBy(() -> PageViewQuery.counts(more, PageViewStats.Granularity.DAY)).isInstanceOf(IllegalArgumentException.class);
        assertThat(PageViewQuery.top(PageViewQuery.range("2024-01-01", "2025-01-01", NOW)).buckets(86400)).isEqualTo(366);
        assertThatThrownBy(() -> PageViewQuery.top(PageViewQuery.range("2024-01-01", "2025-01-02", NOW)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rangesAreRoundedOutwardToWholeBuckets() {
        long day = Instant.parse("2022-10-20T00:00:00Z").getEpochSecond();
        PageViewQuery.Range raw = PageViewQuery.range(Long.toString(day + 5400), Long.toString(day + 7201), NOW);
        assertThat(PageViewQuery.counts(raw, PageViewStats.Granularity.HOUR)).isEqualTo(new PageViewQuery.Range(day + 3600, day + 3 * 3600));
        assertThat(PageViewQuery.top(raw)).isEqualTo(new PageViewQuery.Range(day, day + 86400));
        // the default: the last 30 days, 721 hours at most when now is not on the hour
        PageViewQuery.Range last30 = PageViewQuery.counts(PageViewQuery.range(null, null, NOW), PageViewStats.Granularity.HOUR);
        assertThat(last30.buckets(3600)).isEqualTo(721);
        assertThat(PageViewQuery.top(PageViewQuery.range(null, null, NOW)).buckets(86400)).isEqualTo(31);
    }

    @Test
    void pageNamesWithControlCharactersAreRejected() {
        for (String bad : new String[] {"a%00b", "a\u0000b", "%0a", "x%1Fy", "del%7F", "nel%C2%85", ""}) {
            assertThatThrownBy(() -> PageViewQuery.page(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("page");
        }
        assertThatThrownBy(() -> PageViewQuery.page("bad%zzescape")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PageViewQuery.page("a".repeat(PageViewQuery.MAX_PAGE_BYTES + 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(PageViewQuery.page("docs/caf%C3%A9-menu.html")).isEqualTo("docs/caf\u00e9-menu.html");
        assertThat(PageViewQuery.page("blog/articles/2020-12-30-serverless%20api%20with%20spaces"))
                .isEqualTo("blog/articles/2020-12-30-serverless api with spaces");
        assertThat(PageViewQuery.page("/")).isEqualTo("/");
    }

    @Test
    void limitsAreBounded() {
        assertThat(PageViewQuery.limit(null)).isEqualTo(10);
        for (String bad : new String[] {"0", "-1", "1001", "9223372036854775807", "1e3", "ten"}) {
            assertThatThrownBy(() -> PageViewQuery.limit(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
