package dev.landfall.facility;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
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

    private static final Comparator<Row> BY_TIMESTAMP = Comparator.comparing(Row::timestamp);

    private MonthlyLog() {
    }

    public static Merge merge(String header, byte[] existing, List<Row> incoming) throws IOException {
        List<Row> stored = List.of();
        boolean canonical = true;
        if (existing != null && existing.length > 0) {
            FacilityLogCsv.Parsed parsed = FacilityLogCsv.parse(
                    new InputStreamReader(new ByteArrayInputStream(existing), StandardCharsets.UTF_8));
            if (!parsed.header().equals(header)) {
                throw new HeaderMismatchException("stored header '" + parsed.header() + "' differs from file header '" + header + "'");
            }
            stored = parsed.rows();
            canonical = parsed.badRows().isEmpty() && strictlyAscending(stored);
            if (!canonical) {
                stored = new ArrayList<>(stored);
                stored.sort(BY_TIMESTAMP);
            }
        }
        List<Row> in = new ArrayList<>(incoming);
        in.sort(BY_TIMESTAMP);

        StringBuilder out = new StringBuilder((existing == null ? 0 : existing.length) + in.size() * 64 + header.length() + 1);
        out.append(header).append('\n');
        List<Conflict> conflicts = new ArrayList<>();
        int added = 0;
        int duplicates = 0;
        int rows = 0;
        String lastTs = null;
        String lastLine = null;
        int i = 0;
        int j = 0;
        while (i < stored.size() || j < in.size()) {
            boolean takeStored = j >= in.size()
                    || (i < stored.size() && stored.get(i).timestamp().compareTo(in.get(j).timestamp()) <= 0);
            Row row = takeStored ? stored.get(i++) : in.get(j++);
            if (row.timestamp().equals(lastTs)) {
                if (row.line().equals(lastLine)) {
                    duplicates++;
                } else {
                    conflicts.add(new Conflict(row.timestamp(), lastLine, row.line(), takeStored ? -1 : row.lineNumber()));
                }
                continue;
            }
            out.append(row.line()).append('\n');
            rows++;
            lastTs = row.timestamp();
            lastLine = row.line();
            if (!takeStored) {
                added++;
            }
        }
        byte[] content = (added > 0 || !canonical) ? out.toString().getBytes(StandardCharsets.UTF_8) : null;
        return new Merge(content, added, duplicates, conflicts, rows);
    }

    private static boolean strictlyAscending(List<Row> rows) {
        for (int k = 1; k < rows.size(); k++) {
            if (rows.get(k - 1).timestamp().compareTo(rows.get(k).timestamp()) >= 0) {
                return false;
            }
        }
        return true;
    }
}
