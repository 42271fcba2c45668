package dev.landfall.pageviews;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The views of one log object counted per page and UTC hour while it is ingested, and the keys of the aggregate
 * table they are added to: {@code page#<name>}/{@code <hour epoch>} (views of a page per hour),
 * {@code day#<yyyy-MM-dd>}/{@code <page>} and {@code week#<Monday>}/{@code <page>} (views of each page per UTC day
 * and ISO week, for top pages), {@code total#day}/{@code <yyyy-MM-dd>} (all views per day), and one marker
 * {@code obj#<sha-256 of bucket/key#etag>}/{@code <yyyy-MM-dd>#<page>} per page and day of the object.
 */
public final class PageViewAggregates {

    public static final String SERIES = "Series";
    public static final String POINT = "Point";
    public static final String VIEWS = "Views";
    public static final String OBJECT = "Object";

    /** The views of one page on one UTC day, per hour: one atomic contribution, guarded by one marker. */
    public record Group(String page, LocalDate day, SortedMap<Long, Long> hours) {

        public long views() {
            return hours.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private final Map<String, Map<Long, long[]>> byPage = new HashMap<>();
    private String lastPage;
    private long lastHour = Long.MIN_VALUE;
    private long[] lastCount;
    private long views;

    public void add(String page, long epochSeconds) {
        long hour = epochSeconds - Math.floorMod(epochSeconds, 3600);
        views++;
        // log lines come in time order, mostly for few pages: skip the look-ups for a run of the same page and hour
        if (hour == lastHour && page.equals(lastPage)) {
            lastCount[0]++;
            return;
        }
        lastCount = byPage.computeIfAbsent(page, p -> new HashMap<>()).computeIfAbsent(hour, h -> new long[1]);
        lastCount[0]++;
        lastPage = page;
        lastHour = hour;
    }

    public long views() {
        return views;
    }

    /** One group per page and day, in page then day order. */
    public List<Group> groups() {
        List<Group> out = new ArrayList<>();
        new TreeMap<>(byPage).forEach((page, hours) -> {
            TreeMap<LocalDate, SortedMap<Long, Long>> days = new TreeMap<>();
            hours.forEach((hour, n) -> days.computeIfAbsent(day(hour), d -> new TreeMap<>()).put(hour, n[0]));
            days.forEach((day, h) -> out.add(new Group(page, day, h)));
        });
        return out;
    }

    static LocalDate day(long epochSeconds) {
        return LocalDate.ofEpochDay(Math.floorDiv(epochSeconds, 86400));
    }

    public static String pageSeries(String page) {
        return "page#" + page;
    }

    /** Fixed width keeps text order equal to time order. */
    public static String hourPoint(long hourEpoch) {
        return String.format("%012d", hourEpoch);
    }

    public static String daySeries(LocalDate day) {
        return "day#" + day;
    }

    public static String weekSeries(LocalDate monday) {
        return "week#" + monday;
    }

    /** The Monday of the ISO week of a day. */
    public static LocalDate monday(LocalDate day) {
        return day.minusDays(day.getDayOfWeek().getValue() - 1);
    }

    public static final String DAY_TOTALS = "total#day";

    public static String objectSeries(String arrivalKey) {
        return "obj#" + sha256(arrivalKey);
    }

    /** A range key holds at most 1024 bytes: a page name near that length is named by its hash. */
    public static String markerPoint(Group group) {
        String point = group.day() + "#" + group.page();
        return point.getBytes(StandardCharsets.UTF_8).length <= 1024 ? point : group.day() + "#sha256:" + sha256(group.page());
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
