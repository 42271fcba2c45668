package dev.landfall.config;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.landfall.common.ArrivalClaims;
import dev.landfall.common.ConsumerLiveness;
import dev.landfall.common.DeadLetterProcessor;
import dev.landfall.common.QuarantineHealthCheck;
import dev.landfall.common.DeadLetterReplayProcessor;
import dev.landfall.common.DeadLetterStore;
import dev.landfall.common.HttpErrorAnswer;
import dev.landfall.common.OutageLog;
import dev.landfall.common.DynamoDbIdempotentRepository;
import dev.landfall.common.DynamoDbBatchWriter;
import dev.landfall.common.DynamoDbLeaseLock;
import dev.landfall.common.S3ArrivalPoller;
import dev.landfall.common.PipelineMetrics;
import dev.landfall.common.PollHealth;
import dev.landfall.common.S3ObjectUpdater;
import dev.landfall.common.StateTable;
import dev.landfall.common.StorageHealthCheck;
import dev.landfall.common.StorageProvisioner;
import dev.landfall.common.StorageSpec;
import dev.landfall.facility.FacilityFileVersions;
import dev.landfall.facility.FacilityLogMergeProcessor;
import dev.landfall.facility.FacilityTargets;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Configuration;
import org.apache.camel.PropertyInject;
import org.apache.camel.component.platform.http.spi.PlatformHttpEngine;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;
import org.apache.camel.model.Model;
import org.apache.camel.model.ModelLifecycleStrategy;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteTemplateDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/** The shared beans every pipeline uses: AWS clients, idempotency, locks, dead letter, metrics, provisioning. */
@Configuration
public class LandfallConfiguration implements CamelConfiguration, CamelContextAware {

    private static final Logger LOG = LoggerFactory.getLogger(LandfallConfiguration.class);

    private CamelContext camelContext;

    @PropertyInject("landfall.aws.region")
    private String region;
    @PropertyInject(value = "landfall.aws.s3.endpoint", defaultValue = "")
    private String s3Endpoint;
    @PropertyInject(value = "landfall.aws.dynamodb.endpoint", defaultValue = "")
    private String dynamoDbEndpoint;
    @PropertyInject(value = "landfall.aws.sqs.endpoint", defaultValue = "")
    private String sqsEndpoint;
    @PropertyInject(value = "landfall.aws.s3.path-style", defaultValue = "false")
    private boolean pathStyle;
    @PropertyInject(value = "landfall.aws.access-key", defaultValue = "")
    private String accessKey;
    @PropertyInject(value = "landfall.aws.secret-key", defaultValue = "")
    private String secretKey;
    @PropertyInject(value = "landfall.aws.max-connections", defaultValue = "64")
    private int maxConnections;

    @PropertyInject(value = "camel.server.port", defaultValue = "8080")
    private int serverPort;

    @PropertyInject("landfall.state.table")
    private String stateTable;
    @PropertyInject("landfall.idempotency.lease-seconds")
    private long leaseSeconds;
    @PropertyInject(value = "landfall.idempotency.ttl-days", defaultValue = "30")
    private long ttlDays;
    @PropertyInject(value = "landfall.lock.lease-seconds", defaultValue = "60")
    private long lockLeaseSeconds;

    @PropertyInject("landfall.health.storage-refresh-ms")
    private long storageRefreshMs;
    @PropertyInject("landfall.health.stall-after-ms")
    private long stallAfterMs;
    @PropertyInject("landfall.arrivals.max-attempts")
    private int arrivalsMaxAttempts;
    @PropertyInject(value = "landfall.s3-arrivals.parallel", defaultValue = "2")
    private int s3ArrivalsParallel;
    @PropertyInject(value = "landfall.dynamodb.batch-parallelism", defaultValue = "16")
    private int batchParallelism;

    @PropertyInject("landfall.dead-letter.bucket")
    private String deadLetterBucket;
    @PropertyInject(value = "landfall.dead-letter.prefix", defaultValue = "dead-letter/")
    private String deadLetterPrefix;

    @PropertyInject(value = "landfall.facility-logs.parallel-months", defaultValue = "4")
    private int facilityLogsParallelMonths;

    @PropertyInject("landfall.outage.log-interval-ms")
    private long outageLogIntervalMs;

