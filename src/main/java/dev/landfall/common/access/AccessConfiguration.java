package dev.landfall.common.access;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import dev.landfall.common.StorageSpec;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.PropertyInject;
import org.apache.camel.StartupListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Access control's beans: keys, plans, the decision on each request, the admin API, and the policy on every HTTP route. */
@Configuration
public class AccessConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(AccessConfiguration.class);

    @Override
    public void configure(CamelContext context) throws Exception {
        boolean enabled = Boolean.parseBoolean(context.resolvePropertyPlaceholders("{{landfall.access.enabled}}"));
        Set<String> publicApis = list(context, "landfall.access.public-apis");
        if (!enabled) {
            LOG.warn("Access control is OFF (landfall.access.enabled=false): every HTTP endpoint answers without a key");
        } else if (!publicApis.isEmpty()) {
            LOG.info("Public APIs (no key needed): {}", publicApis);
        }
        Supplier<AccessControl> access = () -> context.getRegistry().lookupByNameAndType("accessControl", AccessControl.class);
        // added before any route is: every route with an HTTP consumer gets its policy as it is created
        Set<String> openPages = list(context, "landfall.access.open-pages");
        Supplier<dev.landfall.common.PipelineMetrics> metrics =
                () -> context.getRegistry().lookupByNameAndType("pipelineMetrics", dev.landfall.common.PipelineMetrics.class);
        context.addRoutePolicyFactory(new AccessPolicies(access, metrics, publicApis, openPages, enabled));
        String management = context.resolvePropertyPlaceholders("{{landfall.access.management}}");
        if (!"open".equals(management) && !"admin".equals(management)) {
            throw new IllegalArgumentException("landfall.access.management must be open or admin, not " + management);
        }
        if (enabled && "admin".equals(management)) {
            context.addStartupListener(new StartupListener() {
                private boolean installed;

                @Override
                public void onCamelContextStarting(CamelContext camel, boolean alreadyStarted) {
                    installed = ManagementAccess.install(camel, access);
                }

                @Override
                public void onCamelContextStarted(CamelContext camel, boolean alreadyStarted) {
                    if (!installed) {
                        installed = ManagementAccess.install(camel, access);
                    }
                }
            });
        }
    }

    private static Set<String> list(CamelContext context, String key) {
        return Arrays.stream(context.resolvePropertyPlaceholders("{{" + key + "}}").split(","))
                .map(String::strip).filter(v -> !v.isEmpty()).collect(Collectors.toSet());
    }

    /** The HMAC key (pepper) of API key digests: from the environment (LANDFALL_API_KEY_PEPPER), never stored. */
    @BindToRegistry(lazy = true)
    public ApiKeys apiKeys(@PropertyInject("landfall.access.pepper") String pepper) {
        byte[] bytes = pepper.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < ApiKeys.MIN_PEPPER_BYTES) {
            LOG.error("No usable API key pepper: set LANDFALL_API_KEY_PEPPER to a random secret of at least {} bytes; keyed "
                    + "endpoints answer 503 until then", ApiKeys.MIN_PEPPER_BYTES);
            return ApiKeys.unconfigured();
        }
        return new ApiKeys(bytes);
    }

    @BindToRegistry(lazy = true)
    public AccessStore accessStore(DynamoDbClient dynamoDb, @PropertyInject("landfall.access.table") String table) {
        return new AccessStore(dynamoDb, table);
    }

    @BindToRegistry(lazy = true)
    public StorageSpec accessStorage(@PropertyInject("landfall.access.table") String table) {
        return new StorageSpec(List.of(), List.of(new StorageSpec.Table(table, "pk", null, "expires_at")));
    }

    @BindToRegistry(lazy = true)
    public AccessControl accessControl(AccessStore store, ApiKeys keys, Clock clock,
                                       @PropertyInject("landfall.access.cache-seconds") int cacheSeconds,
                                       @PropertyInject("landfall.access.block-fraction") double blockFraction) {
        return new AccessControl(store, keys, clock, Duration.ofSeconds(cacheSeconds), blockFraction);
    }

    @BindToRegistry(lazy = true)
    public AccessAdmin accessAdmin(AccessStore store, ApiKeys keys, AccessControl access, Clock clock) {
        return new AccessAdmin(store, keys, access, clock);
    }
}
