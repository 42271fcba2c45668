package dev.landfall.pageviews;

import java.util.ArrayList;
import java.util.List;

/** Parses one line of an Amazon S3 server access log into an {@link S3AccessLogRecord}, or says why it cannot. */
public final class S3AccessLogParser {

    /** What parsing one line gives: the record, or the reason the line is not one. */
    public sealed interface Result permits S3AccessLogRecord, Rejected {
    }

    /** A line that is not an access log record; the reason names the field at fault. */
    public record Rejected(String reason, String line) implements Result {
    }

    private static final int BUCKET_OWNER = 0;
    private static final int BUCKET = 1;
    private static final int TIME = 2;
    private static final int REMOTE_IP = 3;
    private static final int REQUESTER = 4;
    private static final int REQUEST_ID = 5;
    private static final int OPERATION = 6;
    private static final int KEY = 7;
    private static final int REQUEST_URI = 8;
    private static final int HTTP_STATUS = 9;
    private static final int ERROR_CODE = 10;
    private static final int BYTES_SENT = 11;
    private static final int OBJECT_SIZE = 12;
    private static final int TOTAL_TIME = 13;
    private static final int TURN_AROUND_TIME = 14;
    private static final int REFERER = 15;
    private static final int USER_AGENT = 16;
    private static final int VERSION_ID = 17;
    private static final int HOST_ID = 18;
    private static final int SIGNATURE_VERSION = 19;
    private static final int CIPHER_SUITE = 20;
    private static final int AUTHENTICATION_TYPE = 21;
    private static final int HOST_HEADER = 22;
    private static final int TLS_VERSION = 23;
    private static final int ACCESS_POINT_ARN = 24;
    private static final int ACL_REQUIRED = 25;
    private static final int EXTRA = 26;

    private static final String[] FIELD_NAMES = {
        "bucket owner", "bucket", "time", "remote IP", "requester", "request ID", "operation", "key", "request-URI",
        "HTTP status", "error code", "bytes sent", "object size", "total time", "turn-around time", "referer",
        "user-agent", "version ID", "host ID", "signature version", "cipher suite", "authentication type",
        "host header", "TLS version", "access point ARN", "ACL required", "extra field"};

    /** {@code [20/Oct/2022:08:49:42 +0000]} */
    private static final int TIME_LENGTH = 28;

    private S3AccessLogParser() {
    }

    public static Result parse(String line) {
        int end = line.length();
        while (end > 0 && isLineSpace(line.charAt(end - 1))) {
            end--;
        }
        try {
            return new Scan(line, end).record();
        } catch (Unparsable e) {
            return new Rejected(e.getMessage(), line);
        }
    }

    private static boolean isLineSpace(char c) {
        return c == ' ' || c == '\r' || c == '\n';
    }

    /** Left-to-right scan of one line; holds the six fields re-read when the request-URI's closing quote moves. */
    private static final class Scan {
        private final String s;
        private final int end;
        private int pos;

        private Integer httpStatus;
        private String errorCode;
        private Long bytesSent;
        private Long objectSize;
        private Long totalTime;
        private Long turnAroundTime;

        Scan(String s, int end) {
            this.s = s;
            this.end = end;
        }

