package dev.landfall.pageviews;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Answers page-view questions from the page-view table. Counts are item counts, and a replayed view rewrites
 * the same item ({@code SortKey = <epoch>#<request id>}), so counts stay exact under replays and backfills.
 */
public final class PageViewStats {

    public enum Granularity {
        HOUR(3600), DAY(86400);

        final long seconds;

        Granularity(long seconds) {
            this.seconds = seconds;
        }
    }

    public record Period(String period, long epoch, long views) {
    }

    public record PageCounts(String page, String granularity, String from, String to, long total, List<Period> counts) {
    }

    public record PageRank(String page, long views) {
    }

    public record Top(String from, String to, int limit, List<PageRank> pages, List<Period> daily) {
    }

    private final DynamoDbClient dynamoDb;
    private final String table;

    public PageViewStats(DynamoDbClient dynamoDb, String table) {
        this.dynamoDb = dynamoDb;
        this.table = table;
    }

    /** Views of one page per period in [from, to). */
    public PageCounts counts(String page, long from, long to, Granularity granularity) {
        TreeMap<Long, Long> byPeriod = emptyPeriods(from, to, granularity);
        long total = 0;
        var pages = dynamoDb.queryPaginator(b -> b.tableName(table)
                .keyConditionExpression("#p = :page AND #s BETWEEN :from AND :to")
                .expressionAttributeNames(Map.of("#p", PageViewItems.PAGE_NAME, "#s", PageViewItems.SORT_KEY))
                .expressionAttributeValues(Map.of(":page", AttributeValue.fromS(page),
                        ":from", AttributeValue.fromS(PageViewItems.sortKeyFloor(from)),
                        ":to", AttributeValue.fromS(PageViewItems.sortKeyCeiling(to - 1))))
                .projectionExpression("#s"));
        for (Map<String, AttributeValue> item : pages.items()) {
            long epoch = PageViewItems.epochOf(item.get(PageViewItems.SORT_KEY).s());
            byPeriod.merge(epoch - Math.floorMod(epoch, granularity.seconds), 1L, Long::sum);
            total++;
        }
        return new PageCounts(page, granularity.name().toLowerCase(), Instant.ofEpochSecond(from).toString(),
                Instant.ofEpochSecond(to).toString(), total, periods(byPeriod));
    }

    private static TreeMap<Long, Long> emptyPeriods(long from, long to, Granularity granularity) {
        TreeMap<Long, Long> byPeriod = new TreeMap<>();
        for (long p = from - Math.floorMod(from, granularity.seconds); p < to; p += granularity.seconds) {
            byPeriod.put(p, 0L);
        }
        return byPeriod;
    }

    private static List<Period> periods(TreeMap<Long, Long> byPeriod) {
        List<Period> periods = new ArrayList<>(byPeriod.size());
        byPeriod.forEach((p, n) -> periods.add(new Period(Instant.ofEpochSecond(p).toString(), p, n)));
        return periods;
    }

    /** Pages ranked by views in [from, to); a scan, fine for a site's page-view table, not for a data lake. */
    public Top top(long from, long to, int limit) {
        Map<String, Long> views = new HashMap<>();
        TreeMap<Long, Long> byDay = emptyPeriods(from, to, Granularity.DAY);
        var pages = dynamoDb.scanPaginator(b -> b.tableName(table)
                .filterExpression("#s BETWEEN :from AND :to")
                .expressionAttributeNames(Map.of("#p", PageViewItems.PAGE_NAME, "#s", PageViewItems.SORT_KEY))
                .expressionAttributeValues(Map.of(":from", AttributeValue.fromS(PageViewItems.sortKeyFloor(from)),
                        ":to", AttributeValue.fromS(PageViewItems.sortKeyCeiling(to - 1))))
                .projectionExpression("#p, #s"));
        for (Map<String, AttributeValue> item : pages.items()) {
            views.merge(item.get(PageViewItems.PAGE_NAME).s(), 1L, Long::sum);
            long epoch = PageViewItems.epochOf(item.get(PageViewItems.SORT_KEY).s());
            byDay.merge(epoch - Math.floorMod(epoch, Granularity.DAY.seconds), 1L, Long::sum);
        }
        List<PageRank> ranked = views.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(limit).map(e -> new PageRank(e.getKey(), e.getValue())).toList();
        return new Top(Instant.ofEpochSecond(from).toString(), Instant.ofEpochSecond(to).toString(), limit, ranked, periods(byDay));
    }
}
