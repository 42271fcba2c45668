package dev.landfall.pageviews;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/** Reads and bounds the query parameters of the page-view API; a bad one is an IllegalArgumentException with a message for the caller. */
public final class PageViewQuery {

    public static final long DEFAULT_RANGE_SECONDS = 30L * 86400;
    public static final int MAX_LIMIT = 1000;
    /** 2000-01-01T00:00:00Z: no S3 server access log is older. */
    public static final long MIN_EPOCH = 946_684_800L;
    /** 2100-01-01T00:00:00Z. */
    public static final long MAX_EPOCH = 4_102_444_800L;
    /** Hours per answer at granularity=hour: 31 days. */
    public static final int MAX_HOURS = 744;
    /** Days per answer at granularity=day: 5 years. */
    public static final int MAX_DAYS = 1827;
    /** Days one /top answer sums (one query each). */
    public static final int MAX_TOP_DAYS = 366;
    /** An S3 key is at most 1024 bytes, so is a page name. */
    public static final int MAX_PAGE_BYTES = 1024;

    /** [from, to) in epoch seconds. */
    public record Range(long from, long to) {

        public long buckets(long seconds) {
            return (to - from + seconds - 1) / seconds;
        }
    }

    private PageViewQuery() {
    }

    /** {@code from}/{@code to}: epoch seconds, {@code 2022-10-20} (UTC midnight) or an ISO instant, within 2000..2100; to defaults to now, from to 30 days before. */
    public static Range range(String from, String to, long nowEpoch) {
        long t = blank(to) ? Math.min(Math.max(nowEpoch, MIN_EPOCH + DEFAULT_RANGE_SECONDS), MAX_EPOCH) : instant("to", to);
        long f = blank(from) ? t - DEFAULT_RANGE_SECONDS : instant("from", from);
        if (f >= t) {
            throw new IllegalArgumentException("'from' must be before 'to'");
        }
        return new Range(f, t);
    }

    /** The range widened to whole hours or days (counts are kept per hour), at most {@link #maxBuckets} of them. */
    public static Range counts(Range range, PageViewStats.Granularity granularity) {
        Range aligned = align(range, granularity.seconds);
        if (aligned.buckets(granularity.seconds) > maxBuckets(granularity)) {
            throw new IllegalArgumentException(granularity == PageViewStats.Granularity.HOUR
                    ? "granularity=hour covers at most " + MAX_HOURS + " hours (31 days); ask for granularity=day"
                    : "granularity=day covers at most " + MAX_DAYS + " days (5 years)");
        }
        return aligned;
    }

    /** The range widened to whole UTC days (top pages are kept per day), at most {@link #MAX_TOP_DAYS} of them. */
    public static Range top(Range range) {
        Range aligned = align(range, 86400);
        if (aligned.buckets(86400) > MAX_TOP_DAYS) {
            throw new IllegalArgumentException("top pages cover at most " + MAX_TOP_DAYS + " days");
        }
        return aligned;
    }

    public static int maxBuckets(PageViewStats.Granularity granularity) {
        return granularity == PageViewStats.Granularity.HOUR ? MAX_HOURS : MAX_DAYS;
    }

    private static Range align(Range r, long seconds) {
        long from = r.from() - Math.floorMod(r.from(), seconds);
        long to = r.to() + Math.floorMod(-r.to(), seconds);
        return new Range(from, to);
    }

    /** The page name of a path (percent-encoded UTF-8): no control characters, at most 1024 bytes. */
    public static String page(String encoded) {
        if (encoded != null && encoded.length() > 3 * MAX_PAGE_BYTES) {
            throw new IllegalArgumentException("a page name has at most " + MAX_PAGE_BYTES + " bytes");
        }
        try {
            return pageName(encoded == null ? null : URLDecoder.decode(encoded.replace("+", "%2B"), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("URLDecoder")) {
                throw new IllegalArgumentException("the page name is not valid percent-encoding");
            }
            throw e;
        }
    }

    /** A page name as the HTTP server decoded it from the path: not empty, no control characters, at most 1024 bytes. */
    public static String pageName(String page) {
        if (page == null || page.isEmpty()) {
            throw new IllegalArgumentException("name a page (/api/page-views/<page>) or ask for /api/page-views/top");
        }
        if (page.length() > MAX_PAGE_BYTES || page.getBytes(StandardCharsets.UTF_8).length > MAX_PAGE_BYTES) {
            throw new IllegalArgumentException("a page name has at most " + MAX_PAGE_BYTES + " bytes");
        }
        for (int i = 0; i < page.length(); i++) {
            char c = page.charAt(i);
            if (Character.isISOControl(c)) {
                throw new IllegalArgumentException("the page name contains a control character (U+" + String.format("%04X", (int) c) + ")");
            }
        }
        return page;
    }

    public static PageViewStats.Granularity granularity(String value) {
        if (blank(value)) {
            return PageViewStats.Granularity.DAY;
        }
        return switch (value) {
            case "hour" -> PageViewStats.Granularity.HOUR;
            case "day" -> PageViewStats.Granularity.DAY;
            default -> throw new IllegalArgumentException("'granularity' must be hour or day");
        };
    }

    public static int limit(String value) {
        if (blank(value)) {
            return 10;
        }
        if (value.length() > 4 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("'limit' must be a number between 1 and " + MAX_LIMIT);
        }
        int n = Integer.parseInt(value);
        if (n < 1 || n > MAX_LIMIT) {
            throw new IllegalArgumentException("'limit' must be between 1 and " + MAX_LIMIT);
        }
        return n;
    }

    private static long instant(String name, String value) {
        long epoch;
        try {
            if (value.length() <= 12 && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                epoch = Long.parseLong(value);
            } else if (value.length() == 10) {
                epoch = LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
            } else if (value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                epoch = Long.MAX_VALUE; // more digits than any epoch second before 2100
            } else if (value.length() <= 40) {
                epoch = Instant.parse(value).getEpochSecond();
            } else {
                throw new IllegalArgumentException("'" + name + "' is too long");
            }
        } catch (DateTimeException | NumberFormatException e) {
            throw new IllegalArgumentException("'" + name + "' must be epoch seconds, yyyy-MM-dd or an ISO instant");
        }
        if (epoch < MIN_EPOCH || epoch > MAX_EPOCH) {
            throw new IllegalArgumentException("'" + name + "' must lie between 2000-01-01 and 2100-01-01 (epoch seconds "
                    + MIN_EPOCH + " to " + MAX_EPOCH + ")");
        }
        return epoch;
    }

    private static boolean blank(String v) {
        return v == null || v.isBlank();
    }
}
