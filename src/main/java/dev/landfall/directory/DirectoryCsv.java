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

    /**
     * The documents (sorted by key, members sorted too) as the rows' raw fields, the rows not loaded and the rows read.
     * Fields are typed only for the documents that are written ({@link #typed}); the content hash reads them raw.
     */
    public record Parsed(List<String> header, FactTypes types, int[] factColumns,
                         SortedMap<String, SortedMap<String, String[]>> rawDocuments, List<Bad> bad, long rows) {

        /** One document's members with their facts typed. */
        public SortedMap<String, Map<String, AttributeValue>> typed(SortedMap<String, String[]> members) {
            SortedMap<String, Map<String, AttributeValue>> out = new TreeMap<>();
            members.forEach((member, values) -> {
                Map<String, AttributeValue> facts = new java.util.LinkedHashMap<>();
                for (int c : factColumns) {
                    AttributeValue v = types.type(header.get(c), values[c]);
                    if (v != null) {
                        facts.put(header.get(c), v);
                    }
                }
                out.put(member, facts);
            });
            return out;
        }

        /** Every document typed (for tests and small drops; the load types only what it writes). */
        public SortedMap<String, SortedMap<String, Map<String, AttributeValue>>> documents() {
            SortedMap<String, SortedMap<String, Map<String, AttributeValue>>> out = new TreeMap<>();
            rawDocuments.forEach((d, m) -> out.put(d, typed(m)));
            return out;
        }

        /** The content hash of one document, the same as {@link DirectoryDocuments#hash} of its typed form. */
        public String hash(SortedMap<String, String[]> members) {
            DirectoryDocuments.Canonical c = new DirectoryDocuments.Canonical();
            members.forEach((member, values) -> {
                c.field('m', member);
                for (int col : factColumns) {
                    char tag = types.tag(header.get(col), values[col]);
                    if (tag != 0) {
                        c.field('c', header.get(col));
                        c.field(Character.toLowerCase(tag), tag == 'B' ? (values[col].length() == 4 ? "true" : "false") : values[col]);
                    }
                }
            });
            return c.digest();
        }
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
        SortedMap<String, SortedMap<String, String[]>> docs = new TreeMap<>();
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
            // the fact columns in name order (the hash's canonical order), and those whose values are checked on reading
            int[] factColumns = java.util.stream.IntStream.range(0, header.size()).filter(i -> i != docCol && i != memberCol).boxed()
                    .sorted(java.util.Comparator.comparing(header::get)).mapToInt(Integer::intValue).toArray();
            int[] checked = java.util.Arrays.stream(factColumns).filter(i -> types.checks(header.get(i))).toArray();
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
                String[] values = record.values();
                try {
                    for (int c : checked) {
                        types.tag(header.get(c), values[c]);
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
                docs.computeIfAbsent(doc, k -> new TreeMap<>()).put(member, values);
            }
            duplicates.forEach((doc, members) -> members.forEach((member, lines) -> {
                SortedMap<String, String[]> d = docs.get(doc);
                d.remove(member);
                if (d.isEmpty()) {
                    docs.remove(doc);
                }
                bad.add(new Bad("duplicate-key", "the key " + documentKey + "=" + doc + ", " + memberKey + "=" + member
                        + " is on " + lines.size() + " rows (lines " + lines + "); none of them is loaded", List.copyOf(lines),
                        String.join("\n", duplicateText.get(doc).get(member))));
            }));
            bad.sort(java.util.Comparator.comparing(b -> b.lines().get(0)));
            return new Parsed(List.copyOf(header), types, factColumns, docs, bad, rows);
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static String text(CSVRecord record) {
        return String.join(",", record.toList());
    }
}
