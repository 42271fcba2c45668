package dev.landfall.common;

import java.time.Duration;

import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Read-modify-write of one S3 object that no concurrent writer or crash can corrupt.
 * <p>
 * Writers of one key are serialised by a DynamoDB lease lock; the write itself is conditional on the ETag
 * that was read ({@code If-Match}, or {@code If-None-Match: *} for a new object) as a second guard, and a
 * conflict re-reads and re-applies the change. The object is replaced whole, so a crash leaves either the
 * old or the new version.
 */
public final class S3ObjectUpdater {

    /** What to write given the current content; {@code content == null} means leave the object alone. */
    public record Change<T>(byte[] content, String contentType, T result) {
    }

    @FunctionalInterface
    public interface Modifier<T> {
        /** @param current the object's bytes, or null when it does not exist yet */
        Change<T> apply(byte[] current) throws Exception;
    }

    private static final int MAX_ATTEMPTS = 8;

    private final S3Client s3;
    private final DynamoDbLeaseLock lock;
    private final Duration lockWait;

    public S3ObjectUpdater(S3Client s3, DynamoDbLeaseLock lock, Duration lockWait) {
        this.s3 = s3;
        this.lock = lock;
        this.lockWait = lockWait;
    }

    public <T> T update(String bucket, String key, Modifier<T> modifier) throws Exception {
        try (DynamoDbLeaseLock.Lease ignored = lock.acquire("s3://" + bucket + "/" + key, lockWait)) {
            for (int attempt = 1; ; attempt++) {
                byte[] current = null;
                String etag = null;
                try {
                    ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key));
                    current = got.asByteArrayUnsafe();
                    etag = got.response().eTag();
                } catch (NoSuchKeyException e) {
                    // a new object: written with If-None-Match so a racing creator cannot be overwritten
                }
                Change<T> change = modifier.apply(current);
                if (change.content() == null) {
                    return change.result();
                }
                PutObjectRequest.Builder put = PutObjectRequest.builder().bucket(bucket).key(key)
                        .contentType(change.contentType());
                if (etag == null) {
                    put.ifNoneMatch("*");
                } else {
                    put.ifMatch(etag);
                }
                try {
                    // the change's bytes are ours to hand over: no defensive copy of a possibly large object
                    byte[] content = change.content();
                    s3.putObject(put.build(), RequestBody.fromContentProvider(
                            ContentStreamProvider.fromByteArrayUnsafe(content), content.length, change.contentType()));
                    return change.result();
                } catch (S3Exception e) {
                    boolean conflict = e.statusCode() == 412 || e.statusCode() == 409;
                    if (!conflict || attempt >= MAX_ATTEMPTS) {
                        throw e;
                    }
                }
            }
        }
    }
}