        S3AccessLogRecord record() {
            String bucketOwner = token(BUCKET_OWNER);
            String bucket = token(BUCKET);
            long epochSeconds = time();
            String remoteIp = token(REMOTE_IP);
            String requester = token(REQUESTER);
            String requestId = token(REQUEST_ID);
            String operation = token(OPERATION);
            String key = token(KEY);
            String requestUri = requestUriAndStatusFields();
            String referer = referer();
            String userAgent = userAgent();
            String versionId = optionalToken(VERSION_ID);
            String hostId = optionalToken(HOST_ID);
            String signatureVersion = optionalToken(SIGNATURE_VERSION);
            String cipherSuite = optionalToken(CIPHER_SUITE);
            String authenticationType = optionalToken(AUTHENTICATION_TYPE);
            String hostHeader = optionalToken(HOST_HEADER);
            String tlsVersion = optionalToken(TLS_VERSION);
            String accessPointArn = optionalToken(ACCESS_POINT_ARN);
            String aclRequired = optionalToken(ACL_REQUIRED);
            List<String> extraFields = List.of();
            if (pos < end) {
                extraFields = new ArrayList<>(2);
                while (pos < end) {
                    int e = tokenEnd(EXTRA);
                    extraFields.add(s.substring(pos, e));
                    pos = e + 1;
                }
            }
            return new S3AccessLogRecord(bucketOwner, bucket, epochSeconds, remoteIp, requester, requestId, operation,
                    key, requestUri, httpStatus, errorCode, bytesSent, objectSize, totalTime, turnAroundTime, referer,
                    userAgent, versionId, hostId, signatureVersion, cipherSuite, authenticationType, hostHeader,
                    tlsVersion, accessPointArn, aclRequired, extraFields);
        }

        /*
         * Quoted fields: S3 does not escape quotes inside request-URI, referer or user-agent, so each closing quote is
         * the one after which the rest of the line still fits the format:
         *  - request-URI closes at the first quote followed by a space and six fields that parse as HTTP status, error
         *    code and four numbers, then the start of a referer ('"' or '-');
         *  - referer closes at the first quote followed by a space and the start of a user-agent ('"', or '-' standing
         *    alone); a referer holding '" "' is thus cut short in favour of the user-agent (browsers send the referer
         *    as a URL, with quotes percent-encoded; user agents are free text);
         *  - user-agent closes at the last quote on the line, since every field S3 writes after it is a bare token.
         */
        private String requestUriAndStatusFields() {
            if (pos >= end) {
                throw endsBefore(REQUEST_URI);
            }
            if (s.charAt(pos) != '"') {
                String bare = token(REQUEST_URI);
                if (bare != null) {
                    throw new Unparsable("request-URI is neither quoted nor -: '" + bare + "'");
                }
                statusFields();
                return null;
            }
            int open = pos;
            Unparsable firstProblem = null;
            for (int q = s.indexOf('"', open + 1); q >= 0 && q < end; q = s.indexOf('"', q + 1)) {
                if (q + 1 < end && s.charAt(q + 1) != ' ') {
                    continue;
                }
                pos = q + 2;
                try {
                    statusFields();
                    return quotedValue(open + 1, q);
                } catch (Unparsable e) {
                    if (firstProblem == null) {
                        firstProblem = e;
                    }
                }
            }
            throw firstProblem != null ? firstProblem : new Unparsable("request-URI has no closing quote");
        }

        private void statusFields() {
            httpStatus = httpStatus();
            errorCode = token(ERROR_CODE);
            bytesSent = number(BYTES_SENT);
            objectSize = number(OBJECT_SIZE);
            totalTime = number(TOTAL_TIME);
            turnAroundTime = number(TURN_AROUND_TIME);
            if (pos >= end) {
                throw endsBefore(REFERER);
            }
            char c = s.charAt(pos);
            if (c != '"' && c != '-') {
                throw new Unparsable("referer is neither quoted nor -");
            }
        }

        private String referer() {
            if (s.charAt(pos) == '-') {
                // statusFields() saw '"' or '-' here
                String bare = token(REFERER);
                if (bare != null) {
                    throw new Unparsable("referer is neither quoted nor -: '" + bare + "'");
                }
                return null;
            }
            int open = pos;
            for (int q = s.indexOf('"', open + 1); q >= 0 && q < end; q = s.indexOf('"', q + 1)) {
                if (q + 1 == end) {
                    throw endsBefore(USER_AGENT);
                }
                if (q + 2 < end && s.charAt(q + 1) == ' ' && startsUserAgent(q + 2)) {
                    pos = q + 2;
                    return quotedValue(open + 1, q);
                }
            }
            throw new Unparsable("referer has no closing quote followed by a user-agent");
        }

