package dev.landfall.meters;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import dev.landfall.common.DeadLetterStore;
import dev.landfall.common.DynamoDbBatchWriter;
import dev.landfall.common.PipelineMetrics;
import dev.landfall.common.StorageSpec;
import io.micrometer.core.instrument.Counter;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.PropertyInject;
import org.apache.camel.builder.LambdaRouteBuilder;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.cluster.CamelClusterView;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The meters pipeline's beans: the registry (devices and states tables), the sealed credentials' keyset, the poller
 * and its shards (one {@code master:} route each, from the shard template), the spool and its rotation to S3, the API.
 */
@Configuration
public class MetersConfiguration implements CamelConfiguration {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MetersConfiguration.class);

    @BindToRegistry(lazy = true)
    public StorageSpec metersStorage(@PropertyInject("landfall.meters.bucket") String bucket,
                                     @PropertyInject("landfall.meters.devices-table") String devices,
                                     @PropertyInject("landfall.meters.state-table") String states) {
        return new StorageSpec(List.of(bucket), List.of(new StorageSpec.Table(devices, MeterRegistry.CLOUD_ID, null, null),
                new StorageSpec.Table(states, MeterRegistry.CLOUD_ID, null, null)));
    }

    @BindToRegistry(lazy = true)
    public DeviceCredentials meterCredentials(@PropertyInject(value = "landfall.meters.keyset", defaultValue = "") String keyset,
                                              @PropertyInject(value = "landfall.meters.keyset-file", defaultValue = "") String file) {
        if (!keyset.isBlank()) {
            return DeviceCredentials.of(keyset);
        }
        if (file.isBlank()) {
            String why = "landfall.meters.keyset is empty: set LANDFALL_METERS_KEYSET to a Tink JSON AEAD keyset"
                    + " (java -jar landfall.jar meters keyset prints a new one); until then no device can be registered or polled";
            LOG.error("meters: {}", why);
            return DeviceCredentials.missing(why);
        }
        LOG.info("meters: device credentials sealed with the local keyset {} (set LANDFALL_METERS_KEYSET in deployments)", file);
        return DeviceCredentials.ofLocalFile(Path.of(file));
    }

    @BindToRegistry(lazy = true)
    public DynamoDbBatchWriter metersBatchWriter(DynamoDbClient dynamoDb, PipelineMetrics metrics,
                                                 @PropertyInject("landfall.meters.dynamodb.write-parallelism") int parallelism) {
        return new DynamoDbBatchWriter(dynamoDb, parallelism, 10, 25, 2000, metrics);
    }

    @BindToRegistry(lazy = true)
    public MeterRegistry meterRegistry(DynamoDbClient dynamoDb, @org.apache.camel.BeanInject("metersBatchWriter") DynamoDbBatchWriter writer,
                                       @PropertyInject("landfall.meters.devices-table") String devices,
                                       @PropertyInject("landfall.meters.state-table") String states) {
        return new MeterRegistry(dynamoDb, writer, devices, states);
    }

    @BindToRegistry(lazy = true)
    public MeterSpool meterSpool(@PropertyInject("landfall.meters.spool-dir") String dir,
                                 @PropertyInject("landfall.meters.file-prefix") String prefix) {
        MeterSpool spool = new MeterSpool(Path.of(dir), prefix);
        int repaired = spool.repair();
        if (repaired > 0) {
            LOG.warn("meters: {} spool file(s) ended in a torn line (a crash during an append): cut back to their last whole line", repaired);
        }
        return spool;
    }

    @BindToRegistry(lazy = true)
    public MeterPollStats meterPollStats(PipelineMetrics metrics) {
        Map<DeviceState, Counter> polls = new EnumMap<>(DeviceState.class);
        for (DeviceState s : DeviceState.values()) {
            polls.put(s, metrics.counter("landfall.meters.polls", "Polls of gateways by outcome", MeterSink.PIPELINE, "outcome", s.name()));
        }
        return new MeterPollStats(metrics.timer("landfall.meters.poll.lateness", "How late each poll left against its slot",
                MeterSink.PIPELINE), polls,
                metrics.counter("landfall.meters.missed.slots", "Slots skipped because the device's previous poll was still in flight",
                        MeterSink.PIPELINE));
    }

    @BindToRegistry(lazy = true)
    public MeterPoller meterPoller(CamelContext camel, DeviceCredentials credentials, MeterSpool spool, DeadLetterStore deadLetters,
                                   PipelineMetrics metrics, MeterPollStats stats, Clock clock,
                                   @PropertyInject("landfall.meters.period-ms") long periodMs,
                                   @PropertyInject("landfall.meters.max-in-flight") int maxInFlight,
                                   @PropertyInject("landfall.meters.connect-timeout-ms") long connectMs,
                                   @PropertyInject("landfall.meters.read-timeout-ms") long readMs,
                                   @PropertyInject("landfall.meters.http-threads") int httpThreads,
                                   @PropertyInject("landfall.meters.keep-alive-s") int keepAliveS) {
        var ex = camel.getExecutorServiceManager();
        // requests in flight are bounded by the poller; the pool per gateway host allows as many (a cloud relay is one host)
        EagleHttp http = new EagleHttp(httpThreads, maxInFlight, connectMs, readMs, keepAliveS);
        MeterPoller poller = new MeterPoller(http, credentials, new MeterSink(spool, deadLetters, metrics,
                        ex.newSingleThreadExecutor(this, "meters-dead-letter")),
                pollTimer(camel, this), clock,
                new MeterPoller.Settings(Duration.ofMillis(periodMs), maxInFlight), stats);
        try {
            camel.addService(new org.apache.camel.support.service.ServiceSupport() {
                @Override
                protected void doStop() {
                    poller.close();
                }
            }, true, true);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        Map<DeviceState, AtomicLong> counts = new EnumMap<>(DeviceState.class);
        for (DeviceState s : DeviceState.values()) {
            counts.put(s, new AtomicLong());
            metrics.gauge("landfall.meters.devices." + s.name().toLowerCase(java.util.Locale.ROOT),
                    "Gateways polled here in state " + s.name(), MeterSink.PIPELINE, counts.get(s));
        }
        AtomicLong shardsLed = new AtomicLong();
        metrics.gauge("landfall.meters.shards.led", "Shards whose gateways are polled here", MeterSink.PIPELINE, shardsLed);
        ex.newScheduledThreadPool(this, "meters-gauges", 1).scheduleAtFixedRate(() -> {
            poller.stateCounts().forEach((s, n) -> counts.get(s).set(n.get()));
            shardsLed.set(poller.shards().size());
        }, 5, 5, java.util.concurrent.TimeUnit.SECONDS);
        return poller;
    }

    @BindToRegistry(lazy = true)
    public MeterShards meterShards(CamelContext camel, MeterRegistry registry, MeterPoller poller, Clock clock,
                                   @PropertyInject("landfall.meters.shards") int shards,
                                   @PropertyInject("landfall.meters.registry-refresh-ms") long refreshMs) {
        return new MeterShards(registry, poller, shards, shard -> leadership(camel, shard), clock, Duration.ofMillis(refreshMs / 2));
    }

    /**
     * The poller's timer: one thread, and a queue holding every device's next slot. Camel's default profile bounds a
     * scheduled pool's queue at 1,000 and rejects the rest: at 10,000 gateways most devices fell out of their slots.
     */
    static java.util.concurrent.ScheduledExecutorService pollTimer(CamelContext camel, Object source) {
        return camel.getExecutorServiceManager().newScheduledThreadPool(source, "meters-poll",
                new org.apache.camel.builder.ThreadPoolProfileBuilder("meters-poll").poolSize(1).maxPoolSize(1).maxQueueSize(-1).build());
    }

    /** Whether this replica leads the shard's namespace, as the shard's {@code master:} route sees it. */
    static BooleanSupplier leadership(CamelContext camel, int shard) {
        CamelClusterService cluster = camel.hasService(CamelClusterService.class);
        if (cluster == null) {
            return () -> true;
        }
        try {
            CamelClusterView view = cluster.getView(shardNamespace(shard));
            return () -> view.getLocalMember().isLeader();
        } catch (Exception e) {
            throw new IllegalStateException("no cluster view for meters shard " + shard, e);
        }
    }

    public static String shardNamespace(int shard) {
        return "meters-shard-" + shard;
    }

    @BindToRegistry(lazy = true)
    public MeterRotation meterRotation(MeterSpool spool, S3Client s3, @PropertyInject("landfall.meters.bucket") String bucket,
                                       @PropertyInject("landfall.meters.key-prefix") String keyPrefix,
                                       @PropertyInject("landfall.meters.rotate-grace-ms") long graceMs) {
        return new MeterRotation(spool, s3, bucket, keyPrefix, Duration.ofMillis(graceMs));
    }

    @BindToRegistry(lazy = true)
    public MetersApi metersApi(MeterRegistry registry, DeviceCredentials credentials, MeterPoller poller, MeterShards shards, Clock clock,
                               @PropertyInject("landfall.meters.read-timeout-ms") long readMs) {
        return new MetersApi(registry, credentials, poller, shards, clock, Duration.ofMillis(readMs * 2 + 1000));
    }

    /** One {@code master:} route per shard, from the shard template of routes/meters.camel.yaml. */
    @BindToRegistry
    public LambdaRouteBuilder meterShardRoutes(CamelContext camel) {
        // a lambda, not a RouteBuilder class: a package scan (the tests' CamelMainTest) must not add these routes twice
        return rb -> {
            int shards = Integer.parseInt(camel.resolvePropertyPlaceholders("{{landfall.meters.shards}}"));
            if (shards < 1 || shards > 1024) {
                throw new IllegalArgumentException("landfall.meters.shards must be 1 to 1024");
            }
            for (int i = 0; i < shards; i++) {
                rb.templatedRoute("meters-shard").routeId("meters-shard-" + i).parameter("shard", Integer.toString(i))
                        .parameter("namespace", shardNamespace(i));
            }
        };
    }
}
