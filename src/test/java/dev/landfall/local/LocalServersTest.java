package dev.landfall.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

class LocalServersTest {

    private static final String BUCKET = "landfall-test";
    private static final String TABLE = "landfall-test";

    @Test
    void serversAnswerRealClients(@TempDir Path dir) throws Exception {
        try (LocalServers servers = LocalServers.start(LocalServers.Options.forTests(dir))) {
            Map<String, String> props = servers.appProperties();
            assertThat(props).containsOnlyKeys(
                    "landfall.aws.s3.endpoint", "landfall.aws.dynamodb.endpoint", "landfall.aws.sqs.endpoint", "landfall.aws.sqs.queue-url-prefix", "landfall.aws.access-key",
                    "landfall.aws.secret-key", "landfall.aws.region", "landfall.ftp.host", "landfall.ftp.port",
                    "landfall.ftp.user", "landfall.ftp.password");
            assertThat(props.get("landfall.aws.s3.endpoint")).isEqualTo("http://127.0.0.1:" + servers.s3Port());
            assertThat(servers.s3Port()).isPositive();
            assertThat(servers.dynamoDbPort()).isPositive();
            assertThat(servers.ftpPort()).isPositive();

            try (S3Client s3 = s3(props)) {
                s3.createBucket(b -> b.bucket(BUCKET));
                s3.putObject(b -> b.bucket(BUCKET).key("a/b.txt"), RequestBody.fromString("hello"));
                assertThat(s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("a/b.txt")).asUtf8String())
                        .isEqualTo("hello");
                assertThat(s3.headObject(b -> b.bucket(BUCKET).key("a/b.txt")).eTag()).isNotBlank();
                assertThatThrownBy(() -> s3.putObject(b -> b.bucket(BUCKET).key("a/b.txt").ifNoneMatch("*"),
                        RequestBody.fromString("again")))
                        .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(412));
            }

            try (DynamoDbClient ddb = dynamoDb(props)) {
                createTable(ddb);
                ddb.putItem(b -> b.tableName(TABLE).item(Map.of(
                        "pk", AttributeValue.fromS("device-1"), "reading", AttributeValue.fromN("42"))));
                assertThat(ddb.getItem(b -> b.tableName(TABLE).key(Map.of("pk", AttributeValue.fromS("device-1"))))
                        .item().get("reading").n()).isEqualTo("42");
            }

            int ftpPort = Integer.parseInt(props.get("landfall.ftp.port"));
            FTPClient ftp = ftpLogin(ftpPort);
            try {
                assertThat(ftp.storeFile("drop.csv",
                        new ByteArrayInputStream("a,b\n".getBytes(StandardCharsets.UTF_8)))).isTrue();
                assertThat(ftp.listFiles()).extracting(FTPFile::getName).contains("drop.csv");
            } finally {
                ftp.disconnect();
            }
            assertThat(servers.ftpHome().resolve("drop.csv")).hasContent("a,b");

            servers.stopFtp();
            assertThatThrownBy(() -> new FTPClient().connect("127.0.0.1", ftpPort)).isInstanceOf(IOException.class);

