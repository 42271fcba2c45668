package dev.landfall.pageviews;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.landfall.common.AwsClients;
import dev.landfall.common.StorageProvisioner;
import dev.landfall.common.StorageSpec;
import dev.landfall.local.LocalServers;
import dev.landfall.testing.Aws;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;

import static org.assertj.core.api.Assertions.assertThat;

/** The aggregates writer on DynamoDB Local: an object's views are added once, whatever is replayed, resumed or retried. */
class PageViewAggregatesWriterTest {

    static final String TABLE = "aggregates-test";
    static final long DAY = 1_666_224_000L; // 2022-10-20T00:00:00Z

    @TempDir
    static Path dir;
    static LocalServers servers;
    static DynamoDbClient ddb;
    static LostAnswers lost = new LostAnswers();
    static DynamoDbClient flaky;

    @BeforeAll
    static void start() throws Exception {
        servers = LocalServers.start(LocalServers.Options.forTests(dir, LocalServers.Server.DYNAMODB));
        ddb = Aws.dynamoDb(servers);
        flaky = AwsClients.dynamoDb(AwsClients.resolve(Aws.settings(servers)), List.of(lost));
        new StorageProvisioner(Aws.s3(servers), ddb, StorageProvisioner.Mode.CREATE,
                List.of(new StorageSpec(List.of(), List.of(new StorageSpec.Table(TABLE, "Series", "Point", null))))).ensure();
    }

    @AfterAll
    static void stop() {
        ddb.close();
        flaky.close();
        servers.close();
    }

    /** Views of pages p0..p(pages-1) over the given hours from DAY: page i gets i+1 views per hour. */
    static PageViewAggregates views(String prefix, int pages, int hours) {
        PageViewAggregates a = new PageViewAggregates();
        for (int h = 0; h < hours; h++) {
            for (int p = 0; p < pages; p++) {
                for (int n = 0; n <= p; n++) {
                    a.add(prefix + p, DAY + h * 3600L + n);
                }
            }
        }
        return a;
    }

