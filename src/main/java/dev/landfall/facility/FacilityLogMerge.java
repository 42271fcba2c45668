package dev.landfall.facility;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;

import dev.landfall.common.DeadLetter;
import dev.landfall.common.DeadLetterStore;
import dev.landfall.common.DeadLetterTrail;
import dev.landfall.common.InputPart;
import dev.landfall.common.PipelineMetrics;
import dev.landfall.common.S3ObjectUpdater;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.Message;

/**
 * The stages of facility-logs-merge around its split of months: {@link #read} parses one facility CSV into its rows by
 * month, {@link #merge} merges one month into its S3 object ({@code <prefix>yyyyMM}), {@link #finish} — once every month
 * is merged — dead-letters bad rows, conflicts and the rows of a month whose stored object has another header, and sets
 * the {@code landfallSummary} header.
 */
public final class FacilityLogMerge {

    public static final String PIPELINE = "facility-logs";
    public static final String RUN_PROPERTY = "landfallMerge";

    private final S3ObjectUpdater updater;
    private final DeadLetterStore deadLetters;
    private final PipelineMetrics metrics;

    public FacilityLogMerge(S3ObjectUpdater updater, DeadLetterStore deadLetters, PipelineMetrics metrics) {
        this.updater = updater;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
    }

    /**
     * One month's rows of the file, in file order; {@code index} is its place among the file's months. A month that
     * cannot be merged is dead-lettered as the whole file ({@code input}), which holds the months not yet merged.
     */
    public record Month(int index, String name, String key, int[] rows, Object input) implements InputPart {
    }

    /** Sets the exchange property landfallMerge: the file's rows and its months (in order), where the months' outcomes go. */
    public void read(Exchange exchange) throws Exception {
        long started = System.nanoTime();
        var in = exchange.getMessage();
        if (in.getBody() instanceof InputStream stream) {
            // a stream can be read only once: its bytes are the input, for the parser and for a dead letter
            try (stream) {
                in.setBody(stream.readAllBytes());
            }
        }
        String facility = in.getHeader("landfallFacility", "unknown", String.class);
        String prefix = in.getHeader("landfallPrefix", "logs/", String.class);
        Run run = new Run(started, facility, in.getHeader("landfallBucket", String.class), prefix,
                in.getHeader("landfallSource", facility + "/" + in.getHeader(Exchange.FILE_NAME, String.class), String.class),
                FacilityLogCsv.read(body(in)));
        run.months = months(run.parsed.rows(), prefix, in.getBody());
        exchange.setProperty(RUN_PROPERTY, run);
    }

    /** Reads, merges and writes one month's object; a stored header that differs is this month's bad input, not a failure. */
    public void merge(Month month, Run run) throws Exception {
        LogRows.Sorted incoming = LogRows.Sorted.of(run.parsed.rows(), month.rows());
        try {
            run.outcomes.set(month.index(), updater.update(run.bucket, month.key(), current -> {
                MonthlyLog.Merge m = MonthlyLog.merge(run.parsed.header(), current, incoming);
                return new S3ObjectUpdater.Change<>(m.content(), "text/csv; charset=utf-8", m);
            }));
        } catch (MonthlyLog.HeaderMismatchException e) {
            // its rows wait in one dead letter, the file's other months go on
            run.outcomes.set(month.index(), e);
        }
    }

    /** After every month is merged: the dead letters in month order, then the bad rows; metrics; the summary. */
    public void finish(Exchange exchange) {
        Run run = exchange.getProperty(RUN_PROPERTY, Run.class);
        FacilityLogCsv.Lines parsed = run.parsed;
        int landed = 0;
        int duplicates = 0;
        int deadLettered = 0;
        List<String> touched = new ArrayList<>();
        for (Month month : run.months) {
            Object outcome = run.outcomes.get(month.index());
            if (outcome instanceof MonthlyLog.HeaderMismatchException e) {
                int monthRows = month.rows().length;
                if (deadLetter(exchange, DeadLetter.of(PIPELINE, "header-mismatch", e.getMessage(), run.source, null,
                        monthPayload(parsed.header(), parsed.rows(), month), run.details(month.key())))) {
                    deadLettered += monthRows;
                    // the store counted the dead letter as one record; it holds the month's rows
                    metrics.deadLettered(PIPELINE, monthRows - 1);
                }
                continue;
            }
            if (!(outcome instanceof MonthlyLog.Merge merge)) {
                // only a split that went on past a failed month gets here
                throw new IllegalStateException("month " + month.name() + " of " + run.source + " was not merged");
            }
            landed += merge.added();
            duplicates += merge.duplicates();
            if (merge.added() > 0) {
                touched.add(month.name());
            }
            for (MonthlyLog.Conflict c : merge.conflicts()) {
                Map<String, Object> details = run.details(month.key());
                details.put("keptRow", c.keptLine());
                details.put("incomingRow", c.incomingLine());
                if (deadLetter(exchange, DeadLetter.of(PIPELINE, "conflict", "timestamp " + c.timestamp()
                        + " is already stored with other values", run.source, c.lineNumber(), parsed.header() + "\n" + c.incomingLine(), details))) {
                    deadLettered++;
                }
            }
        }
        for (FacilityLogCsv.BadRow bad : parsed.badRows()) {
            if (deadLetter(exchange, DeadLetter.of(PIPELINE, "bad-row", bad.reason(), run.source, bad.lineNumber(),
                    parsed.header() + "\n" + bad.line(), run.details(null)))) {
                deadLettered++;
            }
        }
        int read = parsed.rows().size() + parsed.badRows().size();
        metrics.read(PIPELINE, read);
        metrics.landed(PIPELINE, landed);
        metrics.duplicate(PIPELINE, duplicates);
        long ms = (System.nanoTime() - run.started) / 1_000_000;
        var in = exchange.getMessage();
        in.setHeader("landfallRowsLanded", landed);
        in.setHeader("landfallSummary", String.format(
                "facility %s: %s rows read=%d landed=%d duplicates=%d dead-lettered=%d (new) months=%s in %d ms",
                run.facility, run.source, read, landed, duplicates, deadLettered, touched, ms));
    }

