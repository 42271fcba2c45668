package dev.landfall.pageviews;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * Adds one log object's views to the aggregate table exactly once: per page and day one marker Put (condition
 * attribute_not_exists) in the same TransactWriteItems as the ADDs it guards (hours and day; week and the day's total
 * summed over the groups of the transaction, so no item is named twice), so a replay, a backfill of the same
 * object or a retry after a crash finds the marker and adds nothing; the client request token is derived from the
 * transaction, so an SDK retry of a call that did land is answered without writing again.
 */
public final class PageViewAggregatesWriter {

    public static final int MAX_ACTIONS = 100;

    /** Groups in transactions that succeeded (or were answered by their request token) and groups whose marker was already there. */
    public record Result(int added, int alreadyAdded) {
    }

    private final DynamoDbClient dynamoDb;
    private final String table;
    private final int maxAttempts;

    public PageViewAggregatesWriter(DynamoDbClient dynamoDb, String table, int maxAttempts) {
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.maxAttempts = maxAttempts;
    }

    /** Returns once every group of the object is in the table (added now or before); throws if that cannot be done. */
    public Result write(String arrivalKey, PageViewAggregates aggregates) throws InterruptedException {
        String object = PageViewAggregates.objectSeries(arrivalKey);
        int added = 0;
        int already = 0;
        for (List<PageViewAggregates.Group> chunk : chunks(aggregates.groups())) {
            Result r = writeChunk(arrivalKey, object, chunk);
            added += r.added();
            already += r.alreadyAdded();
        }
        return new Result(added, already);
    }

    /**
     * Groups packed into transactions of at most 100 actions: a group is 2 + its hours, plus, once per transaction,
     * each week row (week, page) and each day total its groups touch.
     */
    static List<List<PageViewAggregates.Group>> chunks(List<PageViewAggregates.Group> groups) {
        List<List<PageViewAggregates.Group>> out = new ArrayList<>();
        List<PageViewAggregates.Group> current = new ArrayList<>();
        Set<String> shared = new HashSet<>();
        int actions = 0;
        for (PageViewAggregates.Group g : groups) {
            int n = actions(g) + (shared.contains(weekRow(g)) ? 0 : 1) + (shared.contains(g.day().toString()) ? 0 : 1);
            if (actions + n > MAX_ACTIONS) {
                out.add(current);
                current = new ArrayList<>();
                shared.clear();
                actions = 0;
                n = actions(g) + 2;
            }
            current.add(g);
            shared.add(weekRow(g));
            shared.add(g.day().toString());
            actions += n;
        }
        if (!current.isEmpty()) {
            out.add(current);
        }
        return out;
    }

    private static int actions(PageViewAggregates.Group g) {
        return 2 + g.hours().size();
    }

    private static String weekRow(PageViewAggregates.Group g) {
        return PageViewAggregates.weekSeries(PageViewAggregates.monday(g.day())) + "\n" + g.page();
    }

    private Result writeChunk(String arrivalKey, String object, List<PageViewAggregates.Group> chunk) throws InterruptedException {
        List<PageViewAggregates.Group> pending = new ArrayList<>(chunk);
        int already = 0;
        for (int attempt = 1; ; attempt++) {
            List<TransactWriteItem> actions = new ArrayList<>();
            List<Integer> markerAt = new ArrayList<>();
            // rows that several groups add to are added once per transaction (an item may appear only once in one)
            Map<String, Long> weeks = new TreeMap<>();
            Map<LocalDate, Long> dayTotals = new TreeMap<>();
            for (PageViewAggregates.Group g : pending) {
                markerAt.add(actions.size());
                actions.addAll(actions(arrivalKey, object, g));
                weeks.merge(weekRow(g), g.views(), Long::sum);
                dayTotals.merge(g.day(), g.views(), Long::sum);
            }
            weeks.forEach((row, n) -> {
                int cut = row.indexOf('\n');
                actions.add(add(row.substring(0, cut), row.substring(cut + 1), n));
            });
            dayTotals.forEach((day, n) -> actions.add(add(PageViewAggregates.DAY_TOTALS, day.toString(), n)));
            // an SDK retry resends this token; a new attempt after a cancellation (nothing landed) gets a new one
            String token = token(object, pending, attempt);
            try {
                dynamoDb.transactWriteItems(b -> b.transactItems(actions).clientRequestToken(token));
                return new Result(pending.size(), already);
            } catch (TransactionCanceledException e) {
                Set<Integer> present = markersPresent(e, markerAt, object, pending);
                List<PageViewAggregates.Group> rest = new ArrayList<>();
                for (int i = 0; i < pending.size(); i++) {
                    if (!present.contains(i)) {
                        rest.add(pending.get(i));
                    }
                }
                already += pending.size() - rest.size();
                pending = rest;
                if (pending.isEmpty()) {
                    return new Result(0, already);
                }
                if (attempt >= maxAttempts) {
                    throw new IllegalStateException("aggregates of " + arrivalKey + " not written after " + attempt + " attempts: "
                            + e.getMessage(), e);
                }
                if (present.isEmpty()) {
                    // a conflict with a concurrent transaction on the same rows, or throttling: back off with full jitter
                    Thread.sleep(ThreadLocalRandom.current().nextLong(1, Math.min(1000, 20L << Math.min(attempt, 6))));
                }
            }
        }
    }