    @PropertyInject(value = "landfall.provision.mode", defaultValue = "verify")
    private String provisionMode;
    @PropertyInject(value = "landfall.provision.buckets", defaultValue = "")
    private String provisionBuckets;
    @PropertyInject(value = "landfall.provision.tables", defaultValue = "")
    private String provisionTables;
    @PropertyInject(value = "landfall.provision.queues", defaultValue = "")
    private String provisionQueues;

    private final java.util.Map<String, Object> beans = new java.util.concurrent.ConcurrentHashMap<>();

    @SuppressWarnings("unchecked")
    private <T> T once(String name, java.util.function.Supplier<T> factory) {
        Object existing = beans.get(name);
        if (existing == null) {
            existing = factory.get();
            beans.put(name, existing);
        }
        return (T) existing;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        context.addStartupListener(new org.apache.camel.StartupListener() {
            @Override
            public void onCamelContextStarting(CamelContext camel, boolean alreadyStarted) {
                checkFacilityTargets(camel);
            }

            @Override
            public void onCamelContextStarted(CamelContext camel, boolean alreadyStarted) {
            }
        });
        // master: routes find their cluster service among the context services, so it must be there before routes start
        if (context.hasService(org.apache.camel.cluster.CamelClusterService.class) == null) {
            context.addService(ClusterServiceFactory.create(context));
        }
        if (awsSettings().missing() != null) {
            // nothing can land without AWS: no route starts (so no poll fails and logs), management answers DOWN
            context.getCamelContextExtension().getContextPlugin(Model.class).addModelLifecycleStrategy(new RoutesStayStopped());
            return;
        }
        Runnable provision = () -> {
            try {
                storageProvisioner().ensure();
            } catch (RuntimeException e) {
                LOG.warn("S3/DynamoDB not reachable at start ({}); the storage health check stays DOWN and retries", e.getMessage());
            }
        };
        if (StorageProvisioner.Mode.CREATE.name().equalsIgnoreCase(provisionMode.trim())) {
            // local: buckets and tables exist before the first poll
            provision.run();
        } else {
            // production only checks; start-up need not wait for it
            Thread t = new Thread(provision, "storage-verify");
            t.setDaemon(true);
            t.start();
        }
    }

    /** Marks every route added to the model as not started automatically (the supervising controller honours that). */
    private static final class RoutesStayStopped implements ModelLifecycleStrategy {
        @Override
        public void onAddRouteDefinition(RouteDefinition definition) {
            definition.setAutoStartup("false");
        }

        @Override
        public void onRemoveRouteDefinition(RouteDefinition definition) {
        }

        @Override
        public void onAddRouteTemplateDefinition(RouteTemplateDefinition definition) {
        }

        @Override
        public void onRemoveRouteTemplateDefinition(RouteTemplateDefinition definition) {
        }
    }

    /**
     * With the management server on its own port there are two Vert.x servers, and Camel 4.17's engine then
     * cannot tell which one is the business server and falls back to port 8080; name the port explicitly.
     */
    @BindToRegistry("platform-http-engine")
    public PlatformHttpEngine platformHttpEngine() {
        return once("platformHttpEngine", () -> new VertxPlatformHttpEngine() {
            @Override
            public int getServerPort() {
                return serverPort > 0 ? serverPort : super.getServerPort();
            }
        });
    }

    @BindToRegistry
    public Clock clock() {
        return once("clock", () -> Clock.systemUTC());
    }

    /** Region and credentials asked for once: a missing one is one ERROR line and the storage check's reason, not a stack trace per poll. */
    @BindToRegistry
    public AwsClients.Resolved awsSettings() {
        return once("awsSettings", () -> {
            AwsClients.Settings s = new AwsClients.Settings(region, s3Endpoint, dynamoDbEndpoint, sqsEndpoint, pathStyle, accessKey, secretKey, maxConnections);
            LOG.info("AWS clients: {}", s);
            AwsClients.Resolved resolved = AwsClients.resolve(s);
            if (resolved.missing() != null) {
                LOG.error("{}. Routes stay stopped and health is DOWN until Landfall is restarted with it.", resolved.missing());
            }
            return resolved;
        });
    }

    /** One WARN line per failing dependency per landfall.outage.log-interval-ms, one INFO line when it is back. */
    @BindToRegistry
    public OutageLog outageLog() {
        return once("outageLog", () -> new OutageLog(clock(), outageLogIntervalMs));
    }

