package dev.landfall.common;

/** An S3 object that arrived: where it is and which version (ETag, kept without the quotes S3 puts around it) of it. */
public record S3ObjectRef(String bucket, String key, String eTag, long size) {

    public S3ObjectRef {
        eTag = eTag == null ? null : eTag.replace("\"", "");
    }

    /** For routes that rebuild a reference from headers (replay). */
    public static S3ObjectRef of(String bucket, String key, String eTag) {
        return new S3ObjectRef(bucket, key, eTag, -1);
    }

    /** Bucket + key + ETag: the same object announced twice, or both polled and announced, is one arrival. */
    public String arrivalKey() {
        return bucket + "/" + key + "#" + (eTag == null ? "" : eTag);
    }

    /** {@code s3://bucket/key}, as dead letters and summaries name it. */
    public String source() {
        return "s3://" + bucket + "/" + key;
    }
}
