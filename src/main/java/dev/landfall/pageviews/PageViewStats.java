package dev.landfall.pageviews;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * Answers page-view questions from the aggregates kept at ingest ({@link PageViewAggregates}): a page's counts are
 * one Query on its hourly rows, top pages one Query per week or day of the range, a few at a time; the work follows
 * the hours, days and pages asked for, not the number of views, and gives up at a deadline.
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

    /** No answer within the deadline, or no room to work on one now. */
    public static final class Unavailable extends dev.landfall.common.TryLater {
        public Unavailable(String message) {
            super("page-view statistics unavailable: " + message + "; try again");
        }
    }

    private final DynamoDbClient dynamoDb;
    private final String table;
    private final ExecutorService queries;
    private final int topParallelism;
    private final Duration timeout;

    public PageViewStats(DynamoDbClient dynamoDb, String aggregatesTable, ExecutorService queries, int topParallelism, Duration timeout) {
        this.dynamoDb = dynamoDb;
        this.table = aggregatesTable;
        this.queries = queries;
        this.topParallelism = topParallelism;
        this.timeout = timeout;
    }

    /** Views of one page per period of a range aligned to whole periods ({@link PageViewQuery#counts}). */
    public PageCounts counts(String page, PageViewQuery.Range range, Granularity granularity) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Callable<Map<Long, Long>> query = () -> rows(PageViewAggregates.pageSeries(page),
                PageViewAggregates.hourPoint(range.from()), PageViewAggregates.hourPoint(range.to() - 3600), deadline,
                (point, views, out) -> out.merge(Long.parseLong(point), views, Long::sum));
        Map<Long, Long> byHour = run(List.of(query), deadline).get(0);
        long[] views = new long[(int) range.buckets(granularity.seconds)];
        long total = 0;
        for (Map.Entry<Long, Long> e : byHour.entrySet()) {
            views[(int) ((e.getKey() - range.from()) / granularity.seconds)] += e.getValue();
            total += e.getValue();
        }
        List<Period> periods = new ArrayList<>(views.length);
        for (int i = 0; i < views.length; i++) {
            long p = range.from() + i * granularity.seconds;
            periods.add(new Period(Instant.ofEpochSecond(p).toString(), p, views[i]));
        }
        return new PageCounts(page, granularity.name().toLowerCase(), Instant.ofEpochSecond(range.from()).toString(),
                Instant.ofEpochSecond(range.to()).toString(), total, periods);
    }

    /**
     * Pages ranked by views over the whole UTC days of a range ({@link PageViewQuery#top}), and the views per day:
     * one Query per whole ISO week of the range and per day outside them, a few at a time, and one for the day totals.
     */
    public Top top(PageViewQuery.Range days, int limit) {
        long deadline = System.nanoTime() + timeout.toNanos();
        LocalDate first = PageViewAggregates.day(days.from());
        LocalDate end = PageViewAggregates.day(days.to());
        List<String> series = new ArrayList<>();
        for (LocalDate d = first; d.isBefore(end); ) {
            if (d.getDayOfWeek() == DayOfWeek.MONDAY && !d.plusDays(7).isAfter(end)) {
                series.add(PageViewAggregates.weekSeries(d));
                d = d.plusDays(7);
            } else {
                series.add(PageViewAggregates.daySeries(d));
                d = d.plusDays(1);
            }
        }
        List<Callable<Map<String, Long>>> tasks = new ArrayList<>();
        Row<String> total = (point, views, out) -> out.put(point, views);
        tasks.add(() -> rows(PageViewAggregates.DAY_TOTALS, first.toString(), end.minusDays(1).toString(), deadline, total));
        AtomicInteger next = new AtomicInteger();
        for (int w = 0; w < Math.min(series.size(), topParallelism); w++) {
            tasks.add(() -> {
                Map<String, Long> byPage = new HashMap<>();
                for (int i; (i = next.getAndIncrement()) < series.size(); ) {
                    Row<String> row = (point, views, out) -> out.merge(point, views, Long::sum);
                    rows(series.get(i), null, null, deadline, row).forEach((page, views) -> byPage.merge(page, views, Long::sum));
                }
                return byPage;
            });
        }
        List<Map<String, Long>> results = run(tasks, deadline);
        Map<String, Long> byPage = new HashMap<>();
        results.subList(1, results.size()).forEach(part -> part.forEach((page, views) -> byPage.merge(page, views, Long::sum)));
        List<PageRank> ranked = byPage.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(limit).map(e -> new PageRank(e.getKey(), e.getValue())).toList();
        List<Period> perDay = new ArrayList<>();
        for (LocalDate d = first; d.isBefore(end); d = d.plusDays(1)) {
            long epoch = d.toEpochDay() * 86400;
            perDay.add(new Period(Instant.ofEpochSecond(epoch).toString(), epoch, results.get(0).getOrDefault(d.toString(), 0L)));
        }
        return new Top(Instant.ofEpochSecond(days.from()).toString(), Instant.ofEpochSecond(days.to()).toString(), limit, ranked, perDay);
    }

    private interface Row<K> {
        void add(String point, long views, Map<K, Long> out);
    }

    /** The Views of one series' rows, optionally with Point between two bounds, page by page until the deadline. */
    private <K> Map<K, Long> rows(String series, String fromPoint, String toPoint, long deadline, Row<K> row) {
        Map<K, Long> out = new HashMap<>();
        Map<String, AttributeValue> start = null;
        Map<String, String> names = Map.of("#s", PageViewAggregates.SERIES, "#p", PageViewAggregates.POINT, "#v", PageViewAggregates.VIEWS);
        Map<String, AttributeValue> values = fromPoint == null ? Map.of(":s", AttributeValue.fromS(series))
                : Map.of(":s", AttributeValue.fromS(series), ":from", AttributeValue.fromS(fromPoint), ":to", AttributeValue.fromS(toPoint));
        do {
            long left = deadline - System.nanoTime();
            if (left <= 0 || Thread.currentThread().isInterrupted()) {
                throw new Unavailable("deadline passed");
            }
            QueryRequest.Builder q = QueryRequest.builder().tableName(table)
                    .keyConditionExpression(fromPoint == null ? "#s = :s" : "#s = :s AND #p BETWEEN :from AND :to")
                    .expressionAttributeNames(names).expressionAttributeValues(values).projectionExpression("#p, #v")
                    .overrideConfiguration(c -> c.apiCallTimeout(Duration.ofNanos(left)));
            if (start != null) {
                q.exclusiveStartKey(start);
            }
            QueryResponse r = dynamoDb.query(q.build());
            for (Map<String, AttributeValue> item : r.items()) {
                row.add(item.get(PageViewAggregates.POINT).s(), Long.parseLong(item.get(PageViewAggregates.VIEWS).n()), out);
            }
            start = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
        } while (start != null);
        return out;
    }

    /** Runs the tasks on the query executor and waits for all until the deadline; on any failure the rest is cancelled. */
    private <T> List<T> run(List<Callable<T>> tasks, long deadline) {
        List<Future<T>> futures = new ArrayList<>(tasks.size());
        try {
            for (Callable<T> task : tasks) {
                futures.add(queries.submit(task));
            }
            List<T> out = new ArrayList<>(tasks.size());
            for (Future<T> f : futures) {
                out.add(f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            }
            return out;
        } catch (RejectedExecutionException e) {
            throw new Unavailable("too many page-view queries in progress");
        } catch (TimeoutException e) {
            throw new Unavailable("no answer within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Unavailable u) {
                throw u;
            }
            if (e.getCause() instanceof ApiCallTimeoutException || e.getCause() instanceof AbortedException) {
                throw new Unavailable("no answer within " + timeout.toMillis() + " ms");
            }
            throw new IllegalStateException("page-view query failed", e.getCause());
        } finally {
            futures.forEach(f -> f.cancel(true));
        }
    }
}
