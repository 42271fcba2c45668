package dev.landfall.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsClientBuilder;

/** Builds the S3 and DynamoDB SDK clients from settings: endpoint overrides locally, the default chains in production. */
public final class AwsClients {

    /**
     * @param accessKey static credentials for local servers; blank means the SDK default credentials chain
     * @param s3Endpoint blank means the real AWS endpoint for the region
     */
    public record Settings(String region, String s3Endpoint, String dynamoDbEndpoint, String sqsEndpoint, boolean pathStyle,
                           String accessKey, String secretKey, int maxConnections) {

        Region resolvedRegion() {
            return isBlank(region) ? new DefaultAwsRegionProviderChain().getRegion() : Region.of(region);
        }

        AwsCredentialsProvider credentials() {
            return isBlank(accessKey) ? DefaultCredentialsProvider.builder().build()
                    : StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey));
        }

        @Override
        public String toString() {
            // never print the secret
            return "region=" + region + " s3=" + s3Endpoint + " dynamodb=" + dynamoDbEndpoint + " sqs=" + sqsEndpoint
                    + " credentials=" + (isBlank(accessKey) ? "default-chain" : "static");
        }
    }

    private AwsClients() {
    }

    public static S3Client s3(Settings s) {
        return s3(s, List.of());
    }

    /** @param interceptors SDK interceptors bound in the registry (tests inject faults on the real client with them) */
    public static S3Client s3(Settings s, List<ExecutionInterceptor> interceptors) {
        S3ClientBuilder b = S3Client.builder()
                .region(s.resolvedRegion())
                .credentialsProvider(s.credentials())
                .forcePathStyle(s.pathStyle())
                .httpClientBuilder(http(s))
                .overrideConfiguration(ClientOverrideConfiguration.builder().executionInterceptors(interceptors).build());
        if (!isBlank(s.s3Endpoint())) {
            b.endpointOverride(URI.create(s.s3Endpoint()));
        }
        return b.build();
    }

    public static DynamoDbClient dynamoDb(Settings s, List<ExecutionInterceptor> interceptors) {
        DynamoDbClientBuilder b = DynamoDbClient.builder()
                .region(s.resolvedRegion())
                .credentialsProvider(s.credentials())
                .httpClientBuilder(http(s))
                // a DynamoDB call answers in milliseconds: an attempt hanging on a dead connection is cut, and the SDK's
                // own retries stay short because the batch writer and the routes retry with their own backoff
                .overrideConfiguration(ClientOverrideConfiguration.builder().executionInterceptors(interceptors)
                        .apiCallAttemptTimeout(Duration.ofSeconds(10))
                        .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(3)
                                .backoffStrategy(BackoffStrategy.exponentialDelay(Duration.ofMillis(25), Duration.ofSeconds(1)))
                                .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(Duration.ofMillis(100), Duration.ofSeconds(2)))
                                .build())
                        .build());
        if (!isBlank(s.dynamoDbEndpoint())) {
            b.endpointOverride(URI.create(s.dynamoDbEndpoint()));
        }
        return b.build();
    }

    public static SqsClient sqs(Settings s) {
        SqsClientBuilder b = SqsClient.builder()
                .region(s.resolvedRegion())
                .credentialsProvider(s.credentials())
                .httpClientBuilder(http(s));
        if (!isBlank(s.sqsEndpoint())) {
            b.endpointOverride(URI.create(s.sqsEndpoint()));
        }
        return b.build();
    }

    private static ApacheHttpClient.Builder http(Settings s) {
        return ApacheHttpClient.builder().maxConnections(s.maxConnections())
                .connectionTimeout(Duration.ofSeconds(5)).socketTimeout(Duration.ofSeconds(60));
    }

    static boolean isBlank(String v) {
        return v == null || v.isBlank();
    }
}
