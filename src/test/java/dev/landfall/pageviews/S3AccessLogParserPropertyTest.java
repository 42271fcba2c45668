package dev.landfall.pageviews;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import static org.assertj.core.api.Assertions.assertThat;

/** Random field values written out as S3 writes them parse back to the same values; no input throws. */
class S3AccessLogParserPropertyTest {

    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("'['dd/MMM/yyyy:HH:mm:ss Z']'", Locale.US);
    private static final long YEAR_1000 = -30_610_224_000L;
    private static final long YEAR_9999 = 253_370_764_800L;

    /** A record, and how it is written: the time's offset, how many fields, whether absent quoted fields read "-". */
    record Written(S3AccessLogRecord record, int offsetMinutes, int fields, boolean quotedDashes) {

        String line() {
            S3AccessLogRecord r = record;
            List<String> f = new ArrayList<>(List.of(
                    r.bucketOwner(), r.bucket(),
                    LOG_TIME.format(OffsetDateTime.ofInstant(Instant.ofEpochSecond(r.epochSeconds()),
                            ZoneOffset.ofTotalSeconds(offsetMinutes * 60))),
                    bare(r.remoteIp()), bare(r.requester()), r.requestId(), r.operation(), bare(r.key()),
                    quoted(r.requestUri()), bare(r.httpStatus()), bare(r.errorCode()), bare(r.bytesSent()),
                    bare(r.objectSize()), bare(r.totalTimeMs()), bare(r.turnAroundTimeMs()),
                    quoted(r.referer()), quoted(r.userAgent()), bare(r.versionId()), bare(r.hostId()),
                    bare(r.signatureVersion()), bare(r.cipherSuite()), bare(r.authenticationType()),
                    bare(r.hostHeader()), bare(r.tlsVersion()), bare(r.accessPointArn()), bare(r.aclRequired())));
            f = new ArrayList<>(f.subList(0, fields));
            f.addAll(r.extraFields());
            return String.join(" ", f);
        }

        private String quoted(String value) {
            return value == null ? (quotedDashes ? "\"-\"" : "-") : '"' + value + '"';
        }

        private static String bare(Object value) {
            return value == null ? "-" : value.toString();
        }
    }

    @Property(tries = 2000)
    void writtenRecordsParseBackToTheSameValues(@ForAll("written") Written w) {
        assertThat(S3AccessLogParser.parse(w.line())).isEqualTo(w.record());
    }

    @Property(tries = 1000)
    void anyTextIsARecordOrAReasonNeverAnException(@ForAll("text") String line) {
        assertThat(S3AccessLogParser.parse(line)).isNotNull();
    }

    @Property(tries = 1000)
    void damagedRecordsAreRecordsOrReasonsNeverExceptions(@ForAll("written") Written w,
            @ForAll("damage") String damage, @ForAll @IntRange(max = 1000) int where, @ForAll boolean insert) {
        String line = w.line();
        int at = where % (line.length() + 1);
        String damaged = insert ? line.substring(0, at) + damage + line.substring(at)
                : line.substring(0, at) + line.substring(Math.min(line.length(), at + damage.length()));
        S3AccessLogParser.Result result = S3AccessLogParser.parse(damaged);
        if (result instanceof S3AccessLogParser.Rejected rejected) {
            assertThat(rejected.reason()).isNotBlank();
        } else {
            assertThat(result).isInstanceOf(S3AccessLogRecord.class);
        }
    }

