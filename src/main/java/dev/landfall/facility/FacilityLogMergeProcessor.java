package dev.landfall.facility;

import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.landfall.common.DeadLetter;
import dev.landfall.common.DeadLetterStore;
import dev.landfall.common.PipelineMetrics;
import dev.landfall.common.S3ObjectUpdater;
import dev.landfall.facility.FacilityLogCsv.Row;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Merges one facility CSV into its monthly S3 objects ({@code <prefix>yyyyMM}) and dead-letters bad rows and conflicts.
 * Sets the {@code landfallSummary} header to a one-line summary of the poll.
 */
public final class FacilityLogMergeProcessor implements Processor {

    public static final String PIPELINE = "facility-logs";

    private final S3ObjectUpdater updater;
    private final DeadLetterStore deadLetters;
    private final PipelineMetrics metrics;

    public FacilityLogMergeProcessor(S3ObjectUpdater updater, DeadLetterStore deadLetters, PipelineMetrics metrics) {
        this.updater = updater;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        long started = System.nanoTime();
        var in = exchange.getMessage();
        String facility = in.getHeader("landfallFacility", "unknown", String.class);
        String bucket = in.getHeader("landfallBucket", String.class);
        String prefix = in.getHeader("landfallPrefix", "logs/", String.class);
        String source = in.getHeader("landfallSource", facility + "/" + in.getHeader(Exchange.FILE_NAME, String.class), String.class);

        FacilityLogCsv.Parsed parsed;
        try (InputStream body = in.getMandatoryBody(InputStream.class)) {
            parsed = FacilityLogCsv.parse(new InputStreamReader(body, StandardCharsets.UTF_8));
        }
        Map<String, List<Row>> byMonth = new TreeMap<>();
        for (Row row : parsed.rows()) {
            byMonth.computeIfAbsent(row.month(), m -> new ArrayList<>()).add(row);
        }
        int landed = 0;
        int duplicates = 0;
        int deadLettered = 0;
        List<String> touched = new ArrayList<>();
        for (Map.Entry<String, List<Row>> month : byMonth.entrySet()) {
            String key = prefix + month.getKey();
            MonthlyLog.Merge merge = updater.update(bucket, key, current -> {
                MonthlyLog.Merge m = MonthlyLog.merge(parsed.header(), current, month.getValue());
                return new S3ObjectUpdater.Change<>(m.content(), "text/csv; charset=utf-8", m);
            });
            landed += merge.added();
            duplicates += merge.duplicates();
            if (merge.added() > 0) {
                touched.add(month.getKey());
            }
            for (MonthlyLog.Conflict c : merge.conflicts()) {
                Map<String, Object> details = details(facility, bucket, prefix, key);
                details.put("keptRow", c.keptLine());
                details.put("incomingRow", c.incomingLine());
                if (deadLetters.write(DeadLetter.of(PIPELINE, "timestamp " + c.timestamp() + " is already stored with other values",
                        source, c.lineNumber(), parsed.header() + "\n" + c.incomingLine(), details)) != null) {
                    deadLettered++;
                }
            }
        }
        for (FacilityLogCsv.BadRow bad : parsed.badRows()) {
            if (deadLetters.write(DeadLetter.of(PIPELINE, bad.reason(), source, bad.lineNumber(),
                    parsed.header() + "\n" + bad.line(), details(facility, bucket, prefix, null))) != null) {
                deadLettered++;
            }
        }
        int read = parsed.rows().size() + parsed.badRows().size();
        metrics.read(PIPELINE, read);
        metrics.landed(PIPELINE, landed);
        metrics.duplicate(PIPELINE, duplicates);
        long ms = (System.nanoTime() - started) / 1_000_000;
        in.setHeader("landfallRowsLanded", landed);
        in.setHeader("landfallSummary", String.format(
                "facility %s: %s rows read=%d landed=%d duplicates=%d dead-lettered=%d (new) months=%s in %d ms",
                facility, source, read, landed, duplicates, deadLettered, touched, ms));
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
