package dev.landfall.common.access;

/**
 * The generic cell rate algorithm (a token bucket kept as one number, the theoretical arrival time {@code tat}):
 * requests are spaced by {@code 1 / rate}, and up to {@code burst} may come at once. Times are in microseconds.
 */
public final class Gcra {

    /** What {@link #take} decided: {@code granted} tokens (0 to {@code wanted}), the new state, and when one is free again. */
    public record Take(int granted, long tat, long retryAfterMicros) {
    }

    private Gcra() {
    }

    /** The emission interval in microseconds for a rate in requests per second. */
    public static long interval(double ratePerSecond) {
        return Math.max(1, Math.round(1_000_000d / ratePerSecond));
    }

    /** Takes up to {@code wanted} tokens at {@code now} from a bucket whose state is {@code tat} (0 when new). */
    public static Take take(long tat, long now, int wanted, long interval, int burst) {
        long base = Math.max(tat, now);
        // the bucket holds burst tokens: the state may run at most burst intervals ahead of now
        long available = (now + (long) burst * interval - base) / interval;
        int granted = (int) Math.max(0, Math.min(wanted, available));
        long newTat = base + (long) granted * interval;
        long retryAfter = granted > 0 ? 0 : base + interval - (now + (long) burst * interval);
        return new Take(granted, granted > 0 ? newTat : tat, Math.max(0, retryAfter));
    }
}
