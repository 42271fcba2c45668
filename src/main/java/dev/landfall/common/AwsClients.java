package dev.landfall.common;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
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

        /** The settings from the landfall.aws.* properties, as the app and the keys command both read them. */
        public static Settings fromProperties(java.util.function.UnaryOperator<String> property) {
            return new Settings(property.apply("landfall.aws.region"), property.apply("landfall.aws.s3.endpoint"),
                    property.apply("landfall.aws.dynamodb.endpoint"), property.apply("landfall.aws.sqs.endpoint"),
                    Boolean.parseBoolean(property.apply("landfall.aws.s3.path-style")), property.apply("landfall.aws.access-key"),
                    property.apply("landfall.aws.secret-key"), Integer.parseInt(property.apply("landfall.aws.max-connections")));
        }

        @Override
        public String toString() {
            // never print the secret
            return "region=" + region + " s3=" + s3Endpoint + " dynamodb=" + dynamoDbEndpoint + " sqs=" + sqsEndpoint
                    + " credentials=" + (isBlank(accessKey) ? "default-chain" : "static");
        }
    }

    /**
     * The settings with the region and credentials found for them, once, at start.
     *
     * @param missing what is missing and how to give it, or null; when set, the credentials fail every call at once
     * @param cause what the SDK said about it, or null
     */
    public record Resolved(Settings settings, Region region, AwsCredentialsProvider credentials, String missing, String cause) {
    }

    static final String NO_REGION = "No AWS region: set LANDFALL_AWS_REGION or AWS_REGION";
    static final String NO_CREDENTIALS = "No AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE,"
            + " or give the pod a role (IRSA)";

    private AwsClients() {
    }

    /** Asks the default region and credentials chains once, where the settings leave them open; never throws. */
    public static Resolved resolve(Settings s) {
        List<String> missing = new ArrayList<>();
        List<String> causes = new ArrayList<>();
        Region region = isBlank(s.region()) ? null : Region.of(s.region().trim());
        if (region == null) {
            try {
                region = new DefaultAwsRegionProviderChain().getRegion();
            } catch (SdkClientException e) {
                missing.add(NO_REGION);
                causes.add(e.getMessage());
            }
        }
        AwsCredentialsProvider credentials;
        if (isBlank(s.accessKey())) {
            credentials = DefaultCredentialsProvider.builder().build();
            try {
                credentials.resolveCredentials();
            } catch (SdkClientException e) {
                missing.add(NO_CREDENTIALS);
                causes.add(e.getMessage());
            }
        } else {
            credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create(s.accessKey(), s.secretKey()));
        }
        if (missing.isEmpty()) {
            return new Resolved(s, region, credentials, null, null);
        }
        String problem = String.join("; ", missing);
        // the clients still build (the region is only a placeholder) and fail every call before it leaves the JVM
        AwsCredentialsProvider failing = () -> {
            throw SdkClientException.create(problem);
        };
        return new Resolved(s, region != null ? region : Region.US_EAST_1, failing, problem, String.join("; ", causes));
    }

    public static S3Client s3(Resolved r) {
        return s3(r, List.of());
    }

    /** @param interceptors SDK interceptors bound in the registry (tests inject faults on the real client with them) */
    public static S3Client s3(Resolved r, List<ExecutionInterceptor> interceptors) {
        Settings s = r.settings();
        S3ClientBuilder b = S3Client.builder()
                .region(r.region())
                .credentialsProvider(r.credentials())
                .forcePathStyle(s.pathStyle())
                .httpClientBuilder(http(s))
                .overrideConfiguration(ClientOverrideConfiguration.builder().executionInterceptors(interceptors).build());
        if (!isBlank(s.s3Endpoint())) {
            b.endpointOverride(URI.create(s.s3Endpoint()));
        }
        return b.build();
    }

    public static DynamoDbClient dynamoDb(Resolved r, List<ExecutionInterceptor> interceptors) {
        Settings s = r.settings();
        DynamoDbClientBuilder b = DynamoDbClient.builder()
                .region(r.region())
                .credentialsProvider(r.credentials())
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

    public static SqsClient sqs(Resolved r) {
        return sqs(r, List.of());
    }

    public static SqsClient sqs(Resolved r, List<ExecutionInterceptor> interceptors) {
        Settings s = r.settings();
        SqsClientBuilder b = SqsClient.builder()
                .region(r.region())
                .credentialsProvider(r.credentials())
                .httpClientBuilder(http(s))
                .overrideConfiguration(ClientOverrideConfiguration.builder().executionInterceptors(interceptors).build());
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
