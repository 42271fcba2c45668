package dev.landfall.common;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Lists a bucket/prefix for one arrival source and returns the objects whose arrival is not yet completed in the
 * idempotent repository (new ones, and ones whose processing failed). Each source keeps its own listing state, so a
 * big or slow source never holds up another: completed arrivals are remembered, so steady polls of a big bucket do not
 * ask DynamoDB about every object again.
 */
public final class S3ArrivalPoller {

    private static final int REMEMBERED = 200_000;

    private final S3Client s3;
    private final ArrivalClaims arrivals;
    private final Map<String, Listing> sources = new ConcurrentHashMap<>();

    public S3ArrivalPoller(S3Client s3, ArrivalClaims arrivals) {
        this.s3 = s3;
        this.arrivals = arrivals;
    }

    /** The new objects of one source (its own state; a source is listed by one route at a time). */
    public List<S3ObjectRef> poll(String source, String bucket, String prefix, String suffix) {
        return sources.computeIfAbsent(source, s -> new Listing()).poll(bucket, prefix, suffix);
    }

    private final class Listing {
        private final Map<String, Boolean> completed = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > REMEMBERED;
            }
        };

        synchronized List<S3ObjectRef> poll(String bucket, String prefix, String suffix) {
            List<S3ObjectRef> out = new ArrayList<>();
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix == null ? "" : prefix)).contents()) {
                if (suffix != null && !suffix.isEmpty() && !o.key().endsWith(suffix)) {
                    continue;
                }
                S3ObjectRef ref = new S3ObjectRef(bucket, o.key(), o.eTag(), o.size());
                String key = ref.arrivalKey();
                if (completed.containsKey(key)) {
                    continue;
                }
                String state = arrivals.state(key);
                if (DynamoDbIdempotentRepository.COMPLETED.equals(state)) {
                    completed.put(key, Boolean.TRUE);
                } else if (state == null) {
                    out.add(ref);
                }
            }
            return out;
        }
    }
}
