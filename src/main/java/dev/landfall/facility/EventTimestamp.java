package dev.landfall.facility;

/** Validates facility event timestamps of the form {@code yyyyMMdd:HH:mm:ss}, whose text order is their time order. */
public final class EventTimestamp {

    public static final int LENGTH = 17;

    private static final long NOT_THE_FORMAT = -1;
    private static final long NO_SUCH_DATE = -2;
    private static final long NO_SUCH_TIME = -3;
    private static final long SECONDS_PER_MONTH_SLOT = 31L * 24 * 3600;

    private EventTimestamp() {
    }

    /** Returns null when {@code text} is a valid timestamp, otherwise the reason it is not. */
    public static String problem(String text) {
        if (text == null || text.isEmpty()) {
            return "missing event_timestamp";
        }
        long key = key(text);
        if (key == NOT_THE_FORMAT) {
            return "event_timestamp '" + text + "' is not yyyyMMdd:HH:mm:ss";
        }
        if (key == NO_SUCH_DATE) {
            return "event_timestamp '" + text + "' has no such date";
        }
        if (key == NO_SUCH_TIME) {
            return "event_timestamp '" + text + "' has no such time of day";
        }
        return null;
    }

    /**
     * The timestamp as a number in the same order as its text, equal only for equal texts; negative when
     * {@link #problem} would report a problem.
     */
    public static long key(CharSequence text) {
        if (text.length() != LENGTH || text.charAt(8) != ':' || text.charAt(11) != ':' || text.charAt(14) != ':') {
            return NOT_THE_FORMAT;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 4, 6);
        int day = digits(text, 6, 8);
        int hour = digits(text, 9, 11);
        int minute = digits(text, 12, 14);
        int second = digits(text, 15, 17);
        if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) {
            return NOT_THE_FORMAT;
        }
        if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) {
            return NO_SUCH_DATE;
        }
        if (hour > 23 || minute > 59 || second > 59) {
            return NO_SUCH_TIME;
        }
        // 31 day slots per month keep the order of the text without calendar arithmetic
        return (year * 12L + month - 1) * SECONDS_PER_MONTH_SLOT + ((day - 1) * 24L + hour) * 3600 + minute * 60L + second;
    }

    /** The {@code yyyyMM} month of a valid timestamp. */
    public static String month(String timestamp) {
        return timestamp.substring(0, 6);
    }

    /** The {@code yyyyMM} month of a valid timestamp's {@link #key}. */
    public static String month(long key) {
        long months = key / SECONDS_PER_MONTH_SLOT;
        return String.format("%04d%02d", months / 12, months % 12 + 1);
    }

    /** Keys of the same month share this number. */
    public static long monthOf(long key) {
        return key / SECONDS_PER_MONTH_SLOT;
    }

    private static int digits(CharSequence s, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static int daysIn(int year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }
}
