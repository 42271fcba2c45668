package example.stamps;

import java.time.Clock;
import java.util.List;

import dev.landfall.common.DynamoDbBatchWriter;
import dev.landfall.common.PipelineMetrics;
import dev.landfall.common.StorageSpec;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.Configuration;
import org.apache.camel.PropertyInject;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The stamps example pipeline's beans and storage: what a new pipeline adds besides its route file and its
 * properties block. Outside {@code dev.landfall}, so that tests scanning that package never pick it up.
 */
@Configuration
public class StampsConfiguration implements CamelConfiguration {

    @BindToRegistry(lazy = true)
    public StorageSpec stampsStorage(@PropertyInject("landfall.stamps.table") String table) {
        return new StorageSpec(List.of(), List.of(new StorageSpec.Table(table, StampWriter.KEY, null, null)));
    }

    @BindToRegistry(lazy = true)
    public DynamoDbBatchWriter stampsBatchWriter(DynamoDbClient dynamoDb, PipelineMetrics metrics,
                                                 @PropertyInject("landfall.stamps.dynamodb.write-parallelism") int parallelism) {
        return new DynamoDbBatchWriter(dynamoDb, parallelism, 10, 25, 2000, metrics);
    }

    @BindToRegistry(lazy = true)
    public StampWriter stampWriter(@BeanInject("stampsBatchWriter") DynamoDbBatchWriter writer, Clock clock,
                                   @PropertyInject("landfall.stamps.table") String table) {
        return new StampWriter(writer, clock, table);
    }
}
