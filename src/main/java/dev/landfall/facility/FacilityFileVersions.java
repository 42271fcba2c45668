package dev.landfall.facility;

import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

import dev.landfall.common.StateTable;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/**
 * Remembers the SHA-256 of each facility file's last merged version in the state table, so that a download whose
 * bytes did not change is not merged again.
 */
public final class FacilityFileVersions {

    /** The downloaded file's SHA-256, hex. */
    public static final String HASH_HEADER = "landfallFileSha256";
    /** True when the download has the bytes of the version merged last. */
    public static final String UNCHANGED_HEADER = "landfallFileUnchanged";
    static final String HASH = "sha256";

    private final DynamoDbClient dynamoDb;
    private final String table;
    private final Duration ttl;
    private final Clock clock;

    public FacilityFileVersions(DynamoDbClient dynamoDb, String table, Duration ttl, Clock clock) {
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.ttl = ttl;
        this.clock = clock;
    }

    /** Hashes the downloaded file and sets {@link #HASH_HEADER} and {@link #UNCHANGED_HEADER}. */
    public void check(Exchange exchange) throws Exception {
        Message in = exchange.getMessage();
        String hash = sha256(in);
        in.setHeader(HASH_HEADER, hash);
        GetItemResponse r = dynamoDb.getItem(b -> b.tableName(table).key(key(in)).consistentRead(true));
        boolean live = r.hasItem() && r.item().containsKey(HASH)
                && Long.parseLong(r.item().get(StateTable.EXPIRES_AT).n()) >= clock.millis() / 1000;
        in.setHeader(UNCHANGED_HEADER, live && hash.equals(r.item().get(HASH).s()));
    }

    /** Stores the hash set by {@link #check}; call it only once the merge of that version succeeded. */
    public void record(Exchange exchange) {
        Message in = exchange.getMessage();
        Map<String, AttributeValue> item = new HashMap<>(key(in));
        item.put(HASH, AttributeValue.fromS(in.getHeader(HASH_HEADER, String.class)));
        item.put(StateTable.EXPIRES_AT, AttributeValue.fromN(Long.toString(clock.millis() / 1000 + ttl.toSeconds())));
        dynamoDb.putItem(b -> b.tableName(table).item(item));
    }

    private static Map<String, AttributeValue> key(Message in) {
        String facility = in.getHeader("landfallFacility", String.class);
        String name = in.getHeader(Exchange.FILE_NAME, String.class);
        return Map.of(StateTable.KEY, AttributeValue.fromS("file-hash#" + facility + "/" + name));
    }

    private static String sha256(Message in) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        if (in.getBody() instanceof InputStream stream) {
            // a stream can be read once: keep its bytes for the merge
            try (stream) {
                in.setBody(stream.readAllBytes());
            }
        }
        // the download in the work directory, opened again by the merge
        try (InputStream body = in.getMandatoryBody(InputStream.class)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = body.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
