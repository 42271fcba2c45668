package dev.landfall.facility;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.landfall.common.DeadLetterStore;
import dev.landfall.common.PipelineMetrics;
import dev.landfall.common.S3ObjectUpdater;
import dev.landfall.common.StorageSpec;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.PropertyInject;
import org.apache.camel.StartupListener;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The facility-logs pipeline's beans and its storage, built on the shared ones (its months' pool is a thread-pool profile). */
@Configuration
public class FacilityLogsConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) throws Exception {
        // a route file added or changed while running is checked as its routes are added (the start is checked below)
        context.getCamelContextExtension().getContextPlugin(org.apache.camel.model.Model.class)
                .addModelLifecycleStrategy(new FacilityTargetGuard(context));
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarting(CamelContext camel, boolean alreadyStarted) {
                checkFacilityTargets(camel);
            }

            @Override
            public void onCamelContextStarted(CamelContext camel, boolean alreadyStarted) {
            }
        });
    }

    /** Before any route starts: no two facility pollers (routes of the facility template) share a bucket and prefix. */
    static void checkFacilityTargets(CamelContext camel) {
        FacilityTargets targets = new FacilityTargets();
        for (RouteDefinition def : ((ModelCamelContext) camel).getRouteDefinitions()) {
            String[] target = FacilityTargetGuard.target(camel, def);
            if (target != null) {
                targets.add(target[0], target[1], target[2]);
            }
        }
    }

    /** The bucket the monthly objects land in (a facility may name another one; that one it must provide). */
    @BindToRegistry(lazy = true)
    public StorageSpec facilityLogsStorage(@PropertyInject("landfall.facility-logs.bucket") String bucket) {
        return new StorageSpec(List.of(bucket), List.of());
    }

    /** The stages of facility-logs-merge; its months run on the thread-pool profile facility-logs-months. */
    @BindToRegistry(lazy = true)
    public FacilityLogMerge facilityLogMerge(S3ObjectUpdater updater, DeadLetterStore deadLetters, PipelineMetrics metrics) {
        return new FacilityLogMerge(updater, deadLetters, metrics);
    }

    /** The SHA-256 of each facility file's last merged version, so that unchanged bytes are not merged again. */
    @BindToRegistry(lazy = true)
    public FacilityFileVersions facilityFileVersions(DynamoDbClient dynamoDb, Clock clock,
                                                     @PropertyInject("landfall.state.table") String stateTable,
                                                     @PropertyInject("landfall.idempotency.ttl-days") long ttlDays) {
        return new FacilityFileVersions(dynamoDb, stateTable, Duration.ofDays(ttlDays), clock);
    }
}
