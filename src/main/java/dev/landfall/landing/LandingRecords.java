package dev.landfall.landing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * The records of clean text, one at a time, by format: JSON lines (Jackson, a line each), a JSON array (Jackson
 * streaming, an element at a time) or CSV with a header (commons-csv). A record that cannot be read is a {@link Entry}
 * with an error and the rest is read on; an error after which nothing more can be read (a JSON array broken in the
 * middle, a CSV quote never closed) ends the records with {@link Entry#fatal()}.
 */
public final class LandingRecords implements Iterator<LandingRecords.Entry>, AutoCloseable {

    /** A record (fields) or an error (reason and text) at a line of the clean text. */
    public record Entry(long line, ObjectNode fields, String error, String text, boolean fatal) {
        static Entry ok(long line, ObjectNode fields) {
            return new Entry(line, fields, null, null, false);
        }

        static Entry bad(long line, String error, String text) {
            return new Entry(line, null, error, text, false);
        }

        static Entry end(long line, String error) {
            return new Entry(line, null, error, null, true);
        }

        public boolean good() {
            return fields != null;
        }
    }

    /** Numbers kept as written (BigDecimal, not double): 1.50 stays 1.50, 1e400 is not Infinity. */
    static final ObjectMapper JSON = new ObjectMapper().enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));
    private static final int MAX_TEXT = 2000;

    private final Iterator<Entry> entries;
    private final AutoCloseable closing;

    private LandingRecords(Iterator<Entry> entries, AutoCloseable closing) {
        this.entries = entries;
        this.closing = closing;
    }

    public static LandingRecords read(Reader text, LandingSource.Format format) throws IOException {
        return switch (format) {
            case JSONL -> jsonLines(new BufferedReader(text, 1 << 16));
            case JSON -> jsonArray(text);
            case CSV -> csv(text);
        };
    }

    @Override
    public boolean hasNext() {
        return entries.hasNext();
    }

    @Override
    public Entry next() {
        return entries.next();
    }

    @Override
    public void close() throws Exception {
        closing.close();
    }

    static String clip(String s) {
        return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT) + "...";
    }

    private static LandingRecords jsonLines(BufferedReader in) {
        return new LandingRecords(new Reading() {
            long line;

            @Override
            Entry read() throws IOException {
                String s;
                while ((s = in.readLine()) != null) {
                    line++;
                    if (s.isBlank()) {
                        continue;
                    }
                    try {
                        JsonNode n = JSON.readTree(s);
                        if (n instanceof ObjectNode o) {
                            return Entry.ok(line, o);
                        }
                        return Entry.bad(line, "not a JSON object but " + n.getNodeType().name().toLowerCase(java.util.Locale.ROOT), clip(s));
                    } catch (JsonProcessingException e) {
                        return Entry.bad(line, "not JSON: " + e.getOriginalMessage(), clip(s));
                    }
                }
                return null;
            }
        }, in);
    }

    private static LandingRecords jsonArray(Reader text) throws IOException {
        JsonParser p = new JsonFactory(JSON).createParser(text);
        return new LandingRecords(new Reading() {
            boolean started;

            @Override
            Entry read() throws IOException {
                try {
                    if (!started) {
                        started = true;
                        JsonToken t = p.nextToken();
                        if (t == null) {
                            return null;
                        }
                        if (t != JsonToken.START_ARRAY) {
                            return Entry.end(p.currentTokenLocation().getLineNr(), "not a JSON array: it starts with " + t.asString());
                        }
                    }
                    JsonToken t = p.nextToken();
                    if (t == null) {
                        return Entry.end(p.currentLocation().getLineNr(), "the JSON array is not closed (truncated?)");
                    }
                    if (t == JsonToken.END_ARRAY) {
                        return null;
                    }
                    long line = p.currentTokenLocation().getLineNr();
                    JsonNode n = p.readValueAsTree();
                    if (n instanceof ObjectNode o) {
                        return Entry.ok(line, o);
                    }
                    return Entry.bad(line, "element is not a JSON object but " + n.getNodeType().name().toLowerCase(java.util.Locale.ROOT),
                            clip(n.toString()));
                } catch (JsonProcessingException e) {
                    return Entry.end(e.getLocation() == null ? p.currentLocation().getLineNr() : e.getLocation().getLineNr(),
                            "not JSON: " + e.getOriginalMessage());
                }
            }
        }, p);
    }

    private static LandingRecords csv(Reader text) throws IOException {
        CSVParser parser = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setAllowMissingColumnNames(true)
                .setDuplicateHeaderMode(org.apache.commons.csv.DuplicateHeaderMode.DISALLOW).build().parse(text);
        List<String> header = parser.getHeaderNames();
        Iterator<CSVRecord> records = parser.iterator();
        return new LandingRecords(new Reading() {
            long lastLine = 1;

            @Override
            Entry read() {
                try {
                    if (!records.hasNext()) {
                        return null;
                    }
                    CSVRecord r = records.next();
                    long line = lastLine + 1;
                    lastLine = parser.getCurrentLineNumber();
                    if (r.size() != header.size()) {
                        return Entry.bad(line, "has " + r.size() + " fields, the header " + header.size(), clip(String.join(",", r.values())));
                    }
                    ObjectNode o = JsonNodeFactory.instance.objectNode();
                    for (int i = 0; i < header.size(); i++) {
                        String v = r.get(i);
                        if (!v.isEmpty()) {
                            o.put(header.get(i), v);
                        }
                    }
                    return Entry.ok(line, o);
                } catch (UncheckedIOException | IllegalStateException e) {
                    return Entry.end(parser.getCurrentLineNumber(), "not CSV: " + e.getMessage());
                }
            }
        }, parser);
    }

    /** An iterator over entries read one ahead; after a fatal entry, nothing more. */
    private abstract static class Reading implements Iterator<Entry> {
        private Entry next;
        private boolean done;

        abstract Entry read() throws IOException;

        @Override
        public boolean hasNext() {
            if (next == null && !done) {
                try {
                    next = read();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                if (next == null || next.fatal()) {
                    done = true;
                }
            }
            return next != null;
        }

        @Override
        public Entry next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Entry e = next;
            next = null;
            return e;
        }
    }
}
