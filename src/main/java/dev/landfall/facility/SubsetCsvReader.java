package dev.landfall.facility;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.landfall.facility.FacilityLogCsv.BadFileException;
import dev.landfall.facility.FacilityLogCsv.BadRow;
import dev.landfall.facility.FacilityLogCsv.Lines;
import org.apache.commons.csv.CSVParser;

/** Parses facility logs that keep to the common subset of CSV straight from their UTF-8 bytes. */
final class SubsetCsvReader {

    private static final byte QUOTE = '"';
    private static final byte COMMA = ',';
    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private final InputStream in;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private final Ascii firstField = new Ascii();
    private byte[] buffer = new byte[64 * 1024];
    private int position;
    private int limit;
    private boolean eof;
    /** The current line: {@code buffer[lineStart, lineEnd)} without its line end. */
    private int lineStart;
    private int lineEnd;
    private long lineNumber;
    /** A line with quoted fields, rewritten to canonical form. */
    private byte[] canonical = new byte[256];
    private int canonicalLength;
    private int columnsFound;
    /** The first field's value in {@code buffer}, with quotes doubled when {@code firstQuoted}. */
    private int firstStart;
    private int firstEnd;
    private boolean firstQuoted;

    private SubsetCsvReader(InputStream in) {
        this.in = in;
    }

    /**
     * The parsed file, exactly as {@link FacilityLogCsv#parse} gives it, or null at the first line outside the subset:
     * lines end in LF or CRLF and hold no other CR; a field that starts with a quote ends with its closing quote (a
     * doubled quote inside stands for one) right before a comma or the line end; valid UTF-8. There each record is one
     * line, split on commas, and its line number counts the line ends up to its own, as commons-csv does.
     */
    static Lines read(InputStream in) throws IOException {
        return new SubsetCsvReader(in).read();
    }

    private Lines read() throws IOException {
        List<String> headerFields = null;
        while (headerFields == null) {
            if (!nextLine()) {
                throw new BadFileException("file is empty: no header with " + FacilityLogCsv.TIMESTAMP_COLUMN);
            }
            if (lineEnd > lineStart) {
                if (!canonicalLine()) {
                    return null;
                }
                headerFields = headerFields();
            }
        }
        FacilityLogCsv.Header header = FacilityLogCsv.header(headerFields);
        int columns = header.columns();
        LogRows rows = new LogRows();
        List<BadRow> bad = new ArrayList<>();
        while (nextLine()) {
            if (lineEnd == lineStart) {
                continue;
            }
            if (!canonicalLine()) {
                return null;
            }
            byte[] line = canonicalLength >= 0 ? canonical : buffer;
            int from = canonicalLength >= 0 ? 0 : lineStart;
            int length = canonicalLength >= 0 ? canonicalLength : lineEnd - lineStart;
            if (columnsFound != columns) {
                bad.add(new BadRow(lineNumber, "expected " + columns + " columns, found " + columnsFound, text(line, from, length)));
                continue;
            }
            // a doubled quote makes the key invalid, as the value's quote would
            long key = EventTimestamp.key(firstField.of(buffer, firstStart, firstEnd));
            if (key < 0) {
                bad.add(new BadRow(lineNumber, EventTimestamp.problem(firstValue()), text(line, from, length)));
                continue;
            }
            rows.add(key, line, from, length, lineNumber);
        }
        return new Lines(header.line(), columns, rows, bad);
    }

    /** Advances to the next line, dropping the CR of a CRLF end; false at the end of the input. */
    private boolean nextLine() throws IOException {
        int lf = indexOfLf(position);
        while (lf < 0 && !eof) {
            int scanned = limit - position;
            fill();
            lf = indexOfLf(position + scanned);
        }
        if (lf < 0) {
            if (position == limit) {
                return false;
            }
            lineStart = position;
            lineEnd = limit;
            position = limit;
        } else {
            lineStart = position;
            lineEnd = lf > position && buffer[lf - 1] == CR ? lf - 1 : lf;
            position = lf + 1;
        }
        lineNumber++;
        return true;
    }

    private int indexOfLf(int from) {
        for (int i = from; i < limit; i++) {
            if (buffer[i] == LF) {
                return i;
            }
        }
        return -1;
    }

    /** Reads more input, keeping the unread part and growing the buffer when one line fills it. */
    private void fill() throws IOException {
        if (position > 0) {
            System.arraycopy(buffer, position, buffer, 0, limit - position);
            limit -= position;
            position = 0;
        }
        if (limit == buffer.length) {
            buffer = Arrays.copyOf(buffer, buffer.length * 2);
        }
        int n = in.read(buffer, limit, buffer.length - limit);
        if (n < 0) {
            eof = true;
        } else {
            limit += n;
        }
    }