            servers.startFtp();
            assertThat(servers.ftpPort()).isEqualTo(ftpPort);
            ftp = ftpLogin(ftpPort);
            try {
                assertThat(ftp.listNames()).contains("drop.csv");
            } finally {
                ftp.disconnect();
            }
        }
    }

    @Test
    void persistentDataSurvivesRestart(@TempDir Path dir) throws Exception {
        LocalServers.Options tests = LocalServers.Options.forTests(dir);
        LocalServers.Options options = new LocalServers.Options(dir, true, tests.s3Port(), tests.dynamoDbPort(),
                tests.ftpPort(), tests.ftpPassivePorts(), tests.sqsPort());

        try (LocalServers servers = LocalServers.start(options);
             S3Client s3 = s3(servers.appProperties());
             DynamoDbClient ddb = dynamoDb(servers.appProperties())) {
            s3.createBucket(b -> b.bucket(BUCKET));
            s3.putObject(b -> b.bucket(BUCKET).key("kept.txt"), RequestBody.fromString("still here"));
            createTable(ddb);
            ddb.putItem(b -> b.tableName(TABLE).item(Map.of("pk", AttributeValue.fromS("kept"))));
        }
        assertThat(dir.resolve("s3")).isNotEmptyDirectory();
        assertThat(dir.resolve("dynamodb")).isNotEmptyDirectory();

        try (LocalServers servers = LocalServers.start(options);
             S3Client s3 = s3(servers.appProperties());
             DynamoDbClient ddb = dynamoDb(servers.appProperties())) {
            assertThat(s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("kept.txt")).asUtf8String())
                    .isEqualTo("still here");
            assertThat(s3.headObject(b -> b.bucket(BUCKET).key("kept.txt")).eTag()).isNotBlank();
            assertThat(ddb.getItem(b -> b.tableName(TABLE).key(Map.of("pk", AttributeValue.fromS("kept"))))
                    .hasItem()).isTrue();
        }
    }

    @Test
    void onlyTheNamedServersStartAndTheOthersRefuseConnections(@TempDir Path dir) throws Exception {
        try (LocalServers servers = LocalServers.start(LocalServers.Options.forTests(dir, LocalServers.Server.DYNAMODB))) {
            Map<String, String> props = servers.appProperties();
            try (DynamoDbClient ddb = dynamoDb(props)) {
                createTable(ddb);
                assertThat(ddb.listTables().tableNames()).contains(TABLE);
            }
            int refusing = servers.s3Port();
            assertThat(refusing).isPositive().isNotEqualTo(servers.dynamoDbPort());
            assertThat(servers.ftpPort()).isEqualTo(refusing);
            assertThat(props).containsEntry("landfall.aws.s3.endpoint", "http://127.0.0.1:" + refusing)
                    .containsEntry("landfall.aws.sqs.endpoint", "http://127.0.0.1:" + refusing)
                    .containsEntry("landfall.ftp.port", Integer.toString(refusing));
            try (Socket socket = new Socket()) {
                assertThatThrownBy(() -> socket.connect(new InetSocketAddress("127.0.0.1", refusing), 2_000))
                        .isInstanceOf(ConnectException.class);
            }
            assertThat(dir.resolve("ftp")).doesNotExist();
        }
    }

    private static S3Client s3(Map<String, String> props) {
        return S3Client.builder()
                .endpointOverride(URI.create(props.get("landfall.aws.s3.endpoint")))
                .forcePathStyle(true)
                .region(Region.of(props.get("landfall.aws.region")))
                .credentialsProvider(credentials(props))
                .httpClientBuilder(ApacheHttpClient.builder())
                .build();
    }

    private static DynamoDbClient dynamoDb(Map<String, String> props) {
        return DynamoDbClient.builder()
                .endpointOverride(URI.create(props.get("landfall.aws.dynamodb.endpoint")))
                .region(Region.of(props.get("landfall.aws.region")))
                .credentialsProvider(credentials(props))
                .httpClientBuilder(ApacheHttpClient.builder())
                .build();
    }

    private static StaticCredentialsProvider credentials(Map<String, String> props) {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(
                props.get("landfall.aws.access-key"), props.get("landfall.aws.secret-key")));
    }

    private static void createTable(DynamoDbClient ddb) {
        ddb.createTable(b -> b.tableName(TABLE)
                .attributeDefinitions(AttributeDefinition.builder()
                        .attributeName("pk").attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
                .billingMode(BillingMode.PAY_PER_REQUEST));
    }

    private static FTPClient ftpLogin(int port) throws IOException {
        FTPClient ftp = new FTPClient();
        ftp.connect("127.0.0.1", port);
        assertThat(ftp.login(LocalServers.FTP_USER, LocalServers.FTP_PASSWORD)).isTrue();
        ftp.enterLocalPassiveMode();
        ftp.setFileType(FTP.BINARY_FILE_TYPE);
        return ftp;
    }
}
