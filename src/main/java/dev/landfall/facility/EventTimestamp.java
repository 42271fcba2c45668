package dev.landfall.facility;

/** Validates facility event timestamps of the form {@code yyyyMMdd:HH:mm:ss}, whose text order is their time order. */
public final class EventTimestamp {

    public static final int LENGTH = 17;

    private EventTimestamp() {
    }

    /** Returns null when {@code text} is a valid timestamp, otherwise the reason it is not. */
    public static String problem(String text) {
        if (text == null || text.isEmpty()) {
            return "missing event_timestamp";
        }
        if (text.length() != LENGTH || text.charAt(8) != ':' || text.charAt(11) != ':' || text.charAt(14) != ':') {
            return "event_timestamp '" + text + "' is not yyyyMMdd:HH:mm:ss";
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 4, 6);
        int day = digits(text, 6, 8);
        int hour = digits(text, 9, 11);
        int minute = digits(text, 12, 14);
        int second = digits(text, 15, 17);
        if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) {
            return "event_timestamp '" + text + "' is not yyyyMMdd:HH:mm:ss";
        }
        if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) {
            return "event_timestamp '" + text + "' has no such date";
        }
        if (hour > 23 || minute > 59 || second > 59) {
            return "event_timestamp '" + text + "' has no such time of day";
        }
        return null;
    }

    /** The {@code yyyyMM} month of a valid timestamp. */
    public static String month(String timestamp) {
        return timestamp.substring(0, 6);
    }

    private static int digits(String s, int from, int to) {
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
