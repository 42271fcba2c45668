package dev.landfall.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
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
import dev.landfall.pageviews.PageViewAggregatesWriter;
import dev.landfall.pageviews.PageViewRules;
import dev.landfall.pageviews.PageViewStats;
import dev.landfall.pageviews.PageViewsApi;
import dev.landfall.pageviews.PageViewsBackfill;
import dev.landfall.pageviews.PageViewsIngest;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Configuration;
import org.apache.camel.PropertyInject;
import org.apache.camel.builder.ThreadPoolProfileBuilder;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/** The page-views pipeline's beans, built on the shared ones from {@link LandfallConfiguration}. */
@Configuration
public class PageViewsConfiguration implements CamelConfiguration, CamelContextAware {

    private CamelContext camelContext;

    @PropertyInject("landfall.page-views.table")
    private String table;
    @PropertyInject("landfall.page-views.log-bucket")
    private String logBucket;
    @PropertyInject("landfall.page-views.log-buckets")
    private String logBuckets;
    @PropertyInject("landfall.page-views.log-prefix")
    private String logPrefix;
    @PropertyInject("landfall.page-views.operations")
    private String operations;
    @PropertyInject("landfall.page-views.statuses")
    private String statuses;
    @PropertyInject("landfall.page-views.page-suffixes")
    private String pageSuffixes;
    @PropertyInject("landfall.page-views.excluded-prefixes")
    private String excludedPrefixes;
    @PropertyInject("landfall.page-views.bot-pattern")
    private String botPattern;
    @PropertyInject("landfall.page-views.page-names-file")
    private String pageNamesFile;
    @PropertyInject("landfall.state.table")
    private String stateTable;
    @PropertyInject("landfall.page-views.aggregates-table")
    private String aggregatesTable;
    @PropertyInject("landfall.page-views.aggregates.max-attempts")
    private int aggregatesMaxAttempts;
    @PropertyInject("landfall.page-views.api.max-concurrent")
    private int apiMaxConcurrent;
    @PropertyInject("landfall.page-views.api.query-threads")
    private int apiQueryThreads;
    @PropertyInject("landfall.page-views.api.top-parallelism")
    private int apiTopParallelism;
    @PropertyInject("landfall.page-views.api.timeout-ms")
    private long apiTimeoutMs;

    private PageViewRules rules;
    private PageViewStats stats;
    private PageViewsBackfill backfill;

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    private <T> T bean(String name, Class<T> type) {
        return camelContext.getRegistry().lookupByNameAndType(name, type);
    }

    @BindToRegistry
    public PageViewRules pageViewRules() throws IOException {
        if (rules == null) {
            rules = new PageViewRules(Set.copyOf(LandfallConfiguration.list(operations)),
                    LandfallConfiguration.list(statuses).stream().map(Integer::valueOf).collect(Collectors.toSet()),
                    LandfallConfiguration.list(pageSuffixes), LandfallConfiguration.list(excludedPrefixes),
                    botPattern.isBlank() ? null : Pattern.compile(botPattern, Pattern.CASE_INSENSITIVE),
                    pageNames(pageNamesFile));
        }
        return rules;
    }

    @BindToRegistry
    public DynamoDbBatchWriter pageViewsBatchWriter() {
        return bean("dynamoDbBatchWriter", DynamoDbBatchWriter.class);
    }

    @BindToRegistry
    public PageViewsIngest pageViewsIngest() throws IOException {
        return new PageViewsIngest(bean("s3Client", S3Client.class),
                bean("deadLetterStore", DeadLetterStore.class), bean("pipelineMetrics", PipelineMetrics.class), pageViewRules(),
                new PageViewAggregatesWriter(bean("dynamoDbClient", DynamoDbClient.class), aggregatesTable, aggregatesMaxAttempts));
    }

    @BindToRegistry
    public PageViewsApi pageViewsApi() {
        return new PageViewsApi(stats(), bean("clock", Clock.class), apiMaxConcurrent);
    }

    @BindToRegistry("pageViewsBackfill")
    public PageViewsBackfill backfill() {
        if (backfill == null) {
            backfill = new PageViewsBackfill(bean("dynamoDbClient", DynamoDbClient.class), stateTable, bean("s3Client", S3Client.class),
                    camelContext, "direct:s3-arrival-page-views", bean("clock", Clock.class),
                    bean("pipelineMetrics", PipelineMetrics.class), LandfallConfiguration.list(logBuckets));
        }
        return backfill;
    }

    private PageViewStats stats() {
        if (stats == null) {
            // the API's own bounded pool: its queries never wait on (or hold) the HTTP servers' workers beyond the deadline
            ExecutorService queries = camelContext.getExecutorServiceManager().newThreadPool(this, "page-views-query",
                    new ThreadPoolProfileBuilder("page-views-query").poolSize(apiQueryThreads).maxPoolSize(apiQueryThreads)
                            .maxQueueSize(apiMaxConcurrent * apiTopParallelism).rejectedPolicy(ThreadPoolRejectedPolicy.Abort).build());
            stats = new PageViewStats(bean("dynamoDbClient", DynamoDbClient.class), aggregatesTable, queries, apiTopParallelism,
                    Duration.ofMillis(apiTimeoutMs));
        }
        return stats;
    }

    private static Map<String, String> pageNames(String file) throws IOException {
        Map<String, String> names = new HashMap<>();
        if (file == null || file.isBlank()) {
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
