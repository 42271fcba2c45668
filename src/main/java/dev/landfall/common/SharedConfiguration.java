package dev.landfall.common;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.BeanInject;
import dev.landfall.common.cluster.DynamoDbClusterService;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.PropertyInject;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.component.platform.http.spi.PlatformHttpEngine;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;
import org.apache.camel.model.Model;
import org.apache.camel.model.ModelLifecycleStrategy;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.spi.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The mechanisms every pipeline shares: AWS clients, idempotency, locks, dead letter, metrics, health, provisioning.
 * <p>
 * Every bean is lazy, so a pipeline's configuration may take any of them as a parameter whatever order the
 * configurations are added in; Camel creates each once, on its first look-up.
 */
@Configuration
public class SharedConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(SharedConfiguration.class);

    @Override
    public void configure(CamelContext context) throws Exception {
        // the time every bean reads: the system's UTC clock, unless one is bound already (a test's clock)
        if (context.getRegistry().findByType(Clock.class).isEmpty()) {
            context.getRegistry().bind("clock", Clock.class, Clock.systemUTC());
        }
        // master: routes find their cluster service among the context services, so it must be there before routes start
        if (context.hasService(CamelClusterService.class) == null) {
            context.addService(ClusterServiceFactory.create(context));
        }
        Registry registry = context.getRegistry();
        // liveness installs its uncaught-exception handler when created: from the start, not at the first health request
        registry.findSingleByType(ConsumerLiveness.class);
        if (registry.findSingleByType(AwsClients.Resolved.class).missing() != null) {
            // nothing can land without AWS: no route starts (so no poll fails and logs), management answers DOWN
            context.getCamelContextExtension().getContextPlugin(Model.class).addModelLifecycleStrategy(new RoutesStayStopped());
            return;
        }
        StorageHealthCheck storage = registry.findSingleByType(StorageHealthCheck.class);
        if (registry.findSingleByType(StorageProvisioner.class).mode() == StorageProvisioner.Mode.CREATE) {
            // local: buckets and tables exist before the first poll (every configuration's beans, so every StorageSpec,
            // are bound before any configuration's configure runs)
            storage.refresh();
            storage.startChecking(true);
        } else {
            // production only checks, in the background: start-up does not wait for it, readiness does
            storage.startChecking(false);
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
    @BindToRegistry(value = "platform-http-engine", lazy = true)
    public PlatformHttpEngine platformHttpEngine(@PropertyInject("camel.server.port") int serverPort) {
        return new VertxPlatformHttpEngine() {
            @Override
            public int getServerPort() {
                return serverPort > 0 ? serverPort : super.getServerPort();
            }
        };
    }


    /** Region and credentials asked for once: a missing one is one ERROR line and the storage check's reason, not a stack trace per poll. */
    @BindToRegistry(lazy = true)
    public AwsClients.Resolved awsSettings(CamelContext camel) {
        AwsClients.Settings s = AwsClients.Settings.fromProperties(key -> camel.resolvePropertyPlaceholders("{{" + key + "}}"));
        LOG.info("AWS clients: {}", s);
        AwsClients.Resolved resolved = AwsClients.resolve(s);
        if (resolved.missing() != null) {
            LOG.error("{}. Routes stay stopped and health is DOWN until Landfall is restarted with it.", resolved.missing());
        }
        return resolved;
    }

    /** One WARN line per failing dependency per landfall.outage.log-interval-ms, one INFO line when it is back. */
    @BindToRegistry(lazy = true)
    public OutageLog outageLog(Clock clock, @PropertyInject("landfall.outage.log-interval-ms") long intervalMs) {
        return new OutageLog(clock, intervalMs);
    }

    @BindToRegistry(lazy = true)
    public S3Client s3Client(AwsClients.Resolved aws, OutageLog outages, CamelContext camel) {
        return AwsClients.s3(aws, interceptors(camel, outages, "s3"));
    }

    @BindToRegistry(lazy = true)
    public DynamoDbClient dynamoDbClient(AwsClients.Resolved aws, OutageLog outages, CamelContext camel) {
        return AwsClients.dynamoDb(aws, interceptors(camel, outages, "dynamodb"));
    }

    @BindToRegistry(lazy = true)
    public SqsClient sqsClient(AwsClients.Resolved aws, OutageLog outages, CamelContext camel) {
        return AwsClients.sqs(aws, interceptors(camel, outages, "sqs"));
    }

    /** The SDK interceptors bound in the registry (tests inject faults with them), then the outage log's for this service. */
    private static List<ExecutionInterceptor> interceptors(CamelContext camel, OutageLog outages, String dependency) {
        List<ExecutionInterceptor> interceptors = new ArrayList<>(camel.getRegistry().findByType(ExecutionInterceptor.class));
        interceptors.add(outages.sdkCalls(dependency));
        return interceptors;
    }

    @BindToRegistry(lazy = true)
    public PipelineMetrics pipelineMetrics(CamelContext camel) {
        return new PipelineMetrics(() -> camel.getRegistry().findSingleByType(MeterRegistry.class));
    }

    /** For the idempotent consumer EIP: claim (with a lease), confirm after the write, remove on failure. */
    @BindToRegistry(lazy = true)
    public DynamoDbIdempotentRepository idempotentRepository(DynamoDbClient dynamoDb, Clock clock,
                                                             @PropertyInject("landfall.state.table") String stateTable,
                                                             @PropertyInject("landfall.idempotency.lease-seconds") long leaseSeconds,
                                                             @PropertyInject("landfall.idempotency.ttl-days") long ttlDays) {
        return new DynamoDbIdempotentRepository(dynamoDb, stateTable, "messages", Duration.ofSeconds(leaseSeconds),
                Duration.ofDays(ttlDays), false, clock);
    }

    /** For file consumers, which add a key only once the file was processed. */
    @BindToRegistry(lazy = true)
    public DynamoDbIdempotentRepository fileIdempotentRepository(DynamoDbClient dynamoDb, Clock clock,
                                                                 @PropertyInject("landfall.state.table") String stateTable,
                                                                 @PropertyInject("landfall.idempotency.lease-seconds") long leaseSeconds,
                                                                 @PropertyInject("landfall.idempotency.ttl-days") long ttlDays) {
        return new DynamoDbIdempotentRepository(dynamoDb, stateTable, "files", Duration.ofSeconds(leaseSeconds),
                Duration.ofDays(ttlDays), true, clock);
    }

    /** The claims of S3 arrivals: once per bucket+key+ETag, quarantined after landfall.arrivals.max-attempts failures. */
    @BindToRegistry(lazy = true)
    public ArrivalClaims arrivalClaims(@BeanInject("idempotentRepository") DynamoDbIdempotentRepository claims,
                                       DeadLetterStore deadLetters, PipelineMetrics metrics, OutageLog outages,
                                       @PropertyInject("landfall.arrivals.max-attempts") int maxAttempts) {
        return new ArrivalClaims(claims, deadLetters, metrics, outages, maxAttempts);
    }

    @BindToRegistry(lazy = true)
    public QuarantineHealthCheck quarantineHealthCheck(ArrivalClaims claims) {
        return new QuarantineHealthCheck(claims);
    }

    @BindToRegistry(lazy = true)
    public S3ArrivalPoller s3ArrivalPoller(S3Client s3, ArrivalClaims claims) {
        return new S3ArrivalPoller(s3, claims);
    }

    @BindToRegistry(lazy = true)
    public DynamoDbLeaseLock leaseLock(DynamoDbClient dynamoDb, Clock clock, @PropertyInject("landfall.state.table") String stateTable,
                                       @PropertyInject("landfall.lock.lease-seconds") long leaseSeconds) {
        return new DynamoDbLeaseLock(dynamoDb, stateTable, Duration.ofSeconds(leaseSeconds), clock);
    }

    @BindToRegistry(lazy = true)
    public S3ObjectUpdater s3ObjectUpdater(S3Client s3, DynamoDbLeaseLock lock,
                                           @PropertyInject("landfall.lock.lease-seconds") long leaseSeconds) {
        return new S3ObjectUpdater(s3, lock, Duration.ofSeconds(leaseSeconds * 2));
    }

    @BindToRegistry(lazy = true)
    public DeadLetterStore deadLetterStore(S3Client s3, DynamoDbClient dynamoDb, PipelineMetrics metrics, Clock clock,
                                           @PropertyInject("landfall.state.table") String stateTable,
                                           @PropertyInject("landfall.idempotency.ttl-days") long ttlDays,
                                           @PropertyInject("landfall.dead-letter.bucket") String bucket,
                                           @PropertyInject("landfall.dead-letter.prefix") String prefix) {
        DynamoDbIdempotentRepository written = new DynamoDbIdempotentRepository(dynamoDb, stateTable, "dead-letter",
                Duration.ofSeconds(60), Duration.ofDays(ttlDays), false, clock);
        return new DeadLetterStore(s3, bucket, prefix, written, metrics, clock);
    }

    @BindToRegistry(lazy = true)
    public DeadLetterProcessor deadLetterProcessor(DeadLetterStore deadLetters, OutageLog outages) {
        return new DeadLetterProcessor(deadLetters, outages);
    }

    @BindToRegistry(lazy = true)
    public HttpErrorAnswer httpErrorAnswer() {
        return new HttpErrorAnswer();
    }

    @BindToRegistry(lazy = true)
    public DeadLetterReplayProcessor deadLetterReplay(DeadLetterStore deadLetters) {
        return new DeadLetterReplayProcessor(deadLetters);
    }

    /** What the shared mechanisms need: the state table, the dead-letter bucket and (on DynamoDB) the lease table. */
    @BindToRegistry(lazy = true)
    public StorageSpec sharedStorage(@PropertyInject("landfall.state.table") String stateTable,
                                     @PropertyInject("landfall.dead-letter.bucket") String deadLetterBucket,
                                     @PropertyInject("landfall.cluster.type") String clusterType,
                                     @PropertyInject("landfall.cluster.dynamodb.table") String leaseTable) {
        List<StorageSpec.Table> tables = new ArrayList<>(List.of(StateTable.spec(stateTable)));
        if ("dynamodb".equals(clusterType.trim())) {
            tables.add(DynamoDbClusterService.tableSpec(leaseTable));
        }
        return new StorageSpec(List.of(deadLetterBucket), tables);
    }

    /** Provisions every StorageSpec bound in the registry, each pipeline's own included, on every pass. */
    @BindToRegistry(lazy = true)
    public StorageProvisioner storageProvisioner(S3Client s3, DynamoDbClient dynamoDb, SqsClient sqs, Registry registry,
                                                 @PropertyInject("landfall.provision.mode") String mode,
                                                 @PropertyInject("landfall.arrivals.sqs.max-receives") int maxReceives) {
        return new StorageProvisioner(s3, dynamoDb, sqs, StorageProvisioner.Mode.valueOf(mode.trim().toUpperCase()),
                () -> registry.findByType(StorageSpec.class)).maxReceives(maxReceives);
    }

    @BindToRegistry(lazy = true)
    public StorageHealthCheck storageHealthCheck(StorageProvisioner provisioner, AwsClients.Resolved aws, CamelContext camel,
                                                 @PropertyInject("landfall.health.storage-refresh-ms") long refreshMs) {
        return new StorageHealthCheck(provisioner, aws.missing(), aws.cause(), refreshMs,
                camel.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "storage-health"));
    }

    /** Readiness: not before the routes are started (the supervising route controller starts them after the context). */
    @BindToRegistry(lazy = true)
    public RoutesStartedHealthCheck routesStartedHealthCheck(CamelContext camel) {
        RoutesStartedHealthCheck check = new RoutesStartedHealthCheck();
        check.setCamelContext(camel);
        return check;
    }

    /** Liveness: a thread that died of an uncaught error, or a poller that stopped polling, restarts the pod. */
    @BindToRegistry(lazy = true)
    public ConsumerLiveness consumerLiveness(PollHealth polls, Clock clock, @PropertyInject("landfall.health.stall-after-ms") long stallAfterMs) {
        ConsumerLiveness liveness = new ConsumerLiveness(polls, clock, stallAfterMs);
        liveness.install();
        return liveness;
    }

    @BindToRegistry(lazy = true)
    public PollHealth pollHealth(Clock clock, OutageLog outages) {
        return new PollHealth(clock, outages);
    }
}
