package dev.landfall.common.access;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.Set;

/**
 * A usage plan, as API Gateway has them: a steady rate with a burst (a token bucket, kept as GCRA), a quota per
 * UTC day, ISO week (from Monday) or month, and the APIs its keys may call ({@code *}: every API).
 *
 * @param ratePerSecond requests per second over time; 0 means no rate limit
 * @param burst         requests that may come at once (the bucket's size); at least 1 when there is a rate
 * @param quota         requests per {@code period}; 0 means no quota
 */
public record UsagePlan(String name, double ratePerSecond, int burst, long quota, Period period, Set<String> apis) {

    public static final String ALL_APIS = "*";

    /** The quota's window, in UTC. */
    public enum Period {
        DAY, WEEK, MONTH;

        /** The start of the window that holds {@code now}. */
        public Instant start(Instant now) {
            LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
            LocalDate start = switch (this) {
                case DAY -> day;
                case WEEK -> day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
                case MONTH -> day.withDayOfMonth(1);
            };
            return start.atStartOfDay(ZoneOffset.UTC).toInstant();
        }

        /** The end (exclusive) of the window that holds {@code now}. */
        public Instant end(Instant now) {
            LocalDate start = LocalDate.ofInstant(start(now), ZoneOffset.UTC);
            LocalDate end = switch (this) {
                case DAY -> start.plusDays(1);
                case WEEK -> start.plusWeeks(1);
                case MONTH -> start.plusMonths(1);
            };
            return end.atStartOfDay(ZoneOffset.UTC).toInstant();
        }
    }

    public UsagePlan {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new IllegalArgumentException("a plan name is 1 to 64 letters, digits, '.', '_' or '-': " + name);
        }
        if (!(ratePerSecond >= 0) || Double.isInfinite(ratePerSecond)) {
            throw new IllegalArgumentException("rate must be a number of requests per second, 0 for none: " + ratePerSecond);
        }
        if (ratePerSecond > 0 && burst < 1) {
            throw new IllegalArgumentException("burst must be at least 1 when there is a rate");
        }
        if (quota < 0) {
            throw new IllegalArgumentException("quota must be 0 (none) or more: " + quota);
        }
        if (quota > 0 && period == null) {
            throw new IllegalArgumentException("a quota needs its period: DAY, WEEK or MONTH");
        }
        apis = apis == null ? Set.of() : Set.copyOf(apis);
    }

    /** The API documentation ({@code GET /api/openapi.json}): every plan may read it, it holds no data. */
    public static final String API_DOCS = "openapi.json";

    public boolean allows(String api) {
        return apis.contains(ALL_APIS) || apis.contains(api) || API_DOCS.equals(api);
    }
}
