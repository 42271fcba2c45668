package example.stamps;

import java.time.Clock;
import java.util.List;
import java.util.Map;

import dev.landfall.common.DynamoDbBatchWriter;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Writes one stamp item (the body is its key) with the time it was written, through the pipeline's own batch writer. */
public final class StampWriter implements Processor {

    static final String KEY = "Stamp";
    static final String AT = "At";

    private final DynamoDbBatchWriter writer;
    private final Clock clock;
    private final String table;

    public StampWriter(DynamoDbBatchWriter writer, Clock clock, String table) {
        this.writer = writer;
        this.clock = clock;
        this.table = table;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        Map<String, AttributeValue> item = Map.of(KEY, AttributeValue.fromS(exchange.getMessage().getMandatoryBody(String.class)),
                AT, AttributeValue.fromS(clock.instant().toString()));
        writer.write(table, List.of(KEY), List.of(item));
    }
}
