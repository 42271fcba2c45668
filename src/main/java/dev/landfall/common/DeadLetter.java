package dev.landfall.common;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * A message or record that a pipeline could not handle: why, where it came from, and the original payload.
 *
 * @param source the file or object key it came from
 * @param line   1-based line number in the source, or null for a whole message
 */
public record DeadLetter(String pipeline, String reason, String exception, String source, Long line,
                         String payload, boolean payloadTruncated, Map<String, Object> details) {

    /** Payloads larger than this are cut; the source still points at the whole input. */
    public static final int MAX_PAYLOAD_CHARS = 1 << 20;

    public static DeadLetter of(String pipeline, String reason, String source, Long line, String payload,
                                Map<String, Object> details) {
        return of(pipeline, reason, null, source, line, payload, details);
    }

    public static DeadLetter of(String pipeline, String reason, String exception, String source, Long line,
                                String payload, Map<String, Object> details) {
        boolean truncated = payload != null && payload.length() > MAX_PAYLOAD_CHARS;
        String kept = truncated ? payload.substring(0, MAX_PAYLOAD_CHARS) : payload;
        return new DeadLetter(pipeline, reason, exception, source, line, kept, truncated,
                details == null ? Map.of() : details);
    }

    /** Same input, same failure → same id, so a re-read input is never dead-lettered twice. */
    public String id() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Object part : new Object[] {pipeline, source, line, reason, payload}) {
                sha.update(String.valueOf(part).getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
