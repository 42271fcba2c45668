package dev.landfall.facility;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/** Parses a facility log CSV (header first, {@code event_timestamp} first column) into canonical rows and bad rows. */
public final class FacilityLogCsv {

    public static final String TIMESTAMP_COLUMN = "event_timestamp";

    /** The format shared with camel-csv's {@code CsvDataFormat} defaults: RFC 4180, blank lines skipped. */
    static final CSVFormat FORMAT = CSVFormat.DEFAULT.builder().setIgnoreEmptyLines(true).get();

    /** One accepted row: its timestamp and its canonical CSV line (no line terminator). */
    public record Row(String timestamp, String line, long lineNumber) {
        public String month() {
            return EventTimestamp.month(timestamp);
        }
    }

    /** A row that cannot be landed, with its 1-based line number in the source. */
    public record BadRow(long lineNumber, String reason, String line) {
    }

    public record Parsed(String header, int columns, List<Row> rows, List<BadRow> badRows) {
    }

    /** The whole file is unusable (no header, wrong first column). */
    public static final class BadFileException extends IllegalArgumentException {
        public BadFileException(String message) {
            super(message);
        }
    }

    private FacilityLogCsv() {
    }

    public static Parsed parse(Reader reader) throws IOException {
        try (CSVParser parser = CSVParser.builder().setReader(reader).setFormat(FORMAT).get()) {
            Iterator<CSVRecord> it = parser.iterator();
            if (!it.hasNext()) {
                throw new BadFileException("file is empty: no header with " + TIMESTAMP_COLUMN);
            }
            CSVRecord headerRecord = it.next();
            String first = stripBom(headerRecord.get(0)).trim();
            if (!TIMESTAMP_COLUMN.equals(first)) {
                throw new BadFileException("first header column is '" + first + "', expected " + TIMESTAMP_COLUMN);
            }
            List<String> headerFields = new ArrayList<>(headerRecord.toList());
            headerFields.set(0, TIMESTAMP_COLUMN);
            String header = toLine(headerFields);
            int columns = headerFields.size();
            List<Row> rows = new ArrayList<>();
            List<BadRow> bad = new ArrayList<>();
            while (true) {
                CSVRecord record;
                try {
                    if (!it.hasNext()) {
                        break;
                    }
                    record = it.next();
                } catch (UncheckedIOException e) {
                    // commons-csv reports a broken quote as an IOException: the rest of the file is unreadable
                    bad.add(new BadRow(parser.getCurrentLineNumber(), "unreadable CSV: " + e.getCause().getMessage(), ""));
                    break;
                }
                long lineNo = parser.getCurrentLineNumber();
                String line = toLine(record.toList());
                if (record.size() != columns) {
                    bad.add(new BadRow(lineNo, "expected " + columns + " columns, found " + record.size(), line));
                    continue;
                }
                String ts = record.get(0);
                String problem = EventTimestamp.problem(ts);
                if (problem != null) {
                    bad.add(new BadRow(lineNo, problem, line));
                    continue;
                }
                rows.add(new Row(ts, line, lineNo));
            }
            return new Parsed(header, columns, rows, bad);
        }
    }

    /** Formats fields as one CSV line, quoting only where RFC 4180 requires it. */
    public static String toLine(List<String> fields) {
        StringBuilder sb = new StringBuilder(fields.size() * 16);
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            appendField(sb, fields.get(i));
        }
        return sb.toString();
    }

    private static void appendField(StringBuilder sb, String v) {
        boolean quote = false;
        for (int i = 0; i < v.length() && !quote; i++) {
            char c = v.charAt(i);
            quote = c == ',' || c == '"' || c == '\n' || c == '\r';
        }
        if (!quote) {
            sb.append(v);
            return;
        }
        sb.append('"');
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '"') {
                sb.append('"');
            }
            sb.append(c);
        }
        sb.append('"');
    }

    private static String stripBom(String s) {
        return !s.isEmpty() && s.charAt(0) == '\uFEFF' ? s.substring(1) : s;
    }
}
