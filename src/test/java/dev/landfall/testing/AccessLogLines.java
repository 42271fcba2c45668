package dev.landfall.testing;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Writes S3 server access log lines in AWS's format for tests, so tests need no external generator. */
public final class AccessLogLines {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private AccessLogLines() {
    }

    /** A full line (all documented fields) for a GET of {@code key} at {@code epoch}. */
    public static String line(long epoch, String requestId, String operation, String key, int status, String userAgent) {
        String uri = "GET /" + key.replace("index.html", "") + " HTTP/1.1";
        return "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be www.example.org ["
                + TIME.format(Instant.ofEpochSecond(epoch)) + "] 192.0.2.3 - " + requestId + " " + operation + " " + key
                + " \"" + uri + "\" " + status + " - 2662992 3462992 70 10 \"-\" \"" + userAgent + "\" - "
                + "s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV2 ECDHE-RSA-AES128-SHA "
                + "AuthHeader www.example.org.s3-website-us-east-1.amazonaws.com TLSV1.2 - -";
    }

    public static String view(long epoch, String requestId, String key) {
        return line(epoch, requestId, "WEBSITE.GET.OBJECT", key, 200,
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/107.0.0.0 Safari/537.36");
    }
}
