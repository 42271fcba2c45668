package example.stamps;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import dev.landfall.common.DynamoDbBatchWriter;
import dev.landfall.common.StorageSpec;
import dev.landfall.local.LocalServers;
import dev.landfall.testing.LandfallApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A pipeline added as its own package, route file and properties block only (no edit to Application or to any
 * shared list): the real Main binds its beans, provisions its table and runs its route.
 */
class StampsPipelineTest {

    static final String TABLE = "landfall-stamps";

    @TempDir
    static Path dir;
    static LocalServers servers;
    static LandfallApp app;

    @BeforeAll
    static void start() throws Exception {
        servers = LocalServers.start(LocalServers.Options.forTests(dir.resolve("servers")));
        Map<String, String> props = LandfallApp.testProperties(servers, dir.resolve("app"));
        // the pipeline's properties block, as a deployment's own properties file would add it
        props.put("landfall.stamps.configuration", StampsConfiguration.class.getName());
        props.put("landfall.stamps.table", TABLE);
        props.put("landfall.stamps.dynamodb.write-parallelism", "2");
        // its route file, beside the application's own
        props.put("camel.main.routes-include-pattern", applicationRoutes() + ",classpath:example/stamps.camel.yaml");
        app = LandfallApp.start(props);
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        servers.close();
    }

    @Test
    void theNewPipelinesBeansAreBoundItsTableProvisionedAndItsRouteRuns() {
        assertThat(app.bean("stampWriter", StampWriter.class)).isNotNull();
        assertThat(app.context().getRegistry().findByTypeWithName(StorageSpec.class)).containsKey("stampsStorage");

        assertThat(app.dynamoDb().describeTable(b -> b.tableName(TABLE)).table().keySchema())
                .extracting(KeySchemaElement::attributeName).containsExactly(StampWriter.KEY);

        await().atMost(Duration.ofSeconds(30)).until(() -> app.dynamoDb()
                .getItem(b -> b.tableName(TABLE).key(Map.of(StampWriter.KEY, AttributeValue.fromS("stamps-write")))).hasItem());
    }

    @Test
    void eachPipelineWritesToDynamoDbThroughItsOwnWriter() {
        assertThat(app.context().getRegistry().findByTypeWithName(DynamoDbBatchWriter.class))
                .containsOnlyKeys("pageViewsBatchWriter", "directoryBatchWriter", "landingBatchWriter", "metersBatchWriter",
                        "stampsBatchWriter");
    }

    /** The application's own route files (whatever application.properties lists), so the example only adds to them. */
    private static String applicationRoutes() throws IOException {
        Properties p = new Properties();
        try (InputStream in = StampsPipelineTest.class.getClassLoader().getResourceAsStream("application.properties")) {
            p.load(in);
        }
        return p.getProperty("camel.main.routes-include-pattern");
    }
}
