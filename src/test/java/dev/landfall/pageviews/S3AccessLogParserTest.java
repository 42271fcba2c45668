package dev.landfall.pageviews;

import java.util.List;

import dev.landfall.pageviews.S3AccessLogParser.Rejected;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class S3AccessLogParserTest {

    /** From www.forshaw.tech's log (IDs shortened by the site's author): 25 fields, before ACL required existed. */
    static final String FORSHAW = "d6ad5...6af62 www.forshaw.tech [20/Oct/2022:08:49:42 +0000] 14.161.28.234 - K6E...7N1"
            + " WEBSITE.GET.OBJECT blog/articles/2021-11-21-understanding-scrum-part-2/index.html"
            + " \"GET /blog/articles/2021-11-21-understanding-scrum-part-2/ HTTP/1.1\" 200 - 21653 21653 100 99"
            + " \"http://www.forshaw.tech/blog/tags/\""
            + " \"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:106.0) Gecko/20100101 Firefox/106.0\""
            + " - LA99A...EegEE= - - - www.forshaw.tech - -";

    static final String OWNER = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be";
    static final String HOST_ID = "Xq2vd5F9k3Ez0yH7aL8mPwR1tN6cB4sJ/uGiOeKfY+oQhTrWzVxD3nA9lM5bC2pS7gE=";

    /** In the style of the AWS documentation's examples, which now end with a field appended after ACL required. */
    static final String DOC_GET_VERSIONING = OWNER + " amzn-s3-demo-bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 " + OWNER
            + " 3E57427F3EXAMPLE REST.GET.VERSIONING - \"GET /amzn-s3-demo-bucket1?versioning HTTP/1.1\" 200 - 113 - 7 -"
            + " \"-\" \"S3Console/0.4\" - " + HOST_ID + " SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader"
            + " amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com TLSV1.2"
            + " arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP Yes us-east-1";

    static final String DOC_POLICY_NOT_FOUND = OWNER + " amzn-s3-demo-bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 " + OWNER
            + " A1206F460EXAMPLE REST.GET.BUCKETPOLICY - \"GET /amzn-s3-demo-bucket1?policy HTTP/1.1\" 404"
            + " NoSuchBucketPolicy 297 - 38 - \"-\" \"S3Console/0.4\" - " + HOST_ID
            + " SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com TLSV1.2 - Yes";

    static final String DOC_PUT_VERSIONED = OWNER + " amzn-s3-demo-bucket1 [01/Mar/2019:21:18:30 -0800] 192.0.2.7 "
            + "arn:aws:iam::123456789012:user/uploader 7B4A0FABBEXAMPLE REST.PUT.OBJECT photos/2019/cat%20picture.jpg"
            + " \"PUT /photos/2019/cat%20picture.jpg?x-id=PutObject HTTP/1.1\" 200 - - 48213 71 12"
            + " \"-\" \"aws-sdk-java/2.20.43 Linux/5.10 OpenJDK_64-Bit_Server_VM/17.0.6+10 Java/17.0.6 vendor/Amazon.com_Inc.\""
            + " 3HL4kqtJvjVBH40Nrjfkd " + HOST_ID + " SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader"
            + " amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com TLSv1.3 - -";

    static S3AccessLogRecord parsed(String line) {
        S3AccessLogParser.Result result = S3AccessLogParser.parse(line);
        assertThat(result).as("parse of %s", line).isInstanceOf(S3AccessLogRecord.class);
        return (S3AccessLogRecord) result;
    }

    static String rejection(String line) {
        S3AccessLogParser.Result result = S3AccessLogParser.parse(line);
        assertThat(result).as("parse of %s", line).isInstanceOf(Rejected.class);
        assertThat(((Rejected) result).line()).isEqualTo(line);
        return ((Rejected) result).reason();
    }

    @Test
    void forshawLineEveryField() {
        assertThat(parsed(FORSHAW)).isEqualTo(new S3AccessLogRecord(
                "d6ad5...6af62", "www.forshaw.tech", 1666255782L, "14.161.28.234", null, "K6E...7N1",
                "WEBSITE.GET.OBJECT", "blog/articles/2021-11-21-understanding-scrum-part-2/index.html",
                "GET /blog/articles/2021-11-21-understanding-scrum-part-2/ HTTP/1.1", 200, null, 21653L, 21653L, 100L, 99L,
                "http://www.forshaw.tech/blog/tags/",
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:106.0) Gecko/20100101 Firefox/106.0",
                null, "LA99A...EegEE=", null, null, null, "www.forshaw.tech", null, null, null, List.of()));
    }

    @Test
    void documentationExampleWithEveryFieldAndOneAppendedLater() {
        assertThat(parsed(DOC_GET_VERSIONING)).isEqualTo(new S3AccessLogRecord(
                OWNER, "amzn-s3-demo-bucket1", 1549411238L, "192.0.2.3", OWNER, "3E57427F3EXAMPLE", "REST.GET.VERSIONING",
                null, "GET /amzn-s3-demo-bucket1?versioning HTTP/1.1", 200, null, 113L, null, 7L, null, null,
                "S3Console/0.4", null, HOST_ID, "SigV4", "ECDHE-RSA-AES128-GCM-SHA256", "AuthHeader",
                "amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com", "TLSV1.2",
                "arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP", "Yes", List.of("us-east-1")));
    }

    @Test
    void documentationExampleOfAnErrorResponse() {
        S3AccessLogRecord r = parsed(DOC_POLICY_NOT_FOUND);
        assertThat(r.operation()).isEqualTo("REST.GET.BUCKETPOLICY");
        assertThat(r.httpStatus()).isEqualTo(404);
        assertThat(r.errorCode()).isEqualTo("NoSuchBucketPolicy");
        assertThat(r.bytesSent()).isEqualTo(297L);
        assertThat(r.objectSize()).isNull();
        assertThat(r.totalTimeMs()).isEqualTo(38L);
        assertThat(r.turnAroundTimeMs()).isNull();
        assertThat(r.accessPointArn()).isNull();
        assertThat(r.aclRequired()).isEqualTo("Yes");
        assertThat(r.extraFields()).isEmpty();
    }

    @Test
    void versionedPutWithAnIamRequesterAndANegativeOffset() {
        S3AccessLogRecord r = parsed(DOC_PUT_VERSIONED);
        assertThat(r.epochSeconds()).isEqualTo(1551503910L); // 2019-03-02T05:18:30Z
        assertThat(r.requester()).isEqualTo("arn:aws:iam::123456789012:user/uploader");
        assertThat(r.key()).isEqualTo("photos/2019/cat%20picture.jpg");
        assertThat(r.bytesSent()).isNull();
        assertThat(r.objectSize()).isEqualTo(48213L);
        assertThat(r.userAgent()).startsWith("aws-sdk-java/2.20.43 ").endsWith("vendor/Amazon.com_Inc.");
        assertThat(r.versionId()).isEqualTo("3HL4kqtJvjVBH40Nrjfkd");
        assertThat(r.tlsVersion()).isEqualTo("TLSv1.3");
        assertThat(r.aclRequired()).isNull();
    }

    /** Records written before later fields existed end early: after user-agent (17 fields) up to ACL required (26). */
    @ParameterizedTest
    @ValueSource(ints = {17, 18, 19, 20, 21, 22, 23, 24, 25, 26})
    void olderShorterLinesParseWithTheMissingFieldsAbsent(int fields) {
        String[] tail = DOC_GET_VERSIONING.substring(DOC_GET_VERSIONING.indexOf("\"S3Console/0.4\" ") + 16).split(" ");
        String line = DOC_GET_VERSIONING.substring(0, DOC_GET_VERSIONING.indexOf("\"S3Console/0.4\"") + 15)
                + (fields > 17 ? " " + String.join(" ", List.of(tail).subList(0, fields - 17)) : "");
        S3AccessLogRecord full = parsed(DOC_GET_VERSIONING);
        S3AccessLogRecord r = parsed(line);

        assertThat(r.userAgent()).isEqualTo("S3Console/0.4");
        assertThat(r.hostId()).isEqualTo(fields > 18 ? HOST_ID : null);
        assertThat(r.signatureVersion()).isEqualTo(fields > 19 ? "SigV4" : null);
        assertThat(r.cipherSuite()).isEqualTo(fields > 20 ? full.cipherSuite() : null);
        assertThat(r.authenticationType()).isEqualTo(fields > 21 ? "AuthHeader" : null);
        assertThat(r.hostHeader()).isEqualTo(fields > 22 ? full.hostHeader() : null);
        assertThat(r.tlsVersion()).isEqualTo(fields > 23 ? "TLSV1.2" : null);
        assertThat(r.accessPointArn()).isEqualTo(fields > 24 ? full.accessPointArn() : null);
        assertThat(r.aclRequired()).isEqualTo(fields > 25 ? "Yes" : null);
        assertThat(r.extraFields()).isEmpty();
        assertThat(r.epochSeconds()).isEqualTo(full.epochSeconds());
        assertThat(r.bytesSent()).isEqualTo(113L);
    }

    @Test
    void fieldsAppendedAfterAclRequiredAreKeptAsWritten() {
        S3AccessLogRecord r = parsed(DOC_POLICY_NOT_FOUND + " - future-field x=1,y=2");
        assertThat(r.aclRequired()).isEqualTo("Yes");
        assertThat(r.extraFields()).containsExactly("-", "future-field", "x=1,y=2");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "Mozilla/5.0 (compatible; \"SuperBot\" 1.0)",
        "quote\" then space",
        "\" \"",
        "\"",
        "\"\"",
        "ends in a quote\"",
        "looks like a field\" - abc",
        "sqlmap/1.7 '\"; DROP TABLE logs; --",
        "two  spaces and a tab\there",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 16_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 [FBAN/FBIOS;FBAV/391.0]",
        ""})
    void userAgentsKeepTheirQuotesAndSpaces(String agent) {
        String withTail = FORSHAW.replace("\"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:106.0) Gecko/20100101 Firefox/106.0\"",
                "\"" + agent + "\"");
        S3AccessLogRecord r = parsed(withTail);
        assertThat(r.userAgent()).isEqualTo(agent);
        assertThat(r.referer()).isEqualTo("http://www.forshaw.tech/blog/tags/");
        assertThat(r.hostId()).isEqualTo("LA99A...EegEE=");
        assertThat(r.hostHeader()).isEqualTo("www.forshaw.tech");

        String endingAtUserAgent = withTail.substring(0, withTail.lastIndexOf("\" - LA99A") + 1);
        assertThat(parsed(endingAtUserAgent).userAgent()).isEqualTo(agent);
        assertThat(parsed(endingAtUserAgent).versionId()).isNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "GET /search?q=\"a b\" HTTP/1.1          | http://www.forshaw.tech/?q=\"x\"",
        "GET /a\" 200 b HTTP/1.1                  | http://www.forshaw.tech/ \"quoted\" page",
        "GET /x\" 200 - 1 2 3 HTTP/1.1            | \"",
        "GET /ends-in-quote\"                     | ends in quote\"",
        "GET / HTTP/1.1                           | a\" -b"})
    void requestUrisAndReferersKeepTheirQuotesAndSpaces(String requestUri, String referer) {
        String line = FORSHAW
                .replace("\"GET /blog/articles/2021-11-21-understanding-scrum-part-2/ HTTP/1.1\"", "\"" + requestUri.strip() + "\"")
                .replace("\"http://www.forshaw.tech/blog/tags/\"", "\"" + referer.strip() + "\"");
        S3AccessLogRecord r = parsed(line);
        assertThat(r.requestUri()).isEqualTo(requestUri.strip());
        assertThat(r.referer()).isEqualTo(referer.strip());
        assertThat(r.httpStatus()).isEqualTo(200);
        assertThat(r.turnAroundTimeMs()).isEqualTo(99L);
        assertThat(r.userAgent()).startsWith("Mozilla/5.0 (Windows NT 10.0;");
    }

    @Test
    void dashAndQuotedDashAreBothAbsent() {
        String line = FORSHAW.replace("\"http://www.forshaw.tech/blog/tags/\"", "-")
                .replace("\"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:106.0) Gecko/20100101 Firefox/106.0\"", "\"-\"")
                .replace("\"GET /blog/articles/2021-11-21-understanding-scrum-part-2/ HTTP/1.1\"", "\"-\"");
        S3AccessLogRecord r = parsed(line);
        assertThat(r.requestUri()).isNull();
        assertThat(r.referer()).isNull();
        assertThat(r.userAgent()).isNull();
        assertThat(r.hostId()).isEqualTo("LA99A...EegEE=");

        S3AccessLogRecord bare = parsed(line.replace("\"-\" - LA99A", "- - LA99A"));
        assertThat(bare).isEqualTo(r);
    }

    @Test
    void lifecycleExpirationIsMostlyAbsent() {
        S3AccessLogRecord r = parsed(OWNER + " www.example.org [20/Oct/2022:08:00:08 +0000] - AmazonS3 416D4A3BAF69DAD8"
                + " S3.EXPIRE.OBJECT robots.txt - - - - 63581 249 - \"-\" \"-\" - " + HOST_ID
                + " - - - www.example.org.s3.us-east-1.amazonaws.com - - -");
        assertThat(r).isEqualTo(new S3AccessLogRecord(OWNER, "www.example.org", 1666252808L, null, "AmazonS3",
                "416D4A3BAF69DAD8", "S3.EXPIRE.OBJECT", "robots.txt", null, null, null, null, 63581L, 249L, null, null,
                null, null, HOST_ID, null, null, null, "www.example.org.s3.us-east-1.amazonaws.com", null, null, null,
                List.of()));
    }

    @Test
    void lifecycleTransitionWrittenWithFewerFields() {
        S3AccessLogRecord r = parsed(OWNER + " amzn-s3-demo-bucket1 [14/Nov/2023:00:12:03 +0000] - AmazonS3 8A3F9C1E0EXAMPLE"
                + " S3.TRANSITION_SIA.OBJECT logs/2023/10/app.log.gz - - - - 1048576 - - - - - -");
        assertThat(r.operation()).isEqualTo("S3.TRANSITION_SIA.OBJECT");
        assertThat(r.objectSize()).isEqualTo(1048576L);
        assertThat(r.requestUri()).isNull();
        assertThat(r.httpStatus()).isNull();
        assertThat(r.referer()).isNull();
        assertThat(r.userAgent()).isNull();
        assertThat(r.versionId()).isNull();
        assertThat(r.hostId()).isNull();
    }

    @Test
    void errorAndNotModifiedResponses() {
        S3AccessLogRecord denied = parsed(OWNER + " www.example.org [20/Oct/2022:08:00:00 +0000] 39.202.24.19"
                + " arn:aws:iam::123456789012:user/analytics 12DD272D1371C171 REST.GET.OBJECT blog/index.html"
                + " \"GET /www.example.org/blog/index.html HTTP/1.1\" 403 AccessDenied 243 - 26 - \"-\" \"curl/7.88.1\" - "
                + HOST_ID + " SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader www.example.org.s3.us-east-1.amazonaws.com TLSv1.2 - -");
        assertThat(denied.httpStatus()).isEqualTo(403);
        assertThat(denied.errorCode()).isEqualTo("AccessDenied");
        assertThat(denied.objectSize()).isNull();

        S3AccessLogRecord slowDown = parsed(DOC_POLICY_NOT_FOUND.replace(" 404 NoSuchBucketPolicy 297 - 38 - ", " 503 SlowDown 343 - 1 - "));
        assertThat(slowDown.httpStatus()).isEqualTo(503);
        assertThat(slowDown.errorCode()).isEqualTo("SlowDown");

        S3AccessLogRecord notModified = parsed(FORSHAW.replace(" 200 - 21653 21653 ", " 304 - - 21653 "));
        assertThat(notModified.httpStatus()).isEqualTo(304);
        assertThat(notModified.bytesSent()).isNull();
        assertThat(notModified.objectSize()).isEqualTo(21653L);
    }

    @ParameterizedTest
    @CsvSource({
        "[20/Oct/2022:10:49:42 +0200], 1666255782",
        "[20/Oct/2022:03:19:42 -0530], 1666255782",
        "[01/Jan/1970:00:00:00 +0000], 0",
        "[31/Dec/1969:23:59:59 +0000], -1",
        "[29/Feb/2024:12:00:00 +0000], 1709208000",
        "[31/Dec/2099:23:59:59 +0000], 4102444799",
        "[15/Jan/2023:00:00:00 +0000], 1673740800",
        "[15/Feb/2023:00:00:00 +0000], 1676419200",
        "[15/Mar/2023:00:00:00 +0000], 1678838400",
        "[15/Apr/2023:00:00:00 +0000], 1681516800",
        "[15/May/2023:00:00:00 +0000], 1684108800",
        "[15/Jun/2023:00:00:00 +0000], 1686787200",
        "[15/Jul/2023:00:00:00 +0000], 1689379200",
        "[15/Aug/2023:00:00:00 +0000], 1692057600",
        "[15/Sep/2023:00:00:00 +0000], 1694736000",
        "[15/Nov/2023:00:00:00 +0000], 1700006400",
        "[15/Dec/2023:00:00:00 +0000], 1702598400"})
    void timeBecomesEpochSecondsHonouringTheOffset(String time, long epochSeconds) {
        assertThat(parsed(FORSHAW.replace("[20/Oct/2022:08:49:42 +0000]", time)).epochSeconds()).isEqualTo(epochSeconds);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[30/Feb/2024:00:00:00 +0000]", "[29/Feb/2023:00:00:00 +0000]", "[31/Apr/2022:00:00:00 +0000]",
        "[00/Oct/2022:00:00:00 +0000]", "[20/Oct/2022:24:00:00 +0000]", "[20/Oct/2022:08:60:00 +0000]",
        "[20/Oct/2022:08:49:60 +0000]", "[20/oct/2022:08:49:42 +0000]", "[20/Okt/2022:08:49:42 +0000]",
        "[20/Oct/2022:08:49:42 0000]", "[20/Oct/2022:08:49:42 +00]", "[20/Oct/2022 08:49:42 +0000]",
        "20/Oct/2022:08:49:42 +0000", "[2022-10-20T08:49:42Z]", "[20/Oct/2O22:08:49:42 +0000]",
        "[20/Oct/2022:08:49:42 +0000]x", "[20/Oct/2022:08:49:42 +2400]", "[20/Oct/2022:08:49:42 +0060]"})
    void badTimesAreRejectedWithAReason(String time) {
        assertThat(rejection(FORSHAW.replace("[20/Oct/2022:08:49:42 +0000]", time))).startsWith("time is not");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        " 200 - 21653 21653 100 99 | 2OO - 21653 21653 100 99 | HTTP status",
        " 200 - 21653 21653 100 99 | 2000 - 21653 21653 100 99 | HTTP status",
        " 200 - 21653 21653 100 99 | 099 - 21653 21653 100 99 | HTTP status",
        " 200 - 21653 21653 100 99 | 20 - 21653 21653 100 99 | HTTP status",
        " 200 - 21653 21653 100 99 | 200 - 21653x 21653 100 99 | bytes sent",
        " 200 - 21653 21653 100 99 | 200 - 21653 -1 100 99 | object size",
        " 200 - 21653 21653 100 99 | 200 - 21653 21653 1e3 99 | total time",
        " 200 - 21653 21653 100 99 | 200 - 21653 21653 100 1234567890123456789 | turn-around time",
        " 200 - 21653 21653 100 99 | 200 - 21653 21653 100 99 x | referer",
        " 106.0\" - LA99A | 106.0\"x - LA99A | user-agent's closing quote",
        " 14.161.28.234 - | 14.161.28.234  - | empty"})
    void badFieldsAreRejectedWithTheFieldNamed(String good, String bad, String named) {
        assertThat(rejection(FORSHAW.replace(good.strip(), bad.strip())))
                .contains(named.strip());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\r\n", "hello world", "\"\"", "- - - - - - - - - - - - - - - - - - - - - - - - - -",
        "<html><body>403 Forbidden</body></html>", "{\"bucket\":\"x\",\"time\":\"2022-10-20T08:49:42Z\"}",
        "d6ad5 www.forshaw.tech [20/Oct/2022:08:49:42 +0000]", "\u0000\u0001\u0002", "[", "a [", "a b [20/Oct/2022:08:49:42 +0000"})
    void garbageIsRejectedWithAReason(String line) {
        assertThat(rejection(line)).isNotBlank();
    }

    @Test
    void quotesLeftOpenAreRejected() {
        assertThat(rejection(FORSHAW.substring(0, FORSHAW.indexOf(" 200 -")).replace("HTTP/1.1\"", "HTTP/1.1")))
                .contains("request-URI");
        assertThat(rejection(FORSHAW.substring(0, FORSHAW.indexOf(" \"Mozilla")) + " \"Mozilla/5.0 (Windows"))
                .contains("user-agent");
        assertThat(rejection(FORSHAW.substring(0, FORSHAW.indexOf("/\" \"Mozilla")))).contains("referer");
    }

    @Test
    void everyTruncationOfARecordIsARecordOrAReasonNeverAnException() {
        for (String line : List.of(FORSHAW, DOC_GET_VERSIONING, DOC_PUT_VERSIONED)) {
            for (int i = 0; i <= line.length(); i++) {
                assertThat(S3AccessLogParser.parse(line.substring(0, i))).isNotNull();
            }
        }
        String cut = DOC_GET_VERSIONING.substring(0, DOC_GET_VERSIONING.indexOf(" \"S3Console"));
        assertThat(rejection(cut)).isEqualTo("line ends before user-agent");
    }

    @Test
    void lineEndingsAndTrailingSpacesAreIgnored() {
        assertThat(parsed(FORSHAW + "\r\n")).isEqualTo(parsed(FORSHAW));
        assertThat(parsed(FORSHAW + " ")).isEqualTo(parsed(FORSHAW));
    }

    @Test
    void nonAsciiKeysAndAgentsSurvive() {
        S3AccessLogRecord r = parsed(FORSHAW.replace(
                "blog/articles/2021-11-21-understanding-scrum-part-2/index.html", "docs/café-menu.html")
                .replace("rv:106.0) Gecko", "rv:106.0; 日本語) Gecko"));
        assertThat(r.key()).isEqualTo("docs/café-menu.html");
        assertThat(r.userAgent()).contains("日本語");
    }
}
