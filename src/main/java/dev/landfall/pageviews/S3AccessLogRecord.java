package dev.landfall.pageviews;

import java.util.List;

/**
 * One Amazon S3 server access log record, fields in the documented order; an absent field ({@code -}, {@code "-"},
 * or not yet written by S3 when the record was logged) is {@code null}.
 *
 * @param epochSeconds     the request time in seconds since the epoch, offset applied
 * @param key              the object key as logged (URL-encoded)
 * @param requestUri       the Request-URI without its quotes, as logged
 * @param totalTimeMs      milliseconds from request received to last response byte sent
 * @param turnAroundTimeMs milliseconds S3 spent processing the request
 * @param extraFields      fields S3 appended after ACL required, kept as written ({@code -} included)
 */
public record S3AccessLogRecord(
        String bucketOwner,
        String bucket,
        long epochSeconds,
        String remoteIp,
        String requester,
        String requestId,
        String operation,
        String key,
        String requestUri,
        Integer httpStatus,
        String errorCode,
        Long bytesSent,
        Long objectSize,
        Long totalTimeMs,
        Long turnAroundTimeMs,
        String referer,
        String userAgent,
        String versionId,
        String hostId,
        String signatureVersion,
        String cipherSuite,
        String authenticationType,
        String hostHeader,
        String tlsVersion,
        String accessPointArn,
        String aclRequired,
        List<String> extraFields) implements S3AccessLogParser.Result {

    public S3AccessLogRecord {
        extraFields = extraFields == null ? List.of() : List.copyOf(extraFields);
    }
}