    @Provide
    Arbitrary<String> text() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(300),
                Arbitraries.strings().withChars("[]\"- 0123456789/:+abcJanOct").ofMaxLength(300));
    }

    @Provide
    Arbitrary<String> damage() {
        return Arbitraries.strings().withChars("\" -[]/:0a").ofMinLength(1).ofMaxLength(4);
    }

    @Provide
    Arbitrary<Written> written() {
        Arbitrary<S3AccessLogRecord> head = Combinators.combine(
                token(), token(), Arbitraries.longs().between(YEAR_1000, YEAR_9999),
                absentOr(token()), absentOr(token()), token(), token(), absentOr(token()))
                .as((owner, bucket, epoch, ip, requester, requestId, operation, key) -> new S3AccessLogRecord(
                        owner, bucket, epoch, ip, requester, requestId, operation, key,
                        null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                        null, null, null, List.of()));
        Arbitrary<S3AccessLogRecord> withStatus = Combinators.combine(
                head, absentOr(requestUri()), Arbitraries.integers().between(100, 999).injectNull(0.2),
                absentOr(token()), number(), number(), number(), number())
                .as((r, uri, status, error, sent, size, total, turn) -> new S3AccessLogRecord(
                        r.bucketOwner(), r.bucket(), r.epochSeconds(), r.remoteIp(), r.requester(), r.requestId(),
                        r.operation(), r.key(), uri, status, error, sent, size, total, turn,
                        null, null, null, null, null, null, null, null, null, null, null, List.of()));
        Arbitrary<List<String>> tail = absentOr(token()).list().ofSize(9);
        Arbitrary<S3AccessLogRecord> full = Combinators.combine(
                withStatus, absentOr(referer()), absentOr(userAgent()), tail, token().list().ofMaxSize(3))
                .as((r, referer, agent, t, extra) -> new S3AccessLogRecord(
                        r.bucketOwner(), r.bucket(), r.epochSeconds(), r.remoteIp(), r.requester(), r.requestId(),
                        r.operation(), r.key(), r.requestUri(), r.httpStatus(), r.errorCode(), r.bytesSent(),
                        r.objectSize(), r.totalTimeMs(), r.turnAroundTimeMs(), referer, agent,
                        t.get(0), t.get(1), t.get(2), t.get(3), t.get(4), t.get(5), t.get(6), t.get(7), t.get(8), extra));
        return Combinators.combine(full, Arbitraries.integers().between(-18 * 60, 18 * 60),
                        Arbitraries.integers().between(17, 26), Arbitraries.of(true, false))
                .as((r, offset, fields, quotedDashes) -> new Written(keepFields(r, fields), offset, fields, quotedDashes));
    }

    /** The record as S3 wrote it when it had only the first {@code fields} fields. */
    private static S3AccessLogRecord keepFields(S3AccessLogRecord r, int fields) {
        String[] t = {r.versionId(), r.hostId(), r.signatureVersion(), r.cipherSuite(), r.authenticationType(),
            r.hostHeader(), r.tlsVersion(), r.accessPointArn(), r.aclRequired()};
        for (int i = fields - 17; i < t.length; i++) {
            t[i] = null;
        }
        return new S3AccessLogRecord(r.bucketOwner(), r.bucket(), r.epochSeconds(), r.remoteIp(), r.requester(),
                r.requestId(), r.operation(), r.key(), r.requestUri(), r.httpStatus(), r.errorCode(), r.bytesSent(),
                r.objectSize(), r.totalTimeMs(), r.turnAroundTimeMs(), r.referer(), r.userAgent(),
                t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8], fields == 26 ? r.extraFields() : List.of());
    }

    private static <T> Arbitrary<T> absentOr(Arbitrary<T> value) {
        return value.injectNull(0.25);
    }

    /** A bare field: anything but spaces and quotes, and not the lone {@code -} that means absent. */
    private static Arbitrary<String> token() {
        return Arbitraries.strings().withCharRange('!', '~').withChars("éü日").excludeChars('"')
                .ofMinLength(1).ofMaxLength(24).filter(s -> !s.equals("-"));
    }

    private static Arbitrary<Long> number() {
        return Arbitraries.longs().between(0, 999_999_999_999_999_999L).injectNull(0.25);
    }

    private static Arbitrary<String> freeText(String chars) {
        return Arbitraries.strings().withCharRange('a', 'z').withChars(chars).ofMaxLength(60).filter(s -> !s.equals("-"));
    }

    private static Arbitrary<String> requestUri() {
        return freeText("GET /?=&%.\" 0123456789é");
    }

    /** Referers may hold quotes, but not a quote closing early before something shaped like a user-agent. */
    private static Arbitrary<String> referer() {
        return freeText("/:?=&.\" -").filter(s -> !(s + '"').contains("\" \"") && !(s + '"').contains("\" - "));
    }

    private static Arbitrary<String> userAgent() {
        return freeText("/();., \"-'\t0123456789日");
    }
}
