package dev.landfall.testing;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/** S3 event notifications as AWS sends them to SQS (S3Proxy sends none: tests send them), and log objects to announce. */
public final class S3Events {

    private static final ObjectMapper JSON = new ObjectMapper();

    private S3Events() {
    }

    /** One notification of ObjectCreated:Put records, the keys URL-encoded as S3 writes them, ETags as S3 has them. */
    public static String created(S3Client s3, String bucket, String... keys) {
        List<Map<String, Object>> records = new ArrayList<>();
        for (String key : keys) {
            String etag = s3.headObject(b -> b.bucket(bucket).key(key)).eTag().replace("\"", "");
            records.add(Map.of("eventVersion", "2.1", "eventSource", "aws:s3", "eventName", "ObjectCreated:Put",
                    "s3", Map.of("bucket", Map.of("name", bucket),
                            "object", Map.of("key", URLEncoder.encode(key, StandardCharsets.UTF_8), "size", 1, "eTag", etag))));
        }
        try {
            return JSON.writeValueAsString(Map.of("Records", records));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One message per object, as S3 sends them. */
    public static void announceEach(SqsClient sqs, String queue, S3Client s3, String bucket, List<String> keys) {
        String url = sqs.getQueueUrl(b -> b.queueName(queue)).queueUrl();
        for (String key : keys) {
            String event = created(s3, bucket, key);
            sqs.sendMessage(b -> b.queueUrl(url).messageBody(event));
        }
    }

    /**
     * Puts {@code objects} access-log objects of {@code views} page views each (pages {@code <pagePrefix>/p0..p3},
     * unique request ids) under {@code logs/}; returns their keys.
     */
    public static List<String> putViewLogs(S3Client s3, String bucket, String name, int objects, int views, String pagePrefix) {
        List<String> keys = new ArrayList<>();
        long t = 1_700_000_000L;
        for (int o = 0; o < objects; o++) {
            StringBuilder body = new StringBuilder();
            for (int v = 0; v < views; v++) {
                body.append(AccessLogLines.view(t + o * 60L + v, name + o + "V" + v, pagePrefix + "/p" + (v % 4) + "/index.html"))
                        .append('\n');
            }
            String key = String.format("logs/2023-11-14-%04d-%s", o, name);
            s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(body.toString(), StandardCharsets.UTF_8));
            keys.add(key);
        }
        return keys;
    }
}
