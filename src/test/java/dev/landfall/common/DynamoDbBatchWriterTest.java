package dev.landfall.common;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.landfall.local.LocalServers;
import dev.landfall.testing.Aws;
import dev.landfall.testing.FaultInjector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The shared batch writer against DynamoDB Local, with throttling and UnprocessedItems injected on the real client. */
class DynamoDbBatchWriterTest {

    @TempDir
    static Path dir;
    static LocalServers servers;
    static DynamoDbClient plain;

    @BeforeAll
    static void start() throws Exception {
        servers = LocalServers.start(LocalServers.Options.forTests(dir, LocalServers.Server.DYNAMODB));
        plain = Aws.dynamoDb(servers);
    }

    @AfterAll
    static void stop() {
        servers.close();
    }

    static void table(String name) {
        new StorageProvisioner(Aws.s3(servers), plain, StorageProvisioner.Mode.CREATE, List.of(new StorageSpec(List.of(),
                List.of(new StorageSpec.Table(name, "PageName", "SortKey", null))))).ensure();
    }

    static Map<String, AttributeValue> item(String page, String sort, String value) {
        return Map.of("PageName", AttributeValue.fromS(page), "SortKey", AttributeValue.fromS(sort), "Value", AttributeValue.fromS(value));
    }

    static Map<String, String> scan(String table) {
        Map<String, String> out = new HashMap<>();
        plain.scanPaginator(b -> b.tableName(table).consistentRead(true)).items()
                .forEach(i -> out.put(i.get("PageName").s() + "|" + i.get("SortKey").s(), i.get("Value").s()));
        return out;
    }

    @Test
    void everyItemLandsOnceDespiteThrottlingAndUnprocessedItems() throws Exception {
        table("faulty");
        FaultInjector faults = new FaultInjector(0.4, 0.2, 7);
        DynamoDbClient client = Aws.dynamoDbWithFaults(servers, faults);
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, String> expected = new HashMap<>();
        for (int i = 0; i < 1000; i++) {
            String page = "page-" + (i % 17);
            String sort = (1_666_000_000 + i / 3) + "#req" + i;
            items.add(item(page, sort, "v" + i));
            expected.put(page + "|" + sort, "v" + i);
        }
        // the same view re-sent (a replay) in the same write: last one wins, never rejected as a duplicate key
        items.add(item("page-1", (1_666_000_000 + 1 / 3) + "#req1", "v1"));
        try (DynamoDbBatchWriter writer = new DynamoDbBatchWriter(client, 4, 30, 1, 20, new PipelineMetrics(() -> null))) {
            DynamoDbBatchWriter.Batches batches = writer.batches();
            for (int from = 0; from < items.size(); from += 100) {
                batches.submit("faulty", List.of("PageName", "SortKey"), items.subList(from, Math.min(items.size(), from + 100)));
            }
            batches.await();
            assertThat(writer.retriesMade()).isPositive();
        }
        assertThat(faults.partials.get()).isPositive();
        assertThat(faults.throttles.get()).isPositive();
        assertThat(scan("faulty")).isEqualTo(expected);
    }

    @Test
    void aBatchNeverHoldsTheSameKeyTwice() {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            items.add(item("p", "k" + (i % 30), "v" + i));
        }
        var calls = DynamoDbBatchWriter.chunk(List.of("PageName", "SortKey"), items);
        assertThat(calls).hasSize(2);
        assertThat(calls.get(0)).hasSize(25);
        assertThat(calls.get(1)).hasSize(5);
        assertThat(calls.stream().flatMap(List::stream).map(i -> i.get("SortKey").s()).distinct()).hasSize(30);
        assertThat(calls.get(0).get(0).get("Value").s()).isEqualTo("v30");
    }

    @Test
    void aNonRetryableErrorIsRaised() {
        try (DynamoDbBatchWriter writer = new DynamoDbBatchWriter(plain, 2, 5, 1, 10, new PipelineMetrics(() -> null))) {
            assertThatThrownBy(() -> writer.write("no-such-table", List.of("PageName", "SortKey"), List.of(item("p", "s", "v"))))
                    .isInstanceOf(ResourceNotFoundException.class);
        }
    }
}
