package dev.landfall.routes;

import java.util.List;

import dev.landfall.Application;
import dev.landfall.common.access.AccessPolicies;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Loads every route file through the real Main and checks the house rules: kebab-case ids, descriptions, no literals. */
@CamelMainTest(mainClass = Application.class, properties = {
        "camel.server.port=0", "camel.management.port=0",
        "landfall.aws.s3.endpoint=http://127.0.0.1:1", "landfall.aws.dynamodb.endpoint=http://127.0.0.1:1",
        "camel.routeTemplate[facility-logs-poll-check].templateId=facility-logs-ftp",
        "camel.routeTemplate[facility-logs-poll-check].name=check",
        "camel.routeTemplate[facility-logs-poll-check].host=127.0.0.1",
        "camel.routeTemplate[facility-logs-poll-check].port=1",
        "camel.routeTemplate[facility-logs-poll-check].user=u",
        "camel.routeTemplate[facility-logs-poll-check].password=p",
        "camel.routeTemplate[facility-logs-poll-check].fileName=f.csv"})
class RouteConventionsTest {

    @BeanInject
    CamelContext context;

    @Test
    void everyRouteHasAKebabCaseIdADescriptionAndAPipelineGroup() {
        List<Route> routes = context.getRoutes();
        assertThat(routes).extracting(Route::getRouteId).contains("facility-logs-merge", "facility-logs-replay",
                "facility-logs-poll-check", "dead-letter-replay");
        for (Route route : routes) {
            assertThat(route.getRouteId()).matches("[a-z0-9]+(-[a-z0-9]+)*");
            if (route.getEndpoint().getEndpointUri().startsWith("rest-api:")) {
                // the OpenAPI document's route, made by Camel from camel.rest.api-*: it has no description to set
                assertThat(route.getRouteId()).isEqualTo("api-openapi-document");
                continue;
            }
            // a Rest DSL route (inlined into its direct: route) carries its verb's description on the rest: endpoint
            String description = route.getDescription() != null ? route.getDescription()
                    : route.getEndpoint().getEndpointUri().startsWith("rest:") && route.getEndpoint().getEndpointUri().contains("description=")
                    ? route.getEndpoint().getEndpointUri() : null;
            assertThat(description).as(route.getRouteId()).isNotBlank();
        }
        for (RouteDefinition def : ((ModelCamelContext) context).getRouteDefinitions()) {
            if (def.getInput().getEndpointUri().startsWith("rest-api:")) {
                continue; // Camel's own OpenAPI document route (above)
            }
            // routes with an HTTP consumer answer their errors; every other route dead-letters what it cannot handle
            boolean http = def.getInput().getEndpointUri().startsWith("platform-http:") || def.getInput().getEndpointUri().startsWith("rest:");
            // shared sinks hand their failures back to the pipeline route that called them
            boolean sink = def.isCreatedFromTemplate() && def.getInput().getEndpointUri().startsWith("direct:dynamodb-batch-sink-");
            assertThat(def.getRouteConfigurationId()).as(def.getRouteId())
                    .isEqualTo(http ? "landfall-http" : sink ? "landfall-passthrough" : "landfall-dead-letter");
            if (def.getRouteId().startsWith("facility-logs")) {
                assertThat(def.getGroup()).as(def.getRouteId()).isEqualTo("facility-logs");
            }
        }
    }

    @Test
    void everyRouteWithAnHttpConsumerIsKeyedOrExplicitlyOpen() {
        List<Route> http = context.getRoutes().stream()
                .filter(r -> AccessPolicies.httpPath(r.getEndpoint().getEndpointUri()) != null).toList();
        assertThat(http).extracting(Route::getRouteId).contains("access-key-create", "dead-letter-replay", "page-views-top");
        for (Route route : http) {
            // the access policy is on the route whatever its file says: a new HTTP route is keyed without asking
            assertThat(route.getRoutePolicyList()).as(route.getRouteId()).hasAtLeastOneElementOfType(AccessPolicies.Policy.class);
            // public only where a setting says so (landfall.access.public-apis, landfall.access.open-pages): none here
            // but the dashboard's page, which holds no data
            String mode = (String) route.getProperties().get(AccessPolicies.ACCESS_PROPERTY);
            String path = AccessPolicies.httpPath(route.getEndpoint().getEndpointUri());
            assertThat(mode).as(route.getRouteId()).isEqualTo(path.startsWith("/admin/") ? "admin"
                    : path.startsWith("/page-views") ? "open-page" : "keyed");
        }
    }

    @Test
    void routeFilesHoldNoLiteralHostsBucketsOrCredentials() throws Exception {
        List<java.nio.file.Path> files;
        try (var listing = java.nio.file.Files.walk(java.nio.file.Path.of(getClass().getClassLoader().getResource("routes").toURI()))) {
            files = listing.filter(f -> f.toString().endsWith(".yaml")).toList();
        }
        // every route file, not a chosen few
        assertThat(files).extracting(f -> f.getFileName().toString()).contains("common.camel.yaml", "s3-arrival.camel.yaml", "dynamodb-batch-sink.camel.yaml",
                "facility-logs.camel.yaml", "page-views.camel.yaml");
        for (java.nio.file.Path path : files) {
            String file = path.toString();
            String text = java.nio.file.Files.readString(path);
            assertThat(text).as(file).doesNotContainPattern("\\b\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\b")
                    .doesNotContain("localhost")
                    // hosts, buckets, tables and credentials only as {{placeholders}}
                    .doesNotContainPattern("(bucket|tableName|host|password|username|accessKey|secretKey)\\s*[:=]\\s*\"?(?!RAW\\(\\{\\{)[^\"{\\s#]");
        }
    }
}
