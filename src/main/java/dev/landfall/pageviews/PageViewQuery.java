package dev.landfall.pageviews;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** Reads and checks the query parameters of the page-view API; a bad one is an IllegalArgumentException with a message for the caller. */
public final class PageViewQuery {

    public static final long DEFAULT_RANGE_SECONDS = 30L * 86400;
    public static final int MAX_LIMIT = 1000;

    public record Range(long from, long to) {
    }

    private PageViewQuery() {
    }

    /** {@code from}/{@code to}: epoch seconds, {@code 2022-10-20} (UTC midnight) or an ISO instant; to defaults to now, from to 30 days before. */
    public static Range range(String from, String to, long nowEpoch) {
        long t = blank(to) ? nowEpoch : instant("to", to);
        long f = blank(from) ? t - DEFAULT_RANGE_SECONDS : instant("from", from);
        if (f >= t) {
            throw new IllegalArgumentException("'from' must be before 'to'");
        }
        if (t - f > 366L * 86400 * 5) {
            throw new IllegalArgumentException("the range may span at most 5 years");
        }
        return new Range(f, t);
    }

    public static PageViewStats.Granularity granularity(String value) {
        if (blank(value)) {
            return PageViewStats.Granularity.DAY;
        }
        return switch (value) {
            case "hour" -> PageViewStats.Granularity.HOUR;
            case "day" -> PageViewStats.Granularity.DAY;
            default -> throw new IllegalArgumentException("'granularity' must be hour or day, not '" + value + "'");
        };
    }

    public static int limit(String value) {
        if (blank(value)) {
            return 10;
        }
        try {
            int n = Integer.parseInt(value);
            if (n < 1 || n > MAX_LIMIT) {
                throw new IllegalArgumentException("'limit' must be between 1 and " + MAX_LIMIT);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'limit' must be a number, not '" + value + "'");
        }
    }

    private static long instant(String name, String value) {
        try {
            if (value.chars().allMatch(Character::isDigit)) {
                return Long.parseLong(value);
            }
            if (value.length() == 10) {
                return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
            }
            return Instant.parse(value).getEpochSecond();
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new IllegalArgumentException("'" + name + "' must be epoch seconds, yyyy-MM-dd or an ISO instant, not '" + value + "'");
        }
    }

    private static boolean blank(String v) {
        return v == null || v.isBlank();
    }
}
