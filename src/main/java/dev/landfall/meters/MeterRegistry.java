package dev.landfall.meters;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.landfall.common.DynamoDbBatchWriter;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * The gateways' registry in DynamoDB: the devices table (one item per cloud id, the credential sealed) and the state
 * table (each device's poll state and counters, written by its shard's poller in batches through the shared writer).
 */
public final class MeterRegistry {

    public static final String CLOUD_ID = "cloud_id";
    static final String EMAIL = "email", API = "api", ENDPOINT = "endpoint", CREDENTIAL = "credential", ENABLED = "enabled",
            UPDATED_AT = "updated_at";

    /** A page of devices and the cursor of the next one (null on the last). */
    public record Page(List<MeterDevice> devices, String cursor) {
    }

    private final DynamoDbClient dynamoDb;
    private final DynamoDbBatchWriter writer;
    private final String devicesTable;
    private final String stateTable;

    public MeterRegistry(DynamoDbClient dynamoDb, DynamoDbBatchWriter writer, String devicesTable, String stateTable) {
        this.dynamoDb = dynamoDb;
        this.writer = writer;
        this.devicesTable = devicesTable;
        this.stateTable = stateTable;
    }

    public String devicesTable() {
        return devicesTable;
    }

    public String stateTable() {
        return stateTable;
    }

    /** @return true when the device is new */
    public boolean put(MeterDevice d) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(CLOUD_ID, AttributeValue.fromS(d.cloudId()));
        if (d.email() != null) {
            item.put(EMAIL, AttributeValue.fromS(d.email()));
        }
        item.put(API, AttributeValue.fromS(d.api().id()));
        item.put(ENDPOINT, AttributeValue.fromS(d.endpoint()));
        item.put(CREDENTIAL, AttributeValue.fromB(SdkBytes.fromByteArray(d.sealedCredential())));
        item.put(ENABLED, AttributeValue.fromBool(d.enabled()));
        item.put(UPDATED_AT, AttributeValue.fromS(d.updatedAt()));
        return !dynamoDb.putItem(b -> b.tableName(devicesTable).item(item).returnValues("ALL_OLD")).hasAttributes();
    }

    public Optional<MeterDevice> get(String cloudId) {
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(devicesTable).consistentRead(true)
                .key(Map.of(CLOUD_ID, AttributeValue.fromS(cloudId)))).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(device(item));
    }

    public boolean delete(String cloudId) {
        boolean was = dynamoDb.deleteItem(b -> b.tableName(devicesTable).key(Map.of(CLOUD_ID, AttributeValue.fromS(cloudId)))
                .returnValues("ALL_OLD")).hasAttributes();
        dynamoDb.deleteItem(b -> b.tableName(stateTable).key(Map.of(CLOUD_ID, AttributeValue.fromS(cloudId))));
        return was;
    }

    public Page page(int limit, String cursor) {
        Map<String, AttributeValue> start = cursor == null || cursor.isEmpty() ? null
                : Map.of(CLOUD_ID, AttributeValue.fromS(decodeCursor(cursor)));
        ScanResponse r = dynamoDb.scan(b -> b.tableName(devicesTable).limit(limit).exclusiveStartKey(start));
        List<MeterDevice> devices = r.items().stream().map(MeterRegistry::device).toList();
        String next = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty()
                ? Base64.getUrlEncoder().withoutPadding().encodeToString(r.lastEvaluatedKey().get(CLOUD_ID).s().getBytes(StandardCharsets.UTF_8))
                : null;
        return new Page(devices, next);
    }

    private static String decodeCursor(String cursor) {
        try {
            return MeterDevice.checkCloudId(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cursor is not one this API gave");
        }
    }

    /** Every device (the pollers' view, re-read every minute). */
    public List<MeterDevice> all() {
        List<MeterDevice> out = new ArrayList<>();
        dynamoDb.scanPaginator(b -> b.tableName(devicesTable)).items().forEach(i -> out.add(device(i)));
        return out;
    }

    static MeterDevice device(Map<String, AttributeValue> i) {
        return new MeterDevice(i.get(CLOUD_ID).s(), i.containsKey(EMAIL) ? i.get(EMAIL).s() : null, MeterDevice.Api.of(i.get(API).s()),
                i.get(ENDPOINT).s(), i.get(CREDENTIAL).b().asByteArray(), i.get(ENABLED).bool(),
                i.containsKey(UPDATED_AT) ? i.get(UPDATED_AT).s() : null);
    }

    /** The stored states of some devices (BatchGetItem, 100 a call). */
    public Map<String, Map<String, AttributeValue>> states(List<String> cloudIds) {
        Map<String, Map<String, AttributeValue>> out = new HashMap<>();
        for (int i = 0; i < cloudIds.size(); i += 100) {
            List<Map<String, AttributeValue>> keys = cloudIds.subList(i, Math.min(cloudIds.size(), i + 100)).stream()
                    .map(id -> Map.of(CLOUD_ID, AttributeValue.fromS(id))).toList();
            Map<String, KeysAndAttributes> ask = Map.of(stateTable, KeysAndAttributes.builder().keys(keys).consistentRead(true).build());
            while (!ask.isEmpty()) {
                Map<String, KeysAndAttributes> now = ask;
                var r = dynamoDb.batchGetItem(b -> b.requestItems(now));
                r.responses().getOrDefault(stateTable, List.of()).forEach(it -> out.put(it.get(CLOUD_ID).s(), it));
                var left = r.unprocessedKeys();
                if (left == null || left.isEmpty()) {
                    break;
                }
                ask = left;
            }
        }
        return out;
    }

    public Map<String, AttributeValue> state(String cloudId) {
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(stateTable).consistentRead(true)
                .key(Map.of(CLOUD_ID, AttributeValue.fromS(cloudId)))).item();
        return item == null ? Map.of() : item;
    }

    /** Writes states (whole items) in batches of 25 through the shared writer. */
    public void putStates(List<Map<String, AttributeValue>> items) throws InterruptedException {
        if (!items.isEmpty()) {
            writer.writeAll(stateTable, CLOUD_ID, items);
        }
    }

    /** The device as the API shows it: never its credential, only that one is set. */
    public static Map<String, Object> view(MeterDevice d, Map<String, AttributeValue> state) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cloudId", d.cloudId());
        if (d.email() != null) {
            m.put("email", d.email());
        }
        m.put("api", d.api().id());
        m.put("endpoint", d.endpoint());
        m.put("credential", "set (write-only)");
        m.put("enabled", d.enabled());
        m.put("updated_at", d.updatedAt());
        if (!d.enabled()) {
            m.put("state", DeviceState.DISABLED.name());
        } else if (state != null && state.containsKey(MeterStatus.STATE)) {
            m.put("state", state.get(MeterStatus.STATE).s());
        } else {
            m.put("state", "PENDING");
        }
        if (state != null) {
            MeterStatus.view(state, m);
        }
        return m;
    }
}