        private boolean startsUserAgent(int i) {
            char c = s.charAt(i);
            return c == '"' || c == '-' && (i + 1 == end || s.charAt(i + 1) == ' ');
        }

        private String userAgent() {
            if (pos >= end) {
                throw endsBefore(USER_AGENT);
            }
            if (s.charAt(pos) != '"') {
                String bare = token(USER_AGENT);
                if (bare != null) {
                    throw new Unparsable("user-agent is neither quoted nor -: '" + bare + "'");
                }
                return null;
            }
            int open = pos;
            int close = open;
            for (int q = s.indexOf('"', open + 1); q >= 0 && q < end; q = s.indexOf('"', q + 1)) {
                close = q;
            }
            if (close == open) {
                throw new Unparsable("user-agent has no closing quote");
            }
            if (close + 1 < end && s.charAt(close + 1) != ' ') {
                throw new Unparsable("user-agent's closing quote is followed by '" + s.charAt(close + 1) + "'");
            }
            pos = close + 2;
            return quotedValue(open + 1, close);
        }

        private String quotedValue(int from, int to) {
            return to - from == 1 && s.charAt(from) == '-' ? null : s.substring(from, to);
        }

        private long time() {
            if (pos >= end) {
                throw endsBefore(TIME);
            }
            int p = pos;
            if (p + TIME_LENGTH > end || s.charAt(p) != '[' || s.charAt(p + 27) != ']'
                    || (p + TIME_LENGTH < end && s.charAt(p + TIME_LENGTH) != ' ')
                    || s.charAt(p + 3) != '/' || s.charAt(p + 7) != '/' || s.charAt(p + 12) != ':'
                    || s.charAt(p + 15) != ':' || s.charAt(p + 18) != ':' || s.charAt(p + 21) != ' ') {
                throw badTime(p);
            }
            char sign = s.charAt(p + 22);
            int day = twoDigits(p + 1);
            int month = month(p + 4);
            int year = twoDigits(p + 8) * 100 + twoDigits(p + 10);
            int hour = twoDigits(p + 13);
            int minute = twoDigits(p + 16);
            int second = twoDigits(p + 19);
            int offsetHours = twoDigits(p + 23);
            int offsetMinutes = twoDigits(p + 25);
            if ((sign != '+' && sign != '-') || month < 0 || day < 1 || day > daysInMonth(year, month)
                    || hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) {
                throw badTime(p);
            }
            int offset = offsetHours * 3600 + offsetMinutes * 60;
            pos = p + TIME_LENGTH + 1;
            return daysFromCivil(year, month, day) * 86400L + hour * 3600 + minute * 60 + second
                    - (sign == '+' ? offset : -offset);
        }

        private Unparsable badTime(int p) {
            int e = s.indexOf(']', p);
            String text = s.substring(p, e >= 0 && e < end ? e + 1 : Math.min(end, p + TIME_LENGTH));
            return new Unparsable("time is not [dd/Mon/yyyy:HH:mm:ss +hhmm]: '" + text + "'");
        }

        /** Two decimal digits of the time at i. */
        private int twoDigits(int i) {
            int tens = s.charAt(i) - '0';
            int ones = s.charAt(i + 1) - '0';
            if (tens < 0 || tens > 9 || ones < 0 || ones > 9) {
                throw badTime(pos);
            }
            return tens * 10 + ones;
        }

