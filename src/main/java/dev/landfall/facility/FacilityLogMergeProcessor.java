package dev.landfall.facility;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import dev.landfall.common.DeadLetter;
import dev.landfall.common.DeadLetterStore;
import dev.landfall.common.DeadLetterTrail;
import dev.landfall.common.PipelineMetrics;
import dev.landfall.common.S3ObjectUpdater;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/**
 * Merges one facility CSV into its monthly S3 objects ({@code <prefix>yyyyMM}) and dead-letters bad rows, conflicts and
 * the rows of a month whose stored object has another header.
 * Sets the {@code landfallSummary} header to a one-line summary of the poll.
 */
public final class FacilityLogMergeProcessor implements Processor {

    public static final String PIPELINE = "facility-logs";

    private final S3ObjectUpdater updater;
    private final DeadLetterStore deadLetters;
    private final PipelineMetrics metrics;
    private final ExecutorService monthWriters;
    private final int parallelMonths;

    /**
     * @param monthWriters runs the months' read-merge-writes, up to {@code parallelMonths} of one file at a time, so
     *                     that one month's S3 and DynamoDB round trips overlap another's merge
     */
    public FacilityLogMergeProcessor(S3ObjectUpdater updater, DeadLetterStore deadLetters, PipelineMetrics metrics,
                                     ExecutorService monthWriters, int parallelMonths) {
        this.updater = updater;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.monthWriters = monthWriters;
        this.parallelMonths = Math.max(1, parallelMonths);
    }

    /** One month's rows of the file, in file order. */
    private record Month(String name, String key, int[] rows) {
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        long started = System.nanoTime();
        var in = exchange.getMessage();
        String facility = in.getHeader("landfallFacility", "unknown", String.class);
        String bucket = in.getHeader("landfallBucket", String.class);
        String prefix = in.getHeader("landfallPrefix", "logs/", String.class);
        String source = in.getHeader("landfallSource", facility + "/" + in.getHeader(Exchange.FILE_NAME, String.class), String.class);

        FacilityLogCsv.Lines parsed = FacilityLogCsv.read(body(in));
        LogRows rows = parsed.rows();
        List<Month> months = months(rows, prefix);
        List<Future<MonthlyLog.Merge>> merges = mergeAll(bucket, parsed.header(), rows, months);
        awaitAll(merges);
        int landed = 0;
        int duplicates = 0;
        int deadLettered = 0;
        List<String> touched = new ArrayList<>();
        // results in month order, as if merged one after the other: the first failure stops the file
        for (int m = 0; m < months.size(); m++) {
            String monthName = months.get(m).name();
            String key = months.get(m).key();
            MonthlyLog.Merge merge;
            try {
                merge = result(merges.get(m));
            } catch (MonthlyLog.HeaderMismatchException e) {
                // the stored object has another header: this month's rows wait in one dead letter, the others land
                int monthRows = months.get(m).rows().length;
                if (deadLetter(exchange, DeadLetter.of(PIPELINE, "header-mismatch", e.getMessage(), source, null,
                        monthPayload(parsed.header(), rows, months.get(m)), details(facility, bucket, prefix, key)))) {
                    deadLettered += monthRows;
                    // the store counted the dead letter as one record; it holds the month's rows
                    metrics.deadLettered(PIPELINE, monthRows - 1);
                }
                continue;
            }
            landed += merge.added();
            duplicates += merge.duplicates();
            if (merge.added() > 0) {
                touched.add(monthName);
            }
            for (MonthlyLog.Conflict c : merge.conflicts()) {
                Map<String, Object> details = details(facility, bucket, prefix, key);
                details.put("keptRow", c.keptLine());
                details.put("incomingRow", c.incomingLine());
                if (deadLetter(exchange, DeadLetter.of(PIPELINE, "conflict", "timestamp " + c.timestamp()
                        + " is already stored with other values", source, c.lineNumber(), parsed.header() + "\n" + c.incomingLine(), details))) {
                    deadLettered++;
                }
            }
        }
        for (FacilityLogCsv.BadRow bad : parsed.badRows()) {
            if (deadLetter(exchange, DeadLetter.of(PIPELINE, "bad-row", bad.reason(), source, bad.lineNumber(),
                    parsed.header() + "\n" + bad.line(), details(facility, bucket, prefix, null)))) {
                deadLettered++;
            }
        }
        int read = rows.size() + parsed.badRows().size();
        metrics.read(PIPELINE, read);
        metrics.landed(PIPELINE, landed);
        metrics.duplicate(PIPELINE, duplicates);
        long ms = (System.nanoTime() - started) / 1_000_000;
        in.setHeader("landfallRowsLanded", landed);
        in.setHeader("landfallSummary", String.format(
                "facility %s: %s rows read=%d landed=%d duplicates=%d dead-lettered=%d (new) months=%s in %d ms",
                facility, source, read, landed, duplicates, deadLettered, touched, ms));
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
    private static List<Month> months(LogRows rows, String prefix) {
        if (rows.size() == 0) {
            return List.of();
        }
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (int i = 0; i < rows.size(); i++) {
            long month = EventTimestamp.monthOf(rows.key(i));
            first = Math.min(first, month);
            last = Math.max(last, month);
        }
        // valid timestamps span at most 120,000 months (years 0000 to 9999)
        int[] counts = new int[(int) (last - first + 1)];
        for (int i = 0; i < rows.size(); i++) {
            counts[(int) (EventTimestamp.monthOf(rows.key(i)) - first)]++;
        }
        int[][] byMonth = new int[counts.length][];
        for (int m = 0; m < counts.length; m++) {
            if (counts[m] > 0) {
                byMonth[m] = new int[counts[m]];
                counts[m] = 0;
            }
        }
        for (int i = 0; i < rows.size(); i++) {
            int m = (int) (EventTimestamp.monthOf(rows.key(i)) - first);
            byMonth[m][counts[m]++] = i;
        }
        List<Month> months = new ArrayList<>();
        for (int[] monthRows : byMonth) {
            if (monthRows != null) {
                String name = EventTimestamp.month(rows.key(monthRows[0]));
                months.add(new Month(name, prefix + name, monthRows));
            }
        }
        return months;
    }