    /** Indexes of the pending groups whose marker exists: from the cancellation reasons, else read back. */
    private Set<Integer> markersPresent(TransactionCanceledException e, List<Integer> markerAt, String object,
                                        List<PageViewAggregates.Group> pending) {
        Set<Integer> present = new HashSet<>();
        List<CancellationReason> reasons = e.hasCancellationReasons() ? e.cancellationReasons() : List.of();
        if (reasons.size() > markerAt.get(markerAt.size() - 1)) {
            for (int i = 0; i < markerAt.size(); i++) {
                if ("ConditionalCheckFailed".equals(reasons.get(markerAt.get(i)).code())) {
                    present.add(i);
                }
            }
            return present;
        }
        for (int i = 0; i < pending.size(); i++) {
            Map<String, AttributeValue> key = Map.of(PageViewAggregates.SERIES, AttributeValue.fromS(object),
                    PageViewAggregates.POINT, AttributeValue.fromS(PageViewAggregates.markerPoint(pending.get(i))));
            if (dynamoDb.getItem(b -> b.tableName(table).key(key).consistentRead(true)).hasItem()) {
                present.add(i);
            }
        }
        return present;
    }

    private List<TransactWriteItem> actions(String arrivalKey, String object, PageViewAggregates.Group g) {
        List<TransactWriteItem> out = new ArrayList<>(actions(g));
        long views = g.views();
        out.add(TransactWriteItem.builder().put(Put.builder().tableName(table)
                .item(Map.of(PageViewAggregates.SERIES, AttributeValue.fromS(object),
                        PageViewAggregates.POINT, AttributeValue.fromS(PageViewAggregates.markerPoint(g)),
                        PageViewAggregates.VIEWS, AttributeValue.fromN(Long.toString(views)),
                        PageViewAggregates.OBJECT, AttributeValue.fromS(arrivalKey)))
                .conditionExpression("attribute_not_exists(#s)")
                .expressionAttributeNames(Map.of("#s", PageViewAggregates.SERIES)).build()).build());
        out.add(add(PageViewAggregates.daySeries(g.day()), g.page(), views));
        g.hours().forEach((hour, n) -> out.add(add(PageViewAggregates.pageSeries(g.page()), PageViewAggregates.hourPoint(hour), n)));
        return out;
    }

    private TransactWriteItem add(String series, String point, long n) {
        return TransactWriteItem.builder().update(Update.builder().tableName(table)
                .key(Map.of(PageViewAggregates.SERIES, AttributeValue.fromS(series), PageViewAggregates.POINT, AttributeValue.fromS(point)))
                .updateExpression("ADD #v :n")
                .expressionAttributeNames(Map.of("#v", PageViewAggregates.VIEWS))
                .expressionAttributeValues(Map.of(":n", AttributeValue.fromN(Long.toString(n)))).build()).build();
    }

    /** The same transaction always carries the same token (at most 36 characters). */
    static String token(String object, List<PageViewAggregates.Group> groups, int attempt) {
        StringBuilder text = new StringBuilder(object).append('#').append(attempt);
        for (PageViewAggregates.Group g : groups) {
            text.append('\n').append(PageViewAggregates.markerPoint(g)).append('=').append(g.hours());
        }
        return PageViewAggregates.sha256(text.toString()).substring(0, 36);
    }
}
