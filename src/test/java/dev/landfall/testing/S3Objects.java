package dev.landfall.testing;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Reads what landed in a bucket, for assertions. */
public final class S3Objects {

    private S3Objects() {
    }

    /** Every object under the prefix, key → UTF-8 text. */
    public static Map<String, String> texts(S3Client s3, String bucket, String prefix) {
        Map<String, String> out = new TreeMap<>();
        for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()) {
            try {
                out.put(o.key(), s3.getObjectAsBytes(b -> b.bucket(bucket).key(o.key())).asString(StandardCharsets.UTF_8));
            } catch (NoSuchKeyException e) {
                // seen with S3Proxy: an object being replaced can be missing for a moment
            }
        }
        return out;
    }
}