        /** Month number of the English abbreviation at i, or -1. */
        private int month(int i) {
            return switch (s.charAt(i) << 16 | s.charAt(i + 1) << 8 | s.charAt(i + 2)) {
                case 'J' << 16 | 'a' << 8 | 'n' -> 1;
                case 'F' << 16 | 'e' << 8 | 'b' -> 2;
                case 'M' << 16 | 'a' << 8 | 'r' -> 3;
                case 'A' << 16 | 'p' << 8 | 'r' -> 4;
                case 'M' << 16 | 'a' << 8 | 'y' -> 5;
                case 'J' << 16 | 'u' << 8 | 'n' -> 6;
                case 'J' << 16 | 'u' << 8 | 'l' -> 7;
                case 'A' << 16 | 'u' << 8 | 'g' -> 8;
                case 'S' << 16 | 'e' << 8 | 'p' -> 9;
                case 'O' << 16 | 'c' << 8 | 't' -> 10;
                case 'N' << 16 | 'o' << 8 | 'v' -> 11;
                case 'D' << 16 | 'e' << 8 | 'c' -> 12;
                default -> -1;
            };
        }

        private Integer httpStatus() {
            int e = tokenEnd(HTTP_STATUS);
            if (e - pos == 1 && s.charAt(pos) == '-') {
                pos = e + 1;
                return null;
            }
            int hundreds;
            int tens;
            int ones;
            if (e - pos != 3 || (hundreds = digit(pos)) < 1 || (tens = digit(pos + 1)) < 0
                    || (ones = digit(pos + 2)) < 0) {
                throw new Unparsable("HTTP status is not a three-digit number: '" + s.substring(pos, e) + "'");
            }
            pos = e + 1;
            return hundreds * 100 + tens * 10 + ones;
        }

        private int digit(int i) {
            int d = s.charAt(i) - '0';
            return d >= 0 && d <= 9 ? d : -1;
        }

        private Long number(int field) {
            int e = tokenEnd(field);
            if (e - pos == 1 && s.charAt(pos) == '-') {
                pos = e + 1;
                return null;
            }
            if (e - pos > 18) {
                throw new Unparsable(FIELD_NAMES[field] + " is too long for a number: '" + s.substring(pos, e) + "'");
            }
            long value = 0;
            for (int i = pos; i < e; i++) {
                int d = s.charAt(i) - '0';
                if (d < 0 || d > 9) {
                    throw new Unparsable(FIELD_NAMES[field] + " is not a number: '" + s.substring(pos, e) + "'");
                }
                value = value * 10 + d;
            }
            pos = e + 1;
            return value;
        }

        /** The bare field at pos, null for {@code -}; moves past it and its separator. */
        private String token(int field) {
            int e = tokenEnd(field);
            String value = e - pos == 1 && s.charAt(pos) == '-' ? null : s.substring(pos, e);
            pos = e + 1;
            return value;
        }

        /** Like {@link #token} for the fields older records end before. */
        private String optionalToken(int field) {
            return pos < end ? token(field) : null;
        }

        private int tokenEnd(int field) {
            if (pos >= end) {
                throw endsBefore(field);
            }
            int e = s.indexOf(' ', pos);
            if (e < 0 || e > end) {
                e = end;
            }
            if (e == pos) {
                throw new Unparsable(FIELD_NAMES[field] + " is empty (two spaces in a row)");
            }
            return e;
        }

        private Unparsable endsBefore(int field) {
            return new Unparsable(end == 0 ? "empty line" : "line ends before " + FIELD_NAMES[field]);
        }
    }

    private static int daysInMonth(int year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days from 1970-01-01 to the proleptic Gregorian date (Howard Hinnant's days_from_civil). */
    private static long daysFromCivil(int year, int month, int day) {
        int y = month <= 2 ? year - 1 : year;
        int era = (y >= 0 ? y : y - 399) / 400;
        int yearOfEra = y - era * 400;
        int dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
        int dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146097L + dayOfEra - 719468;
    }

    /** A parse failure with its reason; no stack trace, since it only carries the reason out of the scan. */
    private static final class Unparsable extends RuntimeException {
        Unparsable(String reason) {
            super(reason, null, false, false);
        }
    }
}