    static Map<Long, Long> hourly(String page) {
        Map<Long, Long> out = new TreeMap<>();
        ddb.queryPaginator(b -> b.tableName(TABLE).consistentRead(true).keyConditionExpression("Series = :s")
                .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(PageViewAggregates.pageSeries(page))))).items()
                .forEach(i -> out.put(Long.parseLong(i.get("Point").s()), Long.parseLong(i.get("Views").n())));
        return out;
    }

    static Map<String, Long> daily(String series) {
        Map<String, Long> out = new TreeMap<>();
        ddb.queryPaginator(b -> b.tableName(TABLE).consistentRead(true).keyConditionExpression("Series = :s")
                .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(series)))).items()
                .forEach(i -> out.put(i.get("Point").s(), Long.parseLong(i.get("Views").n())));
        return out;
    }

    static Map<Long, Long> expectedHourly(int page, int hours, int times) {
        Map<Long, Long> out = new TreeMap<>();
        for (int h = 0; h < hours; h++) {
            out.put(DAY + h * 3600L, (long) (page + 1) * times);
        }
        return out;
    }

    @Test
    void anObjectWrittenAgainAndAgainCountsOnceAndTwoObjectsAddUp() throws Exception {
        PageViewAggregatesWriter writer = new PageViewAggregatesWriter(ddb, TABLE, 5);
        // 12 pages x 30 hours: 24 groups of 2 days, 8 transactions
        PageViewAggregates a = views("replay/p", 12, 30);
        assertThat(PageViewAggregatesWriter.chunks(a.groups())).hasSizeGreaterThan(4);
        assertThat(writer.write("logs-bucket/logs/A#etag-a", a)).isEqualTo(new PageViewAggregatesWriter.Result(24, 0));
        // the same transactions again: answered by their request token (within its 10 minutes) or stopped by the markers
        writer.write("logs-bucket/logs/A#etag-a", a);
        writer.write("logs-bucket/logs/A#etag-a", views("replay/p", 12, 30));
        // other transactions over the same groups: only the markers stop them
        PageViewAggregatesWriter.Result more = writer.write("logs-bucket/logs/A#etag-a", views("replay/p", 13, 30));
        assertThat(more.added() + more.alreadyAdded()).isEqualTo(26);
        assertThat(more.alreadyAdded()).isPositive();
        for (int p = 0; p < 13; p++) {
            assertThat(hourly("replay/p" + p)).as("page " + p).isEqualTo(expectedHourly(p, 30, 1));
        }
        writer.write("logs-bucket/logs/B#etag-b", views("replay/p", 12, 30));
        writer.write("logs-bucket/logs/B#etag-b", views("replay/p", 13, 30));
        assertThat(hourly("replay/p3")).isEqualTo(expectedHourly(3, 30, 2));
        assertThat(daily(PageViewAggregates.daySeries(LocalDate.of(2022, 10, 21)))).containsEntry("replay/p0", 12L)
                .containsEntry("replay/p11", 144L);
        // 2022-10-20 and 21 are in the week of Monday 2022-10-17
        assertThat(daily(PageViewAggregates.weekSeries(LocalDate.of(2022, 10, 17)))).containsEntry("replay/p0", 60L)
                .containsEntry("replay/p12", 13L * 30 * 2);
        // all views of a day: 1 + 2 + ... + 13 an hour, 6 hours on the 21st, two objects
        assertThat(daily(PageViewAggregates.DAY_TOTALS)).containsEntry("2022-10-21", 91L * 6 * 2);
    }

    @Test
    void anIngestCutShortAndResumedAddsEachPageAndDayOnce() throws Exception {
        PageViewAggregatesWriter writer = new PageViewAggregatesWriter(ddb, TABLE, 5);
        // the first run got as far as the first pages (as if killed after some transactions)
        writer.write("logs-bucket/logs/C#etag-c", views("resume/p", 5, 24));
        PageViewAggregatesWriter.Result resumed = writer.write("logs-bucket/logs/C#etag-c", views("resume/p", 20, 24));
        assertThat(resumed).isEqualTo(new PageViewAggregatesWriter.Result(15, 5));
        for (int p = 0; p < 20; p++) {
            assertThat(hourly("resume/p" + p)).as("page " + p).isEqualTo(expectedHourly(p, 24, 1));
        }
    }

    @Test
    void anAnswerLostAfterTheWriteIsRetriedWithTheSameTokenAndAddsNothing() throws Exception {
        PageViewAggregatesWriter writer = new PageViewAggregatesWriter(flaky, TABLE, 5);
        lost.loseNext.set(2); // the SDK makes 3 attempts
        writer.write("logs-bucket/logs/D#etag-d", views("lost/p", 10, 24));
        assertThat(lost.lost.get()).isEqualTo(2);
        assertThat(lost.tokens.get(0)).isEqualTo(lost.tokens.get(1)).hasSizeLessThanOrEqualTo(36);
        for (int p = 0; p < 10; p++) {
            assertThat(hourly("lost/p" + p)).as("page " + p).isEqualTo(expectedHourly(p, 24, 1));
        }
    }

    /** Turns the next answers to TransactWriteItems into throttling errors after the server wrote, as a lost answer would be. */
    static final class LostAnswers implements ExecutionInterceptor {

        final AtomicInteger loseNext = new AtomicInteger();
        final AtomicInteger lost = new AtomicInteger();
        final List<String> tokens = new CopyOnWriteArrayList<>();
        static final ExecutionAttribute<Boolean> LOSE = new ExecutionAttribute<>("landfall.test.lose");

        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            if (context.request() instanceof TransactWriteItemsRequest r) {
                tokens.add(r.clientRequestToken());
                attributes.putAttribute(LOSE, loseNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0);
            }
        }

        @Override
        public SdkHttpResponse modifyHttpResponse(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
            if (!Boolean.TRUE.equals(attributes.getAttribute(LOSE))) {
                return context.httpResponse();
            }
            lost.incrementAndGet();
            return context.httpResponse().toBuilder().statusCode(400).statusText("Bad Request").build();
        }

        @Override
        public Optional<InputStream> modifyHttpResponseContent(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
            if (!Boolean.TRUE.equals(attributes.getAttribute(LOSE))) {
                return context.responseBody();
            }
            context.responseBody().ifPresent(in -> {
                try (in) {
                    in.transferTo(java.io.OutputStream.nullOutputStream());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            String body = "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException\","
                    + "\"message\":\"injected: the answer was lost\"}";
            return Optional.of(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
        }
    }
}
