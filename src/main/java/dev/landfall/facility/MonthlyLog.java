package dev.landfall.facility;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.landfall.facility.FacilityLogCsv.Row;

/** Merges rows into one month's log object: header first, rows sorted by timestamp, one row per timestamp. */
public final class MonthlyLog {

    /** The same timestamp arrived with other values than the row already kept; the kept row stays. */
    public record Conflict(String timestamp, String keptLine, String incomingLine, long lineNumber) {
    }

    /**
     * Outcome of a merge. {@code content} is null when the object needs no write.
     */
    public record Merge(byte[] content, int added, int duplicates, List<Conflict> conflicts, int rows) {
    }

    /** The stored object was written with another header than the incoming file's. */
    public static final class HeaderMismatchException extends IllegalArgumentException {
        public HeaderMismatchException(String message) {
            super(message);
        }
    }

    private MonthlyLog() {
    }

    /** {@link #merge(String, byte[], LogRows.Sorted)} of rows in the {@link FacilityLogCsv#parse} model. */
    public static Merge merge(String header, byte[] existing, List<Row> incoming) throws IOException {
        LogRows rows = new LogRows();
        incoming.forEach(rows::add);
        return merge(header, existing, LogRows.Sorted.all(rows));
    }

    public static Merge merge(String header, byte[] existing, LogRows.Sorted incoming) throws IOException {
        LogRows.Sorted stored = LogRows.Sorted.all(new LogRows());
        boolean canonical = true;
        if (existing != null && existing.length > 0) {
            FacilityLogCsv.Lines parsed = FacilityLogCsv.read(existing);
            if (!parsed.header().equals(header)) {
                throw new HeaderMismatchException("stored header '" + parsed.header() + "' differs from file header '" + header + "'");
            }
            canonical = parsed.badRows().isEmpty() && parsed.rows().strictlyAscending();
            stored = LogRows.Sorted.all(parsed.rows());
        }
        LogRows storedRows = stored.rows();
        LogRows inRows = incoming.rows();

        // one pass decides which rows go out (stored index i as i, incoming index j as -1 - j), a second copies them
        int[] out = new int[stored.size() + incoming.size()];
        int outCount = 0;
        long outBytes = 0;
        List<Conflict> conflicts = new ArrayList<>();
        int added = 0;
        int duplicates = 0;
        boolean hasLast = false;
        long lastKey = 0;
        LogRows lastRows = null;
        int lastIndex = -1;
        int i = 0;
        int j = 0;
        while (i < stored.size() || j < incoming.size()) {
            boolean takeStored = j >= incoming.size()
                    || (i < stored.size() && storedRows.key(stored.index(i)) <= inRows.key(incoming.index(j)));
            LogRows rows = takeStored ? storedRows : inRows;
            int index = takeStored ? stored.index(i++) : incoming.index(j++);
            long key = rows.key(index);
            if (hasLast && key == lastKey) {
                if (rows.sameLine(index, lastRows, lastIndex)) {
                    duplicates++;
                } else {
                    conflicts.add(new Conflict(rows.timestamp(index), lastRows.line(lastIndex), rows.line(index),
                            takeStored ? -1 : rows.lineNumber(index)));
                }
                continue;
            }
            out[outCount++] = takeStored ? index : -1 - index;
            outBytes += rows.length(index) + 1;
            hasLast = true;
            lastKey = key;
            lastRows = rows;
            lastIndex = index;
            if (!takeStored) {
                added++;
            }
        }
        byte[] content = null;
        if (added > 0 || !canonical) {
            byte[] head = header.getBytes(StandardCharsets.UTF_8);
            long size = head.length + 1 + outBytes;
            if (size > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("monthly object of " + size + " bytes is too large");
            }
            content = new byte[(int) size];
            System.arraycopy(head, 0, content, 0, head.length);
            int at = head.length;
            content[at++] = '\n';
            for (int k = 0; k < outCount; k++) {
                int index = out[k];
                at = index >= 0 ? storedRows.copyLine(index, content, at) : inRows.copyLine(-1 - index, content, at);
                content[at++] = '\n';
            }
        }
        return new Merge(content, added, duplicates, conflicts, outCount);
    }
}
