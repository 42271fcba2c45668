package dev.landfall.meters;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * Reads the EAGLE's hex and decimal number texts exactly.
 */
final class EagleNumbers {

    private static final int MAX_HEX_DIGITS = 32;
    private static final int MAX_DECIMAL_CHARS = 40;
    private static final int INEXACT_SCALE = 9;

    private EagleNumbers() {
    }

    /** The digits after "0x", leading zeros kept; throws naming the field when the text is not that. */
    static String hexDigits(String field, String value) {
        String v = value == null ? "" : value.trim();
        if (v.length() < 3 || v.charAt(0) != '0' || (v.charAt(1) != 'x' && v.charAt(1) != 'X')
                || v.length() - 2 > MAX_HEX_DIGITS) {
            throw badHex(field);
        }
        for (int i = 2; i < v.length(); i++) {
            if (Character.digit(v.charAt(i), 16) < 0) {
                throw badHex(field);
            }
        }
        return v.substring(2);
    }

    static BigInteger unsignedHex(String field, String value) {
        return new BigInteger(hexDigits(field, value), 16);
    }

    /** An unsigned hex count of seconds. */
    static long seconds(String field, String value) {
        BigInteger seconds = unsignedHex(field, value);
        if (seconds.bitLength() > 40) {
            throw new EagleResponseException(field + " out of range");
        }
        return seconds.longValueExact();
    }

    /** A plain signed decimal such as "-21.499"; exponents are refused so that no text can blow up a BigDecimal. */
    static BigDecimal decimal(String field, String text) {
        boolean digits = false;
        boolean point = false;
        int length = text.length();
        if (length == 0 || length > MAX_DECIMAL_CHARS) {
            throw badNumber(field);
        }
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                digits = true;
            } else if (c == '.' && !point) {
                point = true;
            } else if (!((c == '-' || c == '+') && i == 0)) {
                throw badNumber(field);
            }
        }
        if (!digits) {
            throw badNumber(field);
        }
        return new BigDecimal(text);
    }

    /** numerator / denominator, exact when the quotient terminates, else rounded half-even to nine places. */
    static BigDecimal quotient(BigDecimal numerator, BigDecimal denominator) {
        try {
            return normalized(numerator.divide(denominator));
        } catch (ArithmeticException nonTerminating) {
            return normalized(numerator.divide(denominator, INEXACT_SCALE, RoundingMode.HALF_EVEN));
        }
    }

    /** Without trailing zeros, but never in exponent form: 20 stays 20, not 2E+1. */
    static BigDecimal normalized(BigDecimal value) {
        BigDecimal stripped = value.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }

    private static EagleResponseException badHex(String field) {
        return new EagleResponseException("bad hex in " + field);
    }

    private static EagleResponseException badNumber(String field) {
        return new EagleResponseException("bad number in " + field);
    }
}
