package dev.landfall.facility;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Accepted facility log rows held compactly: canonical UTF-8 lines in shared byte pages, with each row's timestamp key
 * and source line number.
 */
public final class LogRows {

    /** Below G1's humongous-object size even with 1 MB regions, so pages never fragment a small heap. */
    private static final int PAGE_SIZE = 256 * 1024;

    private byte[][] pages = new byte[8][];
    private int pageCount;
    private int pageUsed;
    private long[] keys = new long[64];
    private long[] lineNumbers = new long[64];
    /** Page index in the high 32 bits, offset in the page in the low 32 bits. */
    private long[] positions = new long[64];
    private int[] lengths = new int[64];
    private int size;

    /** Rows of one {@link LogRows} in timestamp order: {@code order} holds their indexes. */
    public record Sorted(LogRows rows, int[] order) {

        /** All rows, sorted. */
        public static Sorted all(LogRows rows) {
            return of(rows, IntStream.range(0, rows.size()).toArray());
        }

        /** The given rows, sorted; rows with the same timestamp keep their order in {@code indexes}. */
        public static Sorted of(LogRows rows, int[] indexes) {
            return new Sorted(rows, rows.sortedByTimestamp(indexes));
        }

        public int size() {
            return order.length;
        }

        /** The index in {@link #rows} of the k-th row in timestamp order. */
        public int index(int k) {
            return order[k];
        }
    }

    /**
     * Adds a row.
     *
     * @param key the {@link EventTimestamp#key} of the line's timestamp, which the line starts with
     * @param line holds the canonical line (UTF-8, no terminator) at {@code [offset, offset + length)}
     */
    public void add(long key, byte[] line, int offset, int length, long lineNumber) {
        if (size == keys.length) {
            int capacity = size + (size >> 1);
            keys = Arrays.copyOf(keys, capacity);
            lineNumbers = Arrays.copyOf(lineNumbers, capacity);
            positions = Arrays.copyOf(positions, capacity);
            lengths = Arrays.copyOf(lengths, capacity);
        }
        if (pageCount == 0 || pageUsed + length > pages[pageCount - 1].length) {
            if (pageCount == pages.length) {
                pages = Arrays.copyOf(pages, pageCount * 2);
            }
            pages[pageCount++] = new byte[Math.max(PAGE_SIZE, length)];
            pageUsed = 0;
        }
        System.arraycopy(line, offset, pages[pageCount - 1], pageUsed, length);
        keys[size] = key;
        lineNumbers[size] = lineNumber;
        positions[size] = ((long) (pageCount - 1) << 32) | pageUsed;
        lengths[size] = length;
        pageUsed += length;
        size++;
    }

    /** Adds a row of the {@link FacilityLogCsv#parse} model; its timestamp must be valid. */
    public void add(FacilityLogCsv.Row row) {
        long key = EventTimestamp.key(row.timestamp());
        if (key < 0) {
            throw new IllegalArgumentException(EventTimestamp.problem(row.timestamp()));
        }
        byte[] line = row.line().getBytes(StandardCharsets.UTF_8);
        add(key, line, 0, line.length, row.lineNumber());
    }

    public int size() {
        return size;
    }

    public long key(int i) {
        return keys[i];
    }

    public long lineNumber(int i) {
        return lineNumbers[i];
    }

    /** Length in bytes of row i's line. */
    public int length(int i) {
        return lengths[i];
    }

    public String line(int i) {
        return new String(page(i), offset(i), lengths[i], StandardCharsets.UTF_8);
    }

    /** Row i's timestamp text, which its canonical line starts with. */
    public String timestamp(int i) {
        return new String(page(i), offset(i), EventTimestamp.LENGTH, StandardCharsets.US_ASCII);
    }

    /** Copies row i's line into {@code target} at {@code at}; returns the position after it. */
    public int copyLine(int i, byte[] target, int at) {
        System.arraycopy(page(i), offset(i), target, at, lengths[i]);
        return at + lengths[i];
    }

    /** Whether row i's line equals row j's line of {@code other}. */
    public boolean sameLine(int i, LogRows other, int j) {
        int from = offset(i);
        int otherFrom = other.offset(j);
        return Arrays.equals(page(i), from, from + lengths[i], other.page(j), otherFrom, otherFrom + other.lengths[j]);
    }

    /** Whether every row's timestamp is later than the one before. */
    public boolean strictlyAscending() {
        for (int i = 1; i < size; i++) {
            if (keys[i - 1] >= keys[i]) {
                return false;
            }
        }
        return true;
    }

    private int[] sortedByTimestamp(int[] indexes) {
        int n = indexes.length;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        boolean ascending = true;
        for (int k = 0; k < n; k++) {
            long key = keys[indexes[k]];
            ascending &= key > max;
            min = Math.min(min, key);
            max = Math.max(max, key);
        }
        if (ascending) {
            return indexes.clone();
        }
        int positionBits = 64 - Long.numberOfLeadingZeros(n - 1L);
        int keyBits = 64 - Long.numberOfLeadingZeros(max - min);
        int[] order = new int[n];
        if (positionBits + keyBits <= 63) {
            // a primitive sort of (key, position) pairs packed in one long: stable by construction and cache-friendly
            long[] packed = new long[n];
            for (int k = 0; k < n; k++) {
                packed[k] = ((keys[indexes[k]] - min) << positionBits) | k;
            }
            sort(packed, positionBits + keyBits);
            long mask = (1L << positionBits) - 1;
            for (int k = 0; k < n; k++) {
                order[k] = indexes[(int) (packed[k] & mask)];
            }
            return order;
        }
        // too many rows over too long a time for one long: a slower stable sort
        Integer[] boxed = Arrays.stream(indexes).boxed().toArray(Integer[]::new);
        Arrays.sort(boxed, Comparator.comparingLong(i -> keys[i]));
        Arrays.setAll(order, k -> boxed[k]);
        return order;
    }

    /** Below this many rows a comparison sort is as fast as the radix sort's passes over its buckets. */
    private static final int RADIX_SORT_MIN = 2048;
    private static final int RADIX_BITS = 11;

    /**
     * Sorts non-negative values of at most {@code bits} bits: a least-significant-digit radix sort (a few linear passes,
     * where a month's rows need three or four) for many values, {@link Arrays#sort} for few.
     */
    static void sort(long[] values, int bits) {
        int n = values.length;
        if (n < RADIX_SORT_MIN) {
            Arrays.sort(values);
            return;
        }
        long[] from = values;
        long[] to = new long[n];
        int[] counts = new int[1 << RADIX_BITS];
        int mask = (1 << RADIX_BITS) - 1;
        for (int shift = 0; shift < bits; shift += RADIX_BITS) {
            Arrays.fill(counts, 0);
            for (int k = 0; k < n; k++) {
                counts[(int) (from[k] >>> shift) & mask]++;
            }
            int sum = 0;
            for (int d = 0; d < counts.length; d++) {
                int c = counts[d];
                counts[d] = sum;
                sum += c;
            }
            for (int k = 0; k < n; k++) {
                long v = from[k];
                to[counts[(int) (v >>> shift) & mask]++] = v;
            }
            long[] swap = from;
            from = to;
            to = swap;
        }
        if (from != values) {
            System.arraycopy(from, 0, values, 0, n);
        }
    }

    private byte[] page(int i) {
        return pages[(int) (positions[i] >>> 32)];
    }

    private int offset(int i) {
        return (int) positions[i];
    }
}
