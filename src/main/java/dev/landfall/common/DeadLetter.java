package dev.landfall.common;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * A message or record that a pipeline could not handle: why, where it came from, and the original payload.
 *
 * @param kind   the failure kind, stable across retries (e.g. {@code bad-row}, {@code EOFException}); the reason is
 *               free text and may carry request ids or times, so only the kind goes into the id
 * @param source the file or object it came from (e.g. {@code s3://bucket/key})
 * @param line   1-based line number in the source, or null for a whole message
 */
public record DeadLetter(String pipeline, String kind, String reason, String exception, String source, Long line,
                         String payload, boolean payloadTruncated, Map<String, Object> details) {

    /** Payloads larger than this are cut; the source still points at the whole input. */
    public static final int MAX_PAYLOAD_CHARS = 1 << 20;

    public static DeadLetter of(String pipeline, String kind, String reason, String source, Long line, String payload,
                                Map<String, Object> details) {
        return of(pipeline, kind, reason, null, source, line, payload, details);
    }

    public static DeadLetter of(String pipeline, String kind, String reason, String exception, String source, Long line,
                                String payload, Map<String, Object> details) {
        boolean truncated = payload != null && payload.length() > MAX_PAYLOAD_CHARS;
        String kept = truncated ? payload.substring(0, MAX_PAYLOAD_CHARS) : payload;
        return new DeadLetter(pipeline, kind, reason, exception, source, line, kept, truncated,
                details == null ? Map.of() : details);
    }

    /**
     * Same input, same kind of failure → same id, so a re-read or re-tried input is never dead-lettered twice. The
     * input is the pipeline, source (with its ETag when the details name one), line and payload.
     */
    public String id() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Object part : new Object[] {pipeline, kind, source, details.get("eTag"), line, payload}) {
                sha.update(String.valueOf(part).getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The failure kind of an exception: its class, and the service's error code for AWS errors (never its message). */
    public static String kindOf(Throwable e) {
        if (e == null) {
            return "unknown";
        }
        if (e instanceof software.amazon.awssdk.awscore.exception.AwsServiceException aws && aws.awsErrorDetails() != null
                && aws.awsErrorDetails().errorCode() != null) {
            return e.getClass().getSimpleName() + ":" + aws.awsErrorDetails().errorCode();
        }
        return e.getClass().getSimpleName();
    }
}