    /** One merge of a file: its rows, its months, and each month's outcome (a merge, or the header mismatch). */
    public static final class Run implements Iterable<Month> {
        private final long started;
        private final String facility;
        private final String bucket;
        private final String prefix;
        private final String source;
        private final FacilityLogCsv.Lines parsed;
        private List<Month> months;
        private AtomicReferenceArray<Object> outcomes;

        Run(long started, String facility, String bucket, String prefix, String source, FacilityLogCsv.Lines parsed) {
            this.started = started;
            this.facility = facility;
            this.bucket = bucket;
            this.prefix = prefix;
            this.source = source;
            this.parsed = parsed;
        }

        /** The months in order; each iteration (a split run again) starts with no outcomes. */
        @Override
        public synchronized Iterator<Month> iterator() {
            outcomes = new AtomicReferenceArray<>(months.size());
            return months.iterator();
        }

        private Map<String, Object> details(String key) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("facility", facility);
            d.put("bucket", bucket);
            d.put("prefix", prefix);
            if (key != null) {
                d.put("objectKey", key);
            }
            return d;
        }
    }

    /** Writes the dead letter (once per input and kind) and notes it on the exchange; true if it was new. */
    private boolean deadLetter(Exchange exchange, DeadLetter dl) {
        DeadLetterStore.Stored stored = deadLetters.write(dl);
        DeadLetterTrail.add(exchange, stored.key());
        return stored.created();
    }

    /** The file's header and the month's rows in file order: what a replay merges once the header is fixed. */
    private static String monthPayload(String header, LogRows rows, Month month) {
        StringBuilder payload = new StringBuilder(header).append('\n');
        for (int i : month.rows()) {
            payload.append(rows.line(i)).append('\n');
        }
        return payload.toString();
    }

    /** The file's rows by month, months in order. */
    static List<Month> months(LogRows rows, String prefix, Object input) {
        if (rows.size() == 0) {
            return List.of();
        }
        // the month is monotonic in the key: the smallest and largest keys give the first and last months
        long minKey = Long.MAX_VALUE;
        long maxKey = Long.MIN_VALUE;
        for (int i = 0; i < rows.size(); i++) {
            long key = rows.key(i);
            minKey = Math.min(minKey, key);
            maxKey = Math.max(maxKey, key);
        }
        long first = EventTimestamp.monthOf(minKey);
        // valid timestamps span at most 120,000 months (years 0000 to 9999)
        int[] counts = new int[(int) (EventTimestamp.monthOf(maxKey) - first + 1)];
        int[] monthOfRow = new int[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            int m = (int) (EventTimestamp.monthOf(rows.key(i)) - first);
            monthOfRow[i] = m;
            counts[m]++;
        }
        int[][] byMonth = new int[counts.length][];
        for (int m = 0; m < counts.length; m++) {
            if (counts[m] > 0) {
                byMonth[m] = new int[counts[m]];
                counts[m] = 0;
            }
        }
        for (int i = 0; i < rows.size(); i++) {
            int m = monthOfRow[i];
            byMonth[m][counts[m]++] = i;
        }
        List<Month> months = new ArrayList<>();
        for (int[] monthRows : byMonth) {
            if (monthRows != null) {
                String name = EventTimestamp.month(rows.key(monthRows[0]));
                months.add(new Month(months.size(), name, prefix + name, monthRows, input));
            }
        }
        return months;
    }

    /** The body (not a stream) as a source the parser may open twice; it is opened at once, so a missing body fails here. */
    private static FacilityLogCsv.Source body(Message in) throws InvalidPayloadException {
        InputStream first = in.getMandatoryBody(InputStream.class);
        AtomicReference<InputStream> unread = new AtomicReference<>(first);
        return () -> {
            InputStream stream = unread.getAndSet(null);
            return stream != null ? stream : in.getBody(InputStream.class);
        };
    }
}