    /**
     * Finds the current line's field count, canonical form and first field; false when the line is outside the
     * subset. A line without quotes is its own canonical form ({@code canonicalLength} is then -1).
     */
    private boolean canonicalLine() {
        int commas = 0;
        int firstComma = -1;
        boolean quotes = false;
        boolean ascii = true;
        for (int i = lineStart; i < lineEnd; i++) {
            byte b = buffer[i];
            if (b == COMMA) {
                if (commas++ == 0) {
                    firstComma = i;
                }
            } else if (b == QUOTE) {
                quotes = true;
            } else if (b == CR) {
                return false;
            } else if (b < 0) {
                ascii = false;
            }
        }
        if (!ascii && !validUtf8(lineStart, lineEnd)) {
            return false;
        }
        if (!quotes) {
            canonicalLength = -1;
            columnsFound = commas + 1;
            firstStart = lineStart;
            firstEnd = firstComma < 0 ? lineEnd : firstComma;
            firstQuoted = false;
            return true;
        }
        return canonicalQuotedLine();
    }

    /** {@link #canonicalLine} for a line with quotes: writes its canonical form into {@code canonical}. */
    private boolean canonicalQuotedLine() {
        ensureCanonical(2 * (lineEnd - lineStart) + 2);
        int out = 0;
        int fields = 0;
        int p = lineStart;
        while (true) {
            boolean quoted = p < lineEnd && buffer[p] == QUOTE;
            int valueStart;
            int valueEnd;
            int fieldEnd;
            if (quoted) {
                int close = closingQuote(p + 1);
                if (close < 0) {
                    return false;
                }
                valueStart = p + 1;
                valueEnd = close;
                fieldEnd = close + 1;
            } else {
                valueStart = p;
                valueEnd = commaOrLineEnd(p);
                fieldEnd = valueEnd;
            }
            if (fields == 0) {
                firstStart = valueStart;
                firstEnd = valueEnd;
                firstQuoted = quoted;
            } else {
                canonical[out++] = COMMA;
            }
            out = appendCanonical(valueStart, valueEnd, quoted, out);
            fields++;
            if (fieldEnd == lineEnd) {
                break;
            }
            // fieldEnd is a comma; a comma at the line end starts an empty last field
            p = fieldEnd + 1;
        }
        canonicalLength = out;
        columnsFound = fields;
        return true;
    }

    /** The closing quote of a quoted field whose inside starts at {@code from}, or -1 when outside the subset. */
    private int closingQuote(int from) {
        int i = from;
        while (i < lineEnd) {
            if (buffer[i] == QUOTE) {
                if (i + 1 < lineEnd && buffer[i + 1] == QUOTE) {
                    i += 2;
                    continue;
                }
                return i + 1 == lineEnd || buffer[i + 1] == COMMA ? i : -1;
            }
            i++;
        }
        return -1;
    }

    /**
     * Appends a field's canonical form to {@code canonical}: its value, quoted when it holds a comma or a quote.
     * With {@code quoted}, {@code buffer[start, end)} is the inside of a quoted field, where quotes come doubled.
     */
    private int appendCanonical(int start, int end, boolean quoted, int out) {
        boolean needsQuotes = false;
        for (int i = start; i < end && !needsQuotes; i++) {
            needsQuotes = buffer[i] == COMMA || buffer[i] == QUOTE;
        }
        if (!needsQuotes) {
            System.arraycopy(buffer, start, canonical, out, end - start);
            return out + end - start;
        }
        canonical[out++] = QUOTE;
        for (int i = start; i < end; i++) {
            byte b = buffer[i];
            canonical[out++] = b;
            if (b == QUOTE) {
                canonical[out++] = QUOTE;
                if (quoted) {
                    i++;
                }
            }
        }
        canonical[out++] = QUOTE;
        return out;
    }

    /** The first field's value as text. */
    private String firstValue() {
        String raw = text(buffer, firstStart, firstEnd - firstStart);
        return firstQuoted ? raw.replace("\"\"", "\"") : raw;
    }

    /** The header line's fields; the line is in the subset, where commons-csv reads one line on its own the same way. */
    private List<String> headerFields() throws IOException {
        try (CSVParser parser = CSVParser.parse(text(buffer, lineStart, lineEnd - lineStart), FacilityLogCsv.FORMAT)) {
            return new ArrayList<>(parser.iterator().next().toList());
        }
    }

    private int commaOrLineEnd(int from) {
        for (int i = from; i < lineEnd; i++) {
            if (buffer[i] == COMMA) {
                return i;
            }
        }
        return lineEnd;
    }

    private void ensureCanonical(int capacity) {
        if (canonical.length < capacity) {
            canonical = new byte[Math.max(capacity, canonical.length * 2)];
        }
    }

    private boolean validUtf8(int from, int to) {
        try {
            utf8.reset().decode(ByteBuffer.wrap(buffer, from, to - from));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static String text(byte[] bytes, int from, int length) {
        return new String(bytes, from, length, StandardCharsets.UTF_8);
    }

    /** Bytes seen as Latin-1 characters, reused so that checking a timestamp allocates nothing. */
    private static final class Ascii implements CharSequence {
        private byte[] bytes;
        private int start;
        private int end;

        Ascii of(byte[] bytes, int start, int end) {
            this.bytes = bytes;
            this.start = start;
            this.end = end;
            return this;
        }

        @Override
        public int length() {
            return end - start;
        }

        @Override
        public char charAt(int index) {
            return (char) (bytes[start + index] & 0xFF);
        }

        @Override
        public CharSequence subSequence(int from, int to) {
            return new String(bytes, start + from, to - from, StandardCharsets.ISO_8859_1);
        }

        @Override
        public String toString() {
            return subSequence(0, length()).toString();
        }
    }
}
