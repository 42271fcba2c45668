package dev.landfall.testing;

import java.util.List;

import dev.landfall.common.AwsClients;
import dev.landfall.common.StateTable;
import dev.landfall.common.StorageProvisioner;
import dev.landfall.common.StorageSpec;
import dev.landfall.local.LocalServers;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/** SDK clients for tests, built by the app's own factory against the embedded servers. */
public final class Aws {

    private Aws() {
    }

    public static AwsClients.Settings settings(LocalServers servers) {
        return new AwsClients.Settings("us-east-1", servers.s3Endpoint(), servers.dynamoDbEndpoint(), servers.sqsEndpoint(), true,
                LocalServers.ACCESS_KEY, LocalServers.SECRET_KEY, 16);
    }

    public static S3Client s3(LocalServers servers) {
        return AwsClients.s3(AwsClients.resolve(settings(servers)));
    }

    public static DynamoDbClient dynamoDb(LocalServers servers) {
        return AwsClients.dynamoDb(AwsClients.resolve(settings(servers)), List.of());
    }

    public static software.amazon.awssdk.services.sqs.SqsClient sqs(LocalServers servers) {
        return AwsClients.sqs(AwsClients.resolve(settings(servers)));
    }

    /** A client with injected faults and no SDK retries, so the code under test meets every fault itself. */
    public static DynamoDbClient dynamoDbWithFaults(LocalServers servers, software.amazon.awssdk.core.interceptor.ExecutionInterceptor faults) {
        return DynamoDbClient.builder()
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .endpointOverride(java.net.URI.create(servers.dynamoDbEndpoint()))
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(LocalServers.ACCESS_KEY, LocalServers.SECRET_KEY)))
                .overrideConfiguration(c -> c.addExecutionInterceptor(faults).retryStrategy(r -> r.maxAttempts(1)))
                .build();
    }

    /** Creates the state table and the given buckets the way the app's local profile does. */
    public static void provision(S3Client s3, DynamoDbClient ddb, String stateTable, List<String> buckets) {
        new StorageProvisioner(s3, ddb, StorageProvisioner.Mode.CREATE,
                List.of(new StorageSpec(buckets, List.of(StateTable.spec(stateTable))))).ensure();
    }
}
