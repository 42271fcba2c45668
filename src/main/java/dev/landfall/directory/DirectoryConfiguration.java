package dev.landfall.directory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
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
 * The directory pipeline's beans: its sources (from {@code landfall.directory.sources} and a block of properties per
 * source), their storage, the load's stages, the API, and per source its arrivals and its batch sink, made from the
 * shared templates.
 */
@Configuration
public class DirectoryConfiguration implements CamelConfiguration {

    @BindToRegistry(lazy = true)
    public DirectorySources directorySources(CamelContext camel, @PropertyInject("landfall.directory.sources") String names) {
        List<DirectorySource> sources = new ArrayList<>();
        for (String name : list(names)) {
            String p = "landfall.directory.source." + name + ".";
            sources.add(new DirectorySource(name, property(camel, p + "bucket", null), property(camel, p + "prefix", ""),
                    property(camel, p + "key", ""), property(camel, p + "suffix", ""),
                    property(camel, p + "document-key", null), property(camel, p + "member-key", null), property(camel, p + "table", null),
                    new HashSet<>(list(property(camel, p + "string-columns", ""))), new HashSet<>(list(property(camel, p + "number-columns", "")))));
        }
        for (DirectorySource a : sources) {
            for (DirectorySource b : sources) {
                if (a != b && a.bucket().equals(b.bucket()) && (a.listPrefix().startsWith(b.listPrefix()) || b.listPrefix().startsWith(a.listPrefix()))) {
                    throw new IllegalArgumentException("directory sources " + a.name() + " and " + b.name()
                            + " watch overlapping keys of bucket " + a.bucket() + ": give each its own prefix");
                }
            }
        }
        return new DirectorySources(sources);
    }

    /** The sources' buckets and tables (hash department, range version, TTL expires_at) and the notifications' queue. */
    @BindToRegistry(lazy = true)
    public StorageSpec directoryStorage(DirectorySources sources, @PropertyInject("landfall.directory.queue") String queue) {
        Set<String> buckets = new LinkedHashSet<>();
        List<StorageSpec.Table> tables = new ArrayList<>();
        for (DirectorySource s : sources.all()) {
            buckets.add(s.bucket());
            if (tables.stream().noneMatch(t -> t.name().equals(s.table()))) {
                tables.add(new StorageSpec.Table(s.table(), DirectoryDocuments.DEPARTMENT, DirectoryDocuments.VERSION, DirectoryDocuments.EXPIRES_AT));
            }
        }
        return new StorageSpec(List.copyOf(buckets), tables, List.of(queue));
    }

    /** This pipeline's own BatchWriteItem calls in flight. */
    @BindToRegistry(lazy = true)
    public DynamoDbBatchWriter directoryBatchWriter(DynamoDbClient dynamoDb, PipelineMetrics metrics,
                                                    @PropertyInject("landfall.directory.dynamodb.write-parallelism") int parallelism) {
        return new DynamoDbBatchWriter(dynamoDb, parallelism, 10, 25, 2000, metrics);
    }

    @BindToRegistry(lazy = true)
    public DirectoryStore directoryStore(DynamoDbClient dynamoDb, Clock clock, CamelContext camel,
                                         @PropertyInject("landfall.state.table") String stateTable,
                                         @PropertyInject("landfall.directory.stale-ttl") String staleTtl,
                                         @PropertyInject("landfall.directory.dynamodb.write-parallelism") int parallelism) {
        return new DirectoryStore(dynamoDb, stateTable, clock, Duration.parse(staleTtl),
                camel.getExecutorServiceManager().newFixedThreadPool(this, "directory-ttl", parallelism), parallelism);
    }

    @BindToRegistry(lazy = true)
    public DirectoryLoad directoryLoad(DirectorySources sources, S3Client s3, DirectoryStore store, DeadLetterStore deadLetters,
                                       PipelineMetrics metrics, Clock clock) {
        return new DirectoryLoad(sources.all(), s3, store, deadLetters, metrics, clock);
    }

    @BindToRegistry(lazy = true)
    public DirectoryApi directoryApi(DirectorySources sources, DirectoryStore store,
                                     @PropertyInject("landfall.directory.api.refresh-ms") long refreshMs,
                                     @PropertyInject("landfall.directory.api.cache-documents") int cacheDocuments) {
        return new DirectoryApi(sources.all(), store, refreshMs, cacheDocuments);
    }

    /**
     * Per source: the shared arrival (polled; and all sources' S3 event notifications on one queue) and batch sink
     * templates. camel-main adds templated routes after every route file's templates, so the order does not matter.
     */
    @BindToRegistry
    public LambdaRouteBuilder directorySourceRoutes(CamelContext camel) {
        // a lambda, not a RouteBuilder class: a package scan (the tests' CamelMainTest) must not add these routes twice
        return rb -> {
            DirectorySources sources = camel.getRegistry().findSingleByType(DirectorySources.class);
            for (DirectorySource s : sources.all()) {
                String arrival = "directory-" + s.name();
                rb.templatedRoute("s3-arrival-poll").routeId("directory-arrivals-poll-" + s.name())
                        .parameter("name", arrival).parameter("bucket", s.bucket()).parameter("prefix", s.listPrefix())
                        .parameter("suffix", s.suffix()).parameter("delay", "{{landfall.directory.poll-delay-ms}}")
                        .parameter("enabled", "{{landfall.directory.arrivals.poll}}");
                rb.templatedRoute("s3-arrival").routeId("directory-arrival-" + s.name())
                        .parameter("name", arrival).parameter("pipeline", DirectoryLoad.PIPELINE).parameter("target", "direct:directory-load");
                rb.templatedRoute("dynamodb-batch-sink").routeId("directory-sink-" + s.name())
                        .parameter("name", arrival).parameter("table", s.table())
                        .parameter("keys", DirectoryDocuments.DEPARTMENT + "," + DirectoryDocuments.VERSION)
                        .parameter("writer", "directoryBatchWriter");
            }
            rb.templatedRoute("s3-arrival-sqs").routeId("directory-arrivals-sqs")
                    .parameter("name", "directory").parameter("queue", "{{landfall.directory.queue}}")
                    .parameter("queueUrl", "{{landfall.directory.queue-url}}")
                    .parameter("enabled", "{{landfall.directory.arrivals.sqs}}");
            rb.templatedRoute("s3-arrival").routeId("directory-arrival")
                    .parameter("name", "directory").parameter("pipeline", DirectoryLoad.PIPELINE).parameter("target", "direct:directory-load");
        };
    }



    /** The configured sources, in order (the first answers the API when a request names none). */
    public record DirectorySources(List<DirectorySource> all) {
        public DirectorySources {
            if (all.isEmpty()) {
                throw new IllegalArgumentException("landfall.directory.sources names no source");
            }
            all = List.copyOf(all);
        }
    }
}
