package dev.landfall.common;

/** An S3 object that arrived: where it is and which version (ETag) of it. */
public record S3ObjectRef(String bucket, String key, String eTag, long size) {

    /** For routes that rebuild a reference from headers (replay). */
    public static S3ObjectRef of(String bucket, String key, String eTag) {
        return new S3ObjectRef(bucket, key, eTag, -1);
    }

    /** Bucket + key + ETag: the same object announced twice, or both polled and announced, is one arrival. */
    public String arrivalKey() {
        return bucket + "/" + key + "#" + (eTag == null ? "" : eTag.replace("\"", ""));
    }
}
