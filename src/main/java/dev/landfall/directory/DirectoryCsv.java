package dev.landfall.directory;

import java.io.IOException;
import java.io.PushbackReader;
import java.io.Reader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Reads a directory CSV (a header, then one row per document key + member key) into documents: the rows grouped by
 * the document key, each member's other columns typed by {@link FactTypes}. RFC 4180 through commons-csv: quotes,
 * embedded commas and line breaks, doubled quotes, CRLF or LF, an optional UTF-8 byte-order mark. Keys are kept exactly
 * as written.
 * <p>
 * Rows that cannot be loaded are reported, not loaded: a row with the wrong number of fields, an empty key field, a
 * value that breaks a column's declared type, and every row of a composite key given more than once (which of them
 * is right cannot be told). A header without both key columns rejects the whole file.
 */
public final class DirectoryCsv {

    /** A row (or, for a duplicate key, the rows) not loaded: kind, reason, first lines of the rows, their text. */
    public record Bad(String kind, String reason, List<Long> lines, String text) {
    }

    /** The documents (sorted by key, members sorted too), the rows not loaded and the rows read. */
    public record Parsed(List<String> header, SortedMap<String, SortedMap<String, Map<String, AttributeValue>>> documents,
                         List<Bad> bad, long rows) {
    }

    private DirectoryCsv() {
    }

    /**
     * @throws IllegalArgumentException the header lacks a key column or names a column twice (the file is rejected)
     */
    public static Parsed read(Reader in, String documentKey, String memberKey, FactTypes types) throws IOException {
        PushbackReader reader = new PushbackReader(in, 1);
        int first = reader.read();
        if (first != -1 && first != '\uFEFF') {
            reader.unread(first);
        }
        CSVFormat format = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get();
        SortedMap<String, SortedMap<String, Map<String, AttributeValue>>> docs = new TreeMap<>();
        Map<String, Map<String, Long>> seenAt = new HashMap<>();
        Map<String, Map<String, List<Long>>> duplicates = new LinkedHashMap<>();
        Map<String, Map<String, List<String>>> duplicateText = new HashMap<>();
        List<Bad> bad = new ArrayList<>();
        long rows = 0;
        CSVParser parser;
        try {
            parser = CSVParser.builder().setReader(reader).setFormat(format).get();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IllegalArgumentException("the CSV's header cannot be read: " + e.getMessage(), e);
        }
        try (parser) {
            List<String> header = parser.getHeaderNames();
            int docCol = header.indexOf(documentKey);
            int memberCol = header.indexOf(memberKey);
            if (docCol < 0 || memberCol < 0) {
                throw new IllegalArgumentException("the CSV has no column '" + (docCol < 0 ? documentKey : memberKey)
                        + "' (its header: " + String.join(",", header) + ")");
            }
            long lastLine = parser.getCurrentLineNumber();
            for (CSVRecord record : parser) {
                long line = lastLine + 1;
                lastLine = parser.getCurrentLineNumber();
                rows++;
                if (record.size() != header.size()) {
                    bad.add(new Bad("ragged-row", record.size() + " fields where the header has " + header.size(),
                            List.of(line), text(record)));
                    continue;
                }
                String doc = record.get(docCol);
                String member = record.get(memberCol);
                if (doc.isEmpty() || member.isEmpty()) {
                    bad.add(new Bad("empty-key", "empty " + (doc.isEmpty() ? documentKey : memberKey), List.of(line), text(record)));
                    continue;
                }
                Map<String, AttributeValue> facts = new TreeMap<>();
                try {
                    for (int i = 0; i < header.size(); i++) {
                        if (i != docCol && i != memberCol) {
                            AttributeValue v = types.type(header.get(i), record.get(i));
                            if (v != null) {
                                facts.put(header.get(i), v);
                            }
                        }
                    }
                } catch (IllegalArgumentException e) {
                    bad.add(new Bad("bad-value", e.getMessage(), List.of(line), text(record)));
                    continue;
                }
                Map<String, Long> seen = seenAt.computeIfAbsent(doc, k -> new HashMap<>());
                Long firstLine = seen.putIfAbsent(member, line);
                if (firstLine != null) {
                    List<Long> lines = duplicates.computeIfAbsent(doc, k -> new LinkedHashMap<>())
                            .computeIfAbsent(member, k -> new ArrayList<>(List.of(firstLine)));
                    lines.add(line);
                    duplicateText.computeIfAbsent(doc, k -> new HashMap<>()).computeIfAbsent(member, k -> new ArrayList<>()).add(text(record));
                    continue;
                }
                docs.computeIfAbsent(doc, k -> new TreeMap<>()).put(member, facts);
            }
            duplicates.forEach((doc, members) -> members.forEach((member, lines) -> {
                SortedMap<String, Map<String, AttributeValue>> d = docs.get(doc);
                d.remove(member);
                if (d.isEmpty()) {
                    docs.remove(doc);
                }
                bad.add(new Bad("duplicate-key", "the key " + documentKey + "=" + doc + ", " + memberKey + "=" + member
                        + " is on " + lines.size() + " rows (lines " + lines + "); none of them is loaded", List.copyOf(lines),
                        String.join("\n", duplicateText.get(doc).get(member))));
            }));
            bad.sort(java.util.Comparator.comparing(b -> b.lines().get(0)));
            return new Parsed(List.copyOf(header), docs, bad, rows);
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static String text(CSVRecord record) {
        return String.join(",", record.toList());
    }
}