    /**
     * Starts the months' read-merge-writes in month order, at most {@code parallelMonths} at once, and starts no more
     * once one has failed.
     */
    private List<Future<MonthlyLog.Merge>> mergeAll(String bucket, String header, LogRows rows, List<Month> months)
            throws InterruptedException {
        Semaphore slots = new Semaphore(parallelMonths);
        AtomicBoolean failed = new AtomicBoolean();
        List<Future<MonthlyLog.Merge>> merges = new ArrayList<>();
        for (Month month : months) {
            try {
                slots.acquire();
            } catch (InterruptedException e) {
                merges.forEach(merge -> merge.cancel(true));
                throw e;
            }
            if (failed.get()) {
                merges.add(CompletableFuture.failedFuture(new CancellationException("an earlier month failed")));
                slots.release();
                continue;
            }
            merges.add(monthWriters.submit(() -> {
                try {
                    LogRows.Sorted incoming = LogRows.Sorted.of(rows, month.rows());
                    return updater.update(bucket, month.key(), current -> {
                        MonthlyLog.Merge m = MonthlyLog.merge(header, current, incoming);
                        return new S3ObjectUpdater.Change<>(m.content(), "text/csv; charset=utf-8", m);
                    });
                } catch (MonthlyLog.HeaderMismatchException e) {
                    // bad input of this month only: it is dead-lettered and the file's other months go on
                    throw e;
                } catch (Exception | Error e) {
                    failed.set(true);
                    throw e;
                } finally {
                    slots.release();
                }
            }));
        }
        return merges;
    }

    /** Waits until no month is being written any more, so that a retry of the file never overlaps this one. */
    private static void awaitAll(List<Future<MonthlyLog.Merge>> merges) throws InterruptedException {
        try {
            for (Future<MonthlyLog.Merge> merge : merges) {
                try {
                    merge.get();
                } catch (ExecutionException | CancellationException e) {
                    // reported in month order by result()
                }
            }
        } catch (InterruptedException e) {
            merges.forEach(merge -> merge.cancel(true));
            throw e;
        }
    }

    /** A finished month's merge, or the exception it failed with. */
    private static MonthlyLog.Merge result(Future<MonthlyLog.Merge> merge) throws Exception {
        try {
            return merge.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    /** The body as a source the parser may open twice; it is opened at once, so a missing body fails here as ever. */
    private static FacilityLogCsv.Source body(Message in) throws InvalidPayloadException, IOException {
        InputStream first = in.getMandatoryBody(InputStream.class);
        if (in.getBody() instanceof InputStream) {
            // a stream body can be read only once
            try (first) {
                byte[] bytes = first.readAllBytes();
                return () -> new ByteArrayInputStream(bytes);
            }
        }
        AtomicReference<InputStream> unread = new AtomicReference<>(first);
        return () -> {
            InputStream stream = unread.getAndSet(null);
            return stream != null ? stream : in.getBody(InputStream.class);
        };
    }

    private static Map<String, Object> details(String facility, String bucket, String prefix, String key) {
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
