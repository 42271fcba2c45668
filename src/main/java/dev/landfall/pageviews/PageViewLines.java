package dev.landfall.pageviews;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Turns a chunk of access-log lines into page-view items, the views to aggregate, and the bad lines with their reasons. */
public final class PageViewLines {

    /** Lines of one object with their line numbers in it (blank lines left out). */
    public record Chunk(long[] lineNumbers, List<String> lines) {
    }

    /** A line that is no access-log record (or names no page the rules accept) and why. */
    public record BadLine(long line, String reason, String text) {
    }

    /** The items of a chunk, the (page, epoch second) of each view for the aggregates, and its bad lines. */
    public record Parsed(List<Map<String, AttributeValue>> items, List<String> pages, long[] epochs, List<BadLine> bad) {
    }

    private PageViewLines() {
    }

    public static Parsed parse(Chunk chunk, PageViewRules rules, String objectKey) {
        int n = chunk.lines().size();
        List<Map<String, AttributeValue>> items = new ArrayList<>(n);
        List<String> pages = new ArrayList<>(n);
        long[] epochs = new long[n];
        List<BadLine> bad = new ArrayList<>(0);
        for (int i = 0; i < n; i++) {
            String line = chunk.lines().get(i);
            long number = chunk.lineNumbers()[i];
            S3AccessLogParser.Result result = S3AccessLogParser.parse(line);
            if (result instanceof S3AccessLogParser.Rejected r) {
                bad.add(new BadLine(number, r.reason(), line));
                continue;
            }
            S3AccessLogRecord record = (S3AccessLogRecord) result;
            String page;
            try {
                page = rules.pageName(record);
            } catch (IllegalArgumentException e) {
                bad.add(new BadLine(number, e.getMessage(), line));
                continue;
            }
            if (page == null) {
                continue;
            }
            // a record without request id still needs a stable key: its place in this object
            String requestId = record.requestId() != null ? record.requestId() : "L" + number + "@" + objectKey;
            items.add(PageViewItems.item(page, record.epochSeconds(), requestId, record.userAgent(), record.remoteIp(),
                    record.referer(), record.httpStatus(), objectKey));
            epochs[pages.size()] = record.epochSeconds();
            pages.add(page);
        }
        return new Parsed(items, pages, epochs, bad);
    }
}
