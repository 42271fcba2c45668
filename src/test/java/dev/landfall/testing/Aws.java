package dev.landfall.testing;

import java.util.List;

import dev.landfall.common.StateTable;
import dev.landfall.common.StorageProvisioner;
import dev.landfall.common.StorageSpec;
import dev.landfall.config.AwsClients;
import dev.landfall.local.LocalServers;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/** SDK clients for tests, built by the app's own factory against the embedded servers. */
public final class Aws {

    private Aws() {
    }

    public static AwsClients.Settings settings(LocalServers servers) {
        return new AwsClients.Settings("us-east-1", servers.s3Endpoint(), servers.dynamoDbEndpoint(), true,
                LocalServers.ACCESS_KEY, LocalServers.SECRET_KEY, 16);
    }

    public static S3Client s3(LocalServers servers) {
        return AwsClients.s3(settings(servers));
    }

    public static DynamoDbClient dynamoDb(LocalServers servers) {
        return AwsClients.dynamoDb(settings(servers), List.of());
    }

    /** Creates the state table and the given buckets the way the app's local profile does. */
    public static void provision(S3Client s3, DynamoDbClient ddb, String stateTable, List<String> buckets) {
        new StorageProvisioner(s3, ddb, StorageProvisioner.Mode.CREATE,
                List.of(new StorageSpec(buckets, List.of(StateTable.spec(stateTable))))).ensure();
    }
}
