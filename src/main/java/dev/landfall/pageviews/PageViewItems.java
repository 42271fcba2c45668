package dev.landfall.pageviews;

import java.util.HashMap;
import java.util.Map;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The page-view item: {@code PageName} (hash key), {@code SortKey = <epoch seconds>#<request id>} (range key) and the view's details. */
public final class PageViewItems {

    public static final String PAGE_NAME = "PageName";
    public static final String SORT_KEY = "SortKey";
    public static final String AGENT = "AgentString";
    public static final String REMOTE_ADDRESS = "RemoteAddress";
    public static final String REFERRER = "Referrer";
    public static final String STATUS = "Status";
    public static final String LOG_KEY = "LogKey";

    private PageViewItems() {
    }

    /** Two views in the same second differ by request id; a replayed view maps to the same key. */
    public static String sortKey(long epochSeconds, String requestId) {
        return pad(epochSeconds) + "#" + requestId;
    }

    static String sortKeyFloor(long epochSeconds) {
        return pad(epochSeconds) + "#";
    }

    static String sortKeyCeiling(long epochSeconds) {
        return pad(epochSeconds) + "#\uffff";
    }

    static long epochOf(String sortKey) {
        return Long.parseLong(sortKey, 0, sortKey.indexOf('#'), 10);
    }

    // fixed width keeps text order equal to time order
    private static String pad(long epochSeconds) {
        String s = Long.toString(epochSeconds);
        return s.length() >= 10 ? s : "0".repeat(10 - s.length()) + s;
    }

    public static Map<String, AttributeValue> item(String pageName, long epochSeconds, String requestId, String userAgent,
                                                   String remoteAddress, String referrer, int status, String logKey) {
        Map<String, AttributeValue> item = new HashMap<>(12);
        item.put(PAGE_NAME, AttributeValue.fromS(pageName));
        item.put(SORT_KEY, AttributeValue.fromS(sortKey(epochSeconds, requestId)));
        putIfPresent(item, AGENT, userAgent);
        putIfPresent(item, REMOTE_ADDRESS, remoteAddress);
        putIfPresent(item, REFERRER, referrer);
        item.put(STATUS, AttributeValue.fromN(Integer.toString(status)));
        putIfPresent(item, LOG_KEY, logKey);
        return item;
    }

    private static void putIfPresent(Map<String, AttributeValue> item, String name, String value) {
        if (value != null && !value.isEmpty()) {
            item.put(name, AttributeValue.fromS(value));
        }
    }
}
