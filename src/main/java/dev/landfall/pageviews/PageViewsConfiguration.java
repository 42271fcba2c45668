package dev.landfall.pageviews;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import dev.landfall.common.DeadLetterStore;
import dev.landfall.common.DynamoDbBatchWriter;
import dev.landfall.common.PipelineMetrics;
import dev.landfall.common.StorageSpec;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.PropertyInject;
import org.apache.camel.builder.ThreadPoolProfileBuilder;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/** The page-views pipeline's beans, its executors, its share of DynamoDB writes and its storage, built on the shared ones. */
@Configuration
public class PageViewsConfiguration implements CamelConfiguration {

    /** The log bucket, the page-view and aggregates tables, and the queue of S3 event notifications. */
    @BindToRegistry(lazy = true)
    public StorageSpec pageViewsStorage(@PropertyInject("landfall.page-views.log-bucket") String logBucket,
                                        @PropertyInject("landfall.page-views.table") String table,
                                        @PropertyInject("landfall.page-views.aggregates-table") String aggregatesTable,
                                        @PropertyInject("landfall.page-views.queue") String queue) {
        return new StorageSpec(List.of(logBucket),
                List.of(new StorageSpec.Table(table, PageViewItems.PAGE_NAME, PageViewItems.SORT_KEY, null),
                        new StorageSpec.Table(aggregatesTable, PageViewAggregates.SERIES, PageViewAggregates.POINT, null)),
                List.of(queue));
    }

    @BindToRegistry(lazy = true)
    public PageViewRules pageViewRules(@PropertyInject("landfall.page-views.operations") String operations,
                                       @PropertyInject("landfall.page-views.statuses") String statuses,
                                       @PropertyInject("landfall.page-views.page-suffixes") String pageSuffixes,
                                       @PropertyInject("landfall.page-views.excluded-prefixes") String excludedPrefixes,
                                       @PropertyInject("landfall.page-views.bot-pattern") String botPattern,
                                       @PropertyInject("landfall.page-views.page-names-file") String pageNamesFile) throws IOException {
        return new PageViewRules(Set.copyOf(list(operations)),
                list(statuses).stream().map(Integer::valueOf).collect(Collectors.toSet()),
                list(pageSuffixes), list(excludedPrefixes),
                botPattern.isBlank() ? null : Pattern.compile(botPattern, Pattern.CASE_INSENSITIVE),
                pageNames(pageNamesFile));
    }

    /** This pipeline's own BatchWriteItem calls in flight, so that no other pipeline's writes wait on them (or it on theirs). */
    @BindToRegistry(lazy = true)
    public DynamoDbBatchWriter pageViewsBatchWriter(DynamoDbClient dynamoDb, PipelineMetrics metrics,
                                                    @PropertyInject("landfall.page-views.dynamodb.write-parallelism") int parallelism) {
        return new DynamoDbBatchWriter(dynamoDb, parallelism, 10, 25, 2000, metrics);
    }

    /** The ingest's stages around its split; the items go through the dynamodb-batch-sink route to pageViewsBatchWriter. */
    @BindToRegistry(lazy = true)
    public PageViewsIngest pageViewsIngest(S3Client s3, DynamoDbClient dynamoDb, DeadLetterStore deadLetters, PipelineMetrics metrics,
                                           PageViewRules rules,
                                           @PropertyInject("landfall.page-views.aggregates-table") String aggregatesTable,
                                           @PropertyInject("landfall.page-views.aggregates.max-attempts") int aggregatesMaxAttempts) {
        return new PageViewsIngest(s3, deadLetters, metrics, rules, new PageViewAggregatesWriter(dynamoDb, aggregatesTable, aggregatesMaxAttempts));
    }

    /** The API's queries on its own bounded pool: they never wait on (or hold) the HTTP servers' workers beyond the deadline. */
    @BindToRegistry(lazy = true)
    public PageViewStats pageViewStats(DynamoDbClient dynamoDb, CamelContext camel,
                                       @PropertyInject("landfall.page-views.aggregates-table") String aggregatesTable,
                                       @PropertyInject("landfall.page-views.api.query-threads") int queryThreads,
                                       @PropertyInject("landfall.page-views.api.max-concurrent") int maxConcurrent,
                                       @PropertyInject("landfall.page-views.api.top-parallelism") int topParallelism,
                                       @PropertyInject("landfall.page-views.api.timeout-ms") long timeoutMs) {
        ExecutorService queries = camel.getExecutorServiceManager().newThreadPool(this, "page-views-query",
                new ThreadPoolProfileBuilder("page-views-query").poolSize(queryThreads).maxPoolSize(queryThreads)
                        .maxQueueSize(maxConcurrent * topParallelism).rejectedPolicy(ThreadPoolRejectedPolicy.Abort).build());
        return new PageViewStats(dynamoDb, aggregatesTable, queries, topParallelism, Duration.ofMillis(timeoutMs));
    }

    @BindToRegistry(lazy = true)
    public PageViewsApi pageViewsApi(PageViewStats stats, Clock clock,
                                     @PropertyInject("landfall.page-views.api.max-concurrent") int maxConcurrent) {
        return new PageViewsApi(stats, clock, maxConcurrent);
    }

    @BindToRegistry(lazy = true)
    public PageViewsBackfill pageViewsBackfill(DynamoDbClient dynamoDb, S3Client s3, CamelContext camel, Clock clock,
                                               PipelineMetrics metrics,
                                               @PropertyInject("landfall.state.table") String stateTable,
                                               @PropertyInject("landfall.page-views.log-buckets") String logBuckets) {
        return new PageViewsBackfill(dynamoDb, stateTable, s3, camel, "direct:s3-arrival-page-views", clock, metrics, list(logBuckets));
    }

    /** A comma-separated setting as its non-empty, trimmed, distinct values. */
    static List<String> list(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(v -> !v.isEmpty()).distinct().toList();
    }

    private static Map<String, String> pageNames(String file) throws IOException {
        Map<String, String> names = new HashMap<>();
        if (file.isBlank()) {
            return names;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
            p.load(r);
        }
        p.forEach((k, v) -> names.put(k.toString(), v.toString()));
        return names;
    }
}