    /** The SDK interceptors bound in the registry (tests inject faults with them), then the outage log's for this service. */
    private List<ExecutionInterceptor> interceptors(String dependency) {
        List<ExecutionInterceptor> interceptors = new ArrayList<>(camelContext.getRegistry().findByType(ExecutionInterceptor.class));
        interceptors.add(outageLog().sdkCalls(dependency));
        return interceptors;
    }

    @BindToRegistry(beanPostProcess = false)
    public S3Client s3Client() {
        return once("s3Client", () -> AwsClients.s3(awsSettings(), interceptors("s3")));
    }

    @BindToRegistry(beanPostProcess = false)
    public DynamoDbClient dynamoDbClient() {
        return once("dynamoDbClient", () -> AwsClients.dynamoDb(awsSettings(), interceptors("dynamodb")));
    }

    @BindToRegistry(beanPostProcess = false)
    public SqsClient sqsClient() {
        return once("sqsClient", () -> AwsClients.sqs(awsSettings(), interceptors("sqs")));
    }

    @BindToRegistry
    public PipelineMetrics pipelineMetrics() {
        return once("pipelineMetrics", () -> new PipelineMetrics(
                () -> camelContext.getRegistry().findSingleByType(MeterRegistry.class)));
    }

    /** For the idempotent consumer EIP: claim (with a lease), confirm after the write, remove on failure. */
    @BindToRegistry
    public DynamoDbIdempotentRepository idempotentRepository() {
        return once("idempotentRepository", () -> new DynamoDbIdempotentRepository(dynamoDbClient(), stateTable, "messages",
                Duration.ofSeconds(leaseSeconds), Duration.ofDays(ttlDays), false, clock()));
    }

    /** For file consumers, which add a key only once the file was processed. */
    @BindToRegistry
    public DynamoDbIdempotentRepository fileIdempotentRepository() {
        return once("fileIdempotentRepository", () -> new DynamoDbIdempotentRepository(dynamoDbClient(), stateTable, "files",
                Duration.ofSeconds(leaseSeconds), Duration.ofDays(ttlDays), true, clock()));
    }

    /** The claims of S3 arrivals: once per bucket+key+ETag, quarantined after landfall.arrivals.max-attempts failures. */
    @BindToRegistry
    public ArrivalClaims arrivalClaims() {
        return once("arrivalClaims", () -> new ArrivalClaims(idempotentRepository(), deadLetterStore(), pipelineMetrics(), outageLog(), arrivalsMaxAttempts));
    }

    @BindToRegistry
    public QuarantineHealthCheck quarantineHealthCheck() {
        return once("quarantineHealthCheck", () -> new QuarantineHealthCheck(arrivalClaims()));
    }

    @BindToRegistry
    public S3ArrivalPoller s3ArrivalPoller() {
        return once("s3ArrivalPoller", () -> new S3ArrivalPoller(s3Client(), arrivalClaims()));
    }

    /** Objects of one S3 listing processed side by side (landfall.s3-arrivals.parallel). */
    @BindToRegistry
    public java.util.concurrent.ExecutorService s3ArrivalsExecutor() {
        return once("s3ArrivalsExecutor", () -> camelContext.getExecutorServiceManager()
                .newFixedThreadPool(this, "s3-arrivals", s3ArrivalsParallel));
    }

    @BindToRegistry
    public DynamoDbBatchWriter dynamoDbBatchWriter() {
        return once("dynamoDbBatchWriter", () -> new DynamoDbBatchWriter(dynamoDbClient(), batchParallelism, 10, 25, 2000,
                pipelineMetrics()));
    }

    @BindToRegistry
    public DynamoDbLeaseLock leaseLock() {
        return once("leaseLock", () -> new DynamoDbLeaseLock(dynamoDbClient(), stateTable, Duration.ofSeconds(lockLeaseSeconds), clock()));
    }

    @BindToRegistry
    public S3ObjectUpdater s3ObjectUpdater() {
        return once("s3ObjectUpdater", () -> new S3ObjectUpdater(s3Client(), leaseLock(), Duration.ofSeconds(lockLeaseSeconds * 2)));
    }

    @BindToRegistry
    public DeadLetterStore deadLetterStore() {
        return once("deadLetterStore", () -> {
            DynamoDbIdempotentRepository written = new DynamoDbIdempotentRepository(dynamoDbClient(), stateTable, "dead-letter",
                    Duration.ofSeconds(60), Duration.ofDays(ttlDays), false, clock());
            return new DeadLetterStore(s3Client(), deadLetterBucket, deadLetterPrefix, written, pipelineMetrics(), clock());
        });
    }

