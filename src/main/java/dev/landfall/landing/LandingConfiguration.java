package dev.landfall.landing;

import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.landfall.common.DeadLetterStore;
import dev.landfall.common.DynamoDbBatchWriter;
import dev.landfall.common.PipelineMetrics;
import dev.landfall.common.StorageSpec;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.PropertyInject;
import org.apache.camel.builder.LambdaRouteBuilder;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

import static dev.landfall.common.PipelineConfigurations.list;
import static dev.landfall.common.PipelineConfigurations.property;

/**
 * The landing pipeline's beans: its sources (from {@code landfall.landing.sources} and a block of properties per
 * source), its storage (the landing bucket, the sources' buckets, the landing and latest tables, the notifications'
 * queue), the load's stages, the history API, and per source its arrivals from the shared templates.
 */
@Configuration
public class LandingConfiguration implements CamelConfiguration {

    @BindToRegistry(lazy = true)
    public LandingSources landingSources(CamelContext camel, @PropertyInject("landfall.landing.sources") String names) {
        List<LandingSource> sources = new ArrayList<>();
        for (String name : list(names)) {
            String p = "landfall.landing.source." + name + ".";
            sources.add(new LandingSource(name, property(camel, p + "bucket", null), property(camel, p + "prefix", ""),
                    property(camel, p + "suffix", ""), LandingSource.Format.of(property(camel, p + "format", "jsonl")),
                    list(property(camel, p + "key-fields", "")), list(property(camel, p + "change-fields", "")),
                    Charset.forName(property(camel, p + "charset", "UTF-8"))));
        }
        for (LandingSource a : sources) {
            for (LandingSource b : sources) {
                if (a != b && a.bucket().equals(b.bucket()) && (a.prefix().startsWith(b.prefix()) || b.prefix().startsWith(a.prefix()))) {
                    throw new IllegalArgumentException("landing sources " + a.name() + " and " + b.name()
                            + " watch overlapping keys of bucket " + a.bucket() + ": give each its own prefix");
                }
            }
        }
        return new LandingSources(sources);
    }

    @BindToRegistry(lazy = true)
    public StorageSpec landingStorage(LandingSources sources, @PropertyInject("landfall.landing.bucket") String bucket,
                                      @PropertyInject("landfall.landing.table") String table,
                                      @PropertyInject("landfall.landing.latest-table") String latestTable,
                                      @PropertyInject("landfall.landing.queue") String queue) {
        Set<String> buckets = new LinkedHashSet<>();
        buckets.add(bucket);
        sources.all().forEach(s -> buckets.add(s.bucket()));
        return new StorageSpec(List.copyOf(buckets), List.of(
                new StorageSpec.Table(table, LandingItems.UUID_ATTR, LandingItems.UPLOAD_DATE, null),
                new StorageSpec.Table(latestTable, LandingItems.UUID_ATTR, null, null)), List.of(queue));
    }

    @BindToRegistry(lazy = true)
    public DynamoDbBatchWriter landingBatchWriter(DynamoDbClient dynamoDb, PipelineMetrics metrics,
                                                  @PropertyInject("landfall.landing.dynamodb.write-parallelism") int parallelism) {
        return new DynamoDbBatchWriter(dynamoDb, parallelism, 10, 25, 2000, metrics);
    }

    @BindToRegistry(lazy = true)
    public LandingStore landingStore(DynamoDbClient dynamoDb, CamelContext camel,
                                     @PropertyInject("landfall.landing.table") String table,
                                     @PropertyInject("landfall.landing.latest-table") String latestTable,
                                     @PropertyInject("landfall.landing.dynamodb.write-parallelism") int parallelism) {
        return new LandingStore(dynamoDb, table, latestTable,
                camel.getExecutorServiceManager().newFixedThreadPool(this, "landing-latest", parallelism), parallelism);
    }

    @BindToRegistry(lazy = true)
    public LandingLoad landingLoad(LandingSources sources, S3Client s3, LandingStore store, DeadLetterStore deadLetters,
                                   PipelineMetrics metrics, @PropertyInject("landfall.landing.bucket") String bucket,
                                   @PropertyInject("landfall.landing.multipart-copy-bytes") long multipartCopyBytes,
                                   @PropertyInject("landfall.landing.copy-part-bytes") long partBytes,
                                   @PropertyInject("landfall.landing.max-parse-bytes") long maxParseBytes,
                                   @PropertyInject("landfall.landing.page-records") int pageRecords,
                                   @PropertyInject("landfall.landing.work-dir") String workDir) {
        return new LandingLoad(sources.all(), s3, store, deadLetters, metrics,
                new LandingLoad.Settings(bucket, multipartCopyBytes, partBytes, maxParseBytes, pageRecords, Path.of(workDir)));
    }

    @BindToRegistry(lazy = true)
    public LandingApi landingApi(LandingSources sources, LandingStore store) {
        return new LandingApi(sources.all(), store);
    }

    /** Per source: the shared polled arrival; and all sources' S3 event notifications on one queue. */
    @BindToRegistry
    public LambdaRouteBuilder landingSourceRoutes(CamelContext camel) {
        // a lambda, not a RouteBuilder class: a package scan (the tests' CamelMainTest) must not add these routes twice
        return rb -> {
            LandingSources sources = camel.getRegistry().findSingleByType(LandingSources.class);
            for (LandingSource s : sources.all()) {
                String arrival = "landing-" + s.name();
                rb.templatedRoute("s3-arrival-poll").routeId("landing-arrivals-poll-" + s.name())
                        .parameter("name", arrival).parameter("bucket", s.bucket()).parameter("prefix", s.prefix())
                        .parameter("suffix", s.suffix()).parameter("delay", "{{landfall.landing.poll-delay-ms}}")
                        .parameter("enabled", "{{landfall.landing.arrivals.poll}}");
                rb.templatedRoute("s3-arrival").routeId("landing-arrival-" + s.name())
                        .parameter("name", arrival).parameter("pipeline", LandingLoad.PIPELINE).parameter("target", "direct:landing-load");
            }
            rb.templatedRoute("s3-arrival-sqs").routeId("landing-arrivals-sqs")
                    .parameter("name", "landing").parameter("queue", "{{landfall.landing.queue}}")
                    .parameter("queueUrl", "{{landfall.landing.queue-url}}")
                    .parameter("enabled", "{{landfall.landing.arrivals.sqs}}");
            rb.templatedRoute("s3-arrival").routeId("landing-arrival")
                    .parameter("name", "landing").parameter("pipeline", LandingLoad.PIPELINE).parameter("target", "direct:landing-load");
        };
    }



    /** The configured sources, in order. */
    public record LandingSources(List<LandingSource> all) {
        public LandingSources {
            if (all.isEmpty()) {
                throw new IllegalArgumentException("landfall.landing.sources names no source");
            }
            all = List.copyOf(all);
        }
    }
}
