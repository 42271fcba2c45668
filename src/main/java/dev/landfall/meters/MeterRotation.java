package dev.landfall.meters;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Moves the spool's closed hours to S3: each file to {@code <bucket>/<key-prefix><cloudId>/YYYY/MM/DD/<file name>},
 * written create-once ({@code If-None-Match: *}) with its MD5 checked by S3, verified (size and ETag) and only then
 * deleted. A file whose key already holds the same bytes was uploaded before a crash: it is only deleted. A key holding
 * other bytes is the same hour polled by another replica (the shard moved): the file lands as the hour's next part
 * ({@code <name>.part2.jl}, ...). So every appended reading is in S3 once, whatever crashed when.
 */
public final class MeterRotation {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MeterRotation.class);

    public record Summary(int hours, int files, int uploaded, int alreadyThere, long bytes) {
    }

    private final MeterSpool spool;
    private final S3Client s3;
    private final String bucket;
    private final String keyPrefix;
    private final Duration grace;

    public MeterRotation(MeterSpool spool, S3Client s3, String bucket, String keyPrefix, Duration grace) {
        this.spool = spool;
        this.s3 = s3;
        this.bucket = bucket;
        this.keyPrefix = keyPrefix;
        this.grace = grace;
    }

    /** The route's step: rotates what is closed now. */
    public Summary rotateClosedHours() {
        return rotate(Instant.now());
    }

    /** Rotates every hour that ended more than the grace ago. */
    public Summary rotate(Instant now) {
        int hours = 0, files = 0, uploaded = 0, there = 0;
        long bytes = 0;
        for (String hour : spool.hours()) {
            Instant end = LocalDateTime.parse(hour + ":00", java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd-HH:mm"))
                    .toInstant(ZoneOffset.UTC).plus(Duration.ofHours(1));
            if (end.plus(grace).isAfter(now)) {
                continue;
            }
            hours++;
            for (Path f : spool.seal(hour)) {
                String cloudId = spool.cloudIdOf(f.getFileName().toString());
                if (cloudId == null) {
                    continue;
                }
                files++;
                long size = size(f);
                if (size == 0) {
                    delete(f);
                    continue;
                }
                if (upload(f, cloudId, hour)) {
                    uploaded++;
                } else {
                    there++;
                }
                bytes += size;
                delete(f);
            }
            spool.removeIfEmpty(hour);
        }
        if (files > 0) {
            LOG.info("meters rotation: {} hour(s), {} file(s), {} uploaded, {} already in s3://{}, {} bytes", hours, files, uploaded,
                    there, bucket, bytes);
        }
        return new Summary(hours, files, uploaded, there, bytes);
    }

    public String keyOf(String cloudId, String hour, int part) {
        String name = spool.fileName(cloudId, hour);
        if (part > 1) {
            name = name.substring(0, name.length() - 3) + ".part" + part + ".jl";
        }
        return keyPrefix + cloudId + "/" + hour.substring(0, 4) + "/" + hour.substring(5, 7) + "/" + hour.substring(8, 10) + "/" + name;
    }

    /** @return true when uploaded now, false when the same bytes were there already */
    boolean upload(Path f, String cloudId, String hour) {
        byte[] md5 = md5(f);
        String hex = HexFormat.of().formatHex(md5);
        long size = size(f);
        for (int part = 1; ; part++) {
            String key = keyOf(cloudId, hour, part);
            HeadObjectResponse existing = head(key);
            if (existing != null) {
                if (same(existing, size, hex)) {
                    return false;
                }
                continue;
            }
            try {
                s3.putObject(b -> b.bucket(bucket).key(key).ifNoneMatch("*").contentType("application/x-ndjson")
                        .contentMD5(Base64.getEncoder().encodeToString(md5)), RequestBody.fromFile(f));
            } catch (S3Exception e) {
                if (e.statusCode() == 412 || e.statusCode() == 409) {
                    part--;
                    continue;
                }
                throw e;
            }
            HeadObjectResponse written = head(key);
            if (written == null || !same(written, size, hex)) {
                throw new IllegalStateException("s3://" + bucket + "/" + key + " does not hold what was uploaded (size or MD5 differ)");
            }
            return true;
        }
    }

    private static boolean same(HeadObjectResponse o, long size, String md5Hex) {
        return o.contentLength() == size && o.eTag() != null && o.eTag().replace("\"", "").equalsIgnoreCase(md5Hex);
    }

    private HeadObjectResponse head(String key) {
        try {
            return s3.headObject(b -> b.bucket(bucket).key(key));
        } catch (NoSuchKeyException e) {
            return null;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return null;
            }
            throw e;
        }
    }

    private static byte[] md5(Path f) {
        try (InputStream in = Files.newInputStream(f)) {
            MessageDigest d = MessageDigest.getInstance("MD5");
            byte[] buf = new byte[65536];
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
            return d.digest();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long size(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
