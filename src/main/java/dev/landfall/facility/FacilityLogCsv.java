package dev.landfall.facility;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

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

    /** Opens a file's bytes; may be called twice, see {@link #read(Source)}. */
    @FunctionalInterface
    public interface Source {
        InputStream open() throws IOException;
    }

    /** A file read by {@link #read}: like {@link Parsed}, with the accepted rows held compactly. */
    public record Lines(String header, int columns, LogRows rows, List<BadRow> badRows) {
    }

    /** Parses a file with commons-csv, the reference for what every other path of this class must return. */
    public static Parsed parse(Reader reader) throws IOException {
        List<Row> rows = new ArrayList<>();
        List<BadRow> bad = new ArrayList<>();
        Header header = parse(reader, rows::add, bad::add);
        return new Parsed(header.line(), header.columns(), rows, bad);
    }

    /**
     * Parses UTF-8 CSV like {@link #parse(Reader)}. Files in the common subset of CSV (LF or CRLF line ends, no quoted
     * line breaks, nothing after a closing quote, valid UTF-8) are read once, straight from the bytes; any other file
     * is opened a second time and parsed with commons-csv.
     */
    public static Lines read(Source source) throws IOException {
        try (InputStream in = source.open()) {
            Lines lines = SubsetCsvReader.read(in);
            if (lines != null) {
                return lines;
            }
        }
        LogRows rows = new LogRows();
        List<BadRow> bad = new ArrayList<>();
        try (Reader reader = new InputStreamReader(source.open(), StandardCharsets.UTF_8)) {
            Header header = parse(reader, rows::add, bad::add);
            return new Lines(header.line(), header.columns(), rows, bad);
        }
    }

    /** {@link #read(Source)} of bytes in memory. */
    public static Lines read(byte[] content) throws IOException {
        return read(() -> new ByteArrayInputStream(content));
    }

    record Header(String line, int columns) {
    }

    private static Header parse(Reader reader, Consumer<Row> rowSink, Consumer<BadRow> badSink) throws IOException {
        try (CSVParser parser = CSVParser.builder().setReader(reader).setFormat(FORMAT).get()) {
            Iterator<CSVRecord> it = parser.iterator();
            if (!it.hasNext()) {
                throw new BadFileException("file is empty: no header with " + TIMESTAMP_COLUMN);
            }
            Header header = header(new ArrayList<>(it.next().toList()));
            int columns = header.columns();
            while (true) {
                CSVRecord record;
                try {
                    if (!it.hasNext()) {
                        break;
                    }
                    record = it.next();
                } catch (UncheckedIOException e) {
                    // commons-csv reports a broken quote as an IOException: the rest of the file is unreadable
                    badSink.accept(new BadRow(parser.getCurrentLineNumber(), "unreadable CSV: " + e.getCause().getMessage(), ""));
                    break;
                }
                long lineNo = parser.getCurrentLineNumber();
                String line = toLine(record.toList());
                if (record.size() != columns) {
                    badSink.accept(new BadRow(lineNo, "expected " + columns + " columns, found " + record.size(), line));
                    continue;
                }
                String ts = record.get(0);
                String problem = EventTimestamp.problem(ts);
                if (problem != null) {
                    badSink.accept(new BadRow(lineNo, problem, line));
                    continue;
                }
                rowSink.accept(new Row(ts, line, lineNo));
            }
            return header;
        }
    }

    /** Checks the header record and returns its canonical line; {@code fields} gets its first name normalised. */
    static Header header(List<String> fields) {
        String first = stripBom(fields.get(0)).trim();
        if (!TIMESTAMP_COLUMN.equals(first)) {
            throw new BadFileException("first header column is '" + first + "', expected " + TIMESTAMP_COLUMN);
        }
        fields.set(0, TIMESTAMP_COLUMN);
        return new Header(toLine(fields), fields.size());
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
