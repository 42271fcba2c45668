package dev.landfall.directory;

import java.util.Set;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * How a CSV field becomes a DynamoDB attribute, value by value: a plain decimal number without a leading zero
 * ({@code 42}, {@code -0.5}, {@code 0}) is N, so identifiers such as {@code 007}, and {@code 1e5}, {@code NaN} or
 * {@code " 42"} stay S; {@code true}/{@code false} in any case are BOOL; an empty field is absent; anything else is S
 * exactly as written. Columns can be forced to S or to N.
 */
public final class FactTypes {

    /** DynamoDB numbers carry at most 38 significant digits; a longer one stays a string rather than being rounded. */
    static final int MAX_DIGITS = 38;

    private final Set<String> strings;
    private final Set<String> numbers;

    public FactTypes(Set<String> stringColumns, Set<String> numberColumns) {
        this.strings = Set.copyOf(stringColumns);
        this.numbers = Set.copyOf(numberColumns);
    }

    public static FactTypes inferred() {
        return new FactTypes(Set.of(), Set.of());
    }

    /** The type of one field: 0 when empty (absent), else 'S', 'N' or 'B'; see {@link #type}. */
    public char tag(String column, String value) {
        if (value == null || value.isEmpty()) {
            return 0;
        }
        if (!strings.isEmpty() && strings.contains(column)) {
            return 'S';
        }
        boolean number = isPlainNumber(value);
        if (!numbers.isEmpty() && numbers.contains(column)) {
            if (!number) {
                throw new IllegalArgumentException("column " + column + " is declared a number but holds '" + value + "'");
            }
            return 'N';
        }
        if (number) {
            return 'N';
        }
        if (value.length() <= 5 && (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false"))) {
            return 'B';
        }
        return 'S';
    }

    /** Whether a column's values are checked at all when read (a forced number must be one). */
    public boolean checks(String column) {
        return numbers.contains(column);
    }

    /**
     * The attribute for one field, or null for an empty one.
     *
     * @throws IllegalArgumentException a column forced to N holds something that is not a plain decimal number
     */
    public AttributeValue type(String column, String value) {
        return switch (tag(column, value)) {
            case 0 -> null;
            case 'N' -> AttributeValue.fromN(value);
            case 'B' -> AttributeValue.fromBool(value.length() == 4);
            default -> AttributeValue.fromS(value);
        };
    }

    /** {@code -?(0|[1-9][0-9]*)(\.[0-9]+)?} with at most 38 significant digits, without a regex. */
    static boolean isPlainNumber(String v) {
        int i = 0;
        int n = v.length();
        if (i < n && v.charAt(i) == '-') {
            i++;
        }
        int intStart = i;
        while (i < n && isDigit(v.charAt(i))) {
            i++;
        }
        int intDigits = i - intStart;
        if (intDigits == 0 || (intDigits > 1 && v.charAt(intStart) == '0')) {
            return false;
        }
        int fracDigits = 0;
        if (i < n && v.charAt(i) == '.') {
            i++;
            int fracStart = i;
            while (i < n && isDigit(v.charAt(i))) {
                i++;
            }
            fracDigits = i - fracStart;
            if (fracDigits == 0) {
                return false;
            }
        }
        if (i != n) {
            return false;
        }
        // significant digits: without the leading zeros of 0.000123
        int significant = intDigits + fracDigits;
        if (intDigits == 1 && v.charAt(intStart) == '0') {
            significant = fracDigits;
            int f = intStart + 2;
            while (f < n && v.charAt(f) == '0') {
                significant--;
                f++;
            }
        }
        return significant <= MAX_DIGITS;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