    @BindToRegistry
    public DeadLetterProcessor deadLetterProcessor() {
        return once("deadLetterProcessor", () -> new DeadLetterProcessor(deadLetterStore(), outageLog()));
    }

    @BindToRegistry
    public HttpErrorAnswer httpErrorAnswer() {
        return once("httpErrorAnswer", HttpErrorAnswer::new);
    }

    @BindToRegistry
    public DeadLetterReplayProcessor deadLetterReplay() {
        return once("deadLetterReplay", () -> new DeadLetterReplayProcessor(deadLetterStore()));
    }

    @BindToRegistry
    public StorageProvisioner storageProvisioner() {
        return once("storageProvisioner", () -> {
            List<StorageSpec.Table> tables = new ArrayList<>();
            tables.add(StateTable.spec(stateTable));
            for (String spec : list(provisionTables)) {
                // name:hashKey[:rangeKey[:ttlAttribute]]
                String[] p = spec.split(":");
                tables.add(new StorageSpec.Table(p[0], p[1], p.length > 2 && !p[2].isEmpty() ? p[2] : null, p.length > 3 ? p[3] : null));
            }
            List<StorageSpec> specs = List.of(new StorageSpec(list(provisionBuckets), tables, list(provisionQueues)));
            return new StorageProvisioner(s3Client(), dynamoDbClient(), sqsClient(),
                    StorageProvisioner.Mode.valueOf(provisionMode.trim().toUpperCase()), specs);
        });
    }

    /** Before any route starts: no two facility pollers (routes of the facility template) share a bucket and prefix. */
    private static void checkFacilityTargets(CamelContext camel) {
        FacilityTargets targets = new FacilityTargets();
        for (var def : ((org.apache.camel.model.ModelCamelContext) camel).getRouteDefinitions()) {
            if (def.isCreatedFromTemplate() && FacilityLogMergeProcessor.PIPELINE.equals(def.getGroup())) {
                Map<String, Object> params = new HashMap<>();
                if (def.getTemplateDefaultParameters() != null) {
                    params.putAll(def.getTemplateDefaultParameters());
                }
                if (def.getTemplateParameters() != null) {
                    params.putAll(def.getTemplateParameters());
                }
                targets.add(String.valueOf(params.getOrDefault("name", def.getRouteId())),
                        camel.resolvePropertyPlaceholders(String.valueOf(params.get("bucket"))),
                        camel.resolvePropertyPlaceholders(String.valueOf(params.get("prefix"))));
            }
        }
    }

    static List<String> list(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(v -> !v.isEmpty()).distinct().toList();
    }

    @BindToRegistry
    public StorageHealthCheck storageHealthCheck() {
        return once("storageHealthCheck", () -> new StorageHealthCheck(storageProvisioner(), awsSettings().missing(), awsSettings().cause(),
                storageRefreshMs, camelContext.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "storage-health")));
    }

    /** Liveness: a thread that died of an uncaught error, or a poller that stopped polling, restarts the pod. */
    @BindToRegistry
    public ConsumerLiveness consumerLiveness() {
        return once("consumerLiveness", () -> {
            ConsumerLiveness liveness = new ConsumerLiveness(pollHealth(), clock(), stallAfterMs);
            liveness.install();
            return liveness;
        });
    }

    @BindToRegistry
    public PollHealth pollHealth() {
        return once("pollHealth", () -> new PollHealth(clock(), outageLog()));
    }

    @BindToRegistry
    public FacilityLogMergeProcessor facilityLogMerge() {
        return once("facilityLogMerge", () -> new FacilityLogMergeProcessor(s3ObjectUpdater(), deadLetterStore(), pipelineMetrics(),
                camelContext.getExecutorServiceManager().newFixedThreadPool(this, "facility-logs-merge", facilityLogsParallelMonths),
                facilityLogsParallelMonths));
    }

    /** The SHA-256 of each facility file's last merged version, so that unchanged bytes are not merged again. */
    @BindToRegistry
    public FacilityFileVersions facilityFileVersions() {
        return once("facilityFileVersions", () -> new FacilityFileVersions(dynamoDbClient(), stateTable, Duration.ofDays(ttlDays), clock()));
    }
}
