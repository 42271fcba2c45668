package dev.landfall.facility;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import static org.assertj.core.api.Assertions.assertThat;

/** The compact row store's sort: equal to a plain sort, stable for equal timestamps. */
class LogRowsTest {

    @Property(tries = 300)
    void theRadixSortEqualsArraysSort(@ForAll @IntRange(min = 0, max = 20_000) int n, @ForAll @IntRange(min = 1, max = 63) int bits,
                                      @ForAll long seed) {
        java.util.Random random = new java.util.Random(seed);
        long[] values = new long[n];
        long mask = bits == 63 ? Long.MAX_VALUE : (1L << bits) - 1;
        for (int k = 0; k < n; k++) {
            values[k] = random.nextLong() & mask;
        }
        long[] expected = values.clone();
        Arrays.sort(expected);
        LogRows.sort(values, bits);
        assertThat(values).isEqualTo(expected);
    }

    @Property(tries = 200)
    void sortedRowsKeepTheirOrderForEqualTimestamps(@ForAll("keys") List<Long> keys) {
        LogRows rows = new LogRows();
        for (int i = 0; i < keys.size(); i++) {
            byte[] line = ("row" + i).getBytes(StandardCharsets.UTF_8);
            rows.add(keys.get(i), line, 0, line.length, i + 2);
        }
        LogRows.Sorted sorted = LogRows.Sorted.all(rows);
        for (int k = 1; k < sorted.size(); k++) {
            long before = rows.key(sorted.index(k - 1));
            long after = rows.key(sorted.index(k));
            assertThat(before).isLessThanOrEqualTo(after);
            if (before == after) {
                assertThat(sorted.index(k - 1)).isLessThan(sorted.index(k));
            }
        }
        assertThat(Arrays.stream(sorted.order()).sorted().toArray()).isEqualTo(java.util.stream.IntStream.range(0, keys.size()).toArray());
    }

    @Provide
    Arbitrary<List<Long>> keys() {
        return Arbitraries.longs().between(0, 50).list().ofMaxSize(3000);
    }
}
