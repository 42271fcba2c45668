package dev.landfall.meters;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Decodes EAGLE-100 (REST API 1.x) answers, XML or JSON, holding InstantaneousDemand and/or CurrentSummation, into
 * kW and kWh.
 */
public final class Eagle100Decoder {

    private static final long EPOCH_2000_SECONDS = 946_684_800L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String DEMAND = "demand";
    private static final String DELIVERED = "summationdelivered";
    private static final String RECEIVED = "summationreceived";
    private static final String TIME_STAMP = "timestamp";

    private static final Predicate<Map<String, String>> IS_DEMAND = f -> f.containsKey(DEMAND);
    private static final Predicate<Map<String, String>> IS_SUMMATION =
            f -> f.containsKey(DELIVERED) || f.containsKey(RECEIVED);

    private Eagle100Decoder() {
    }

    /**
     * Reads one answer: a single notification, or several side by side (get_device_data), as XML or as JSON (when the
     * command carried {@code <Format>JSON</Format>}); the kind is told by the first non-blank character.
     *
     * @throws EagleErrorReply when the EAGLE answered with an error
     * @throws EagleResponseException when the body holds no decodable reading
     */
    public static MeterValues decode(String body) {
        String text = EagleXml.prepare(body);
        char first = text.charAt(0);
        List<Map<String, String>> fragments;
        if (first == '<') {
            fragments = xmlFragments(text);
        } else if (first == '{' || first == '[' || first == '"') {
            fragments = jsonFragments(text);
        } else {
            throw EagleErrors.unreadable(text, "response is neither XML nor JSON");
        }

        Map<String, String> demand = latest(fragments, IS_DEMAND);
        Map<String, String> summation = latest(fragments, IS_SUMMATION);
        if (demand == null && summation == null) {
            throw EagleErrors.unreadable(text, "no InstantaneousDemand or CurrentSummation in response");
        }
        BigDecimal demandKw = demand == null ? null : scaled(signedDemand(demand.get(DEMAND)), demand);
        BigDecimal deliveredKwh = summation == null ? null : scaledSummation(summation, DELIVERED, "SummationDelivered");
        BigDecimal receivedKwh = summation == null ? null : scaledSummation(summation, RECEIVED, "SummationReceived");
        return new MeterValues(later(meterTime(demand), meterTime(summation)), demandKw, deliveredKwh, receivedKwh,
                firstPresent(demand, summation, "devicemacid"), firstPresent(demand, summation, "metermacid"));
    }

    private static List<Map<String, String>> xmlFragments(String text) {
        EagleXml.Element root = EagleXml.parse(text);
        EagleErrors.throwIfErrorElement(root);
        List<Map<String, String>> out = new ArrayList<>();
        for (EagleXml.Element element : EagleXml.descendants(root)) {
            if (EagleXml.isLeaf(element)) {
                continue;
            }
            Map<String, String> fields = new LinkedHashMap<>();
            for (EagleXml.Element child : EagleXml.children(element)) {
                if (EagleXml.isLeaf(child)) {
                    fields.putIfAbsent(child.name().toLowerCase(Locale.ROOT), child.textContent().trim());
                }
            }
            if (IS_DEMAND.test(fields) || IS_SUMMATION.test(fields)) {
                out.add(fields);
            }
        }
        return out;
    }

    private static List<Map<String, String>> jsonFragments(String text) {
        List<JsonNode> roots = new ArrayList<>();
        try (MappingIterator<JsonNode> values = JSON.readerFor(JsonNode.class).readValues(lenientJson(text))) {
            while (values.hasNextValue()) {
                roots.add(values.nextValue());
            }
        } catch (IOException e) {
            throw EagleErrors.unreadable(text, "response is not well-formed JSON");
        }
        List<Map<String, String>> out = new ArrayList<>();
        for (JsonNode root : roots) {
            throwIfJsonError(root);
            collect(root, out);
        }
        return out;
    }

    /**
     * The REST API manual's own JSON example writes {@code "key"="value"}, and some firmware leaves the outer braces
     * off ({@code "HistoryData": {...}}); both are mended here. '=' never occurs outside strings in real JSON.
     */
    private static String lenientJson(String text) {
        boolean unbraced = text.charAt(0) == '"';
        StringBuilder out = new StringBuilder(text.length() + 2);
        if (unbraced) {
            out.append('{');
        }
        boolean inString = false;
        boolean escaped = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '=') {
                c = ':';
            }
            out.append(c);
        }
        if (unbraced) {
            out.append('}');
        }
        return out.toString();
    }

    private static void throwIfJsonError(JsonNode root) {
        if (!root.isObject()) {
            return;
        }
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (field.getKey().equalsIgnoreCase("error")) {
                JsonNode error = field.getValue();
                String text = error.isValueNode() ? error.asText() : firstText(error, "text", "message", "description");
                throw EagleErrors.reply(text);
            }
        }
    }

    private static String firstText(JsonNode node, String... names) {
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            for (String name : names) {
                if (field.getKey().equalsIgnoreCase(name) && field.getValue().isValueNode()) {
                    return field.getValue().asText();
                }
            }
        }
        return null;
    }

    private static void collect(JsonNode node, List<Map<String, String>> out) {
        if (node.isArray()) {
            for (JsonNode item : node) {
                collect(item, out);
            }
            return;
        }
        if (!node.isObject()) {
            return;
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            JsonNode value = field.getValue();
            if (value.isContainerNode()) {
                collect(value, out);
            } else if (!value.isNull()) {
                fields.putIfAbsent(field.getKey().toLowerCase(Locale.ROOT), value.asText().trim());
            }
        }
        if (IS_DEMAND.test(fields) || IS_SUMMATION.test(fields)) {
            out.add(fields);
        }
    }

    /** Of several fragments of one kind (a history, say) the one with the newest TimeStamp; the first on a tie. */
    private static Map<String, String> latest(List<Map<String, String>> fragments, Predicate<Map<String, String>> kind) {
        Map<String, String> best = null;
        long bestSeconds = Long.MIN_VALUE;
        for (Map<String, String> fragment : fragments) {
            if (!kind.test(fragment)) {
                continue;
            }
            String stamp = fragment.get(TIME_STAMP);
            long seconds = stamp == null ? Long.MIN_VALUE + 1 : EagleNumbers.seconds("TimeStamp", stamp);
            if (best == null || seconds > bestSeconds) {
                best = fragment;
                bestSeconds = seconds;
            }
        }
        return best;
    }

    /**
     * The manual gives Demand as up to 6 hex digits, a signed 24-bit number; firmware that prints 8 digits has
     * sign-extended it to 32 bits, so the width printed decides where the sign bit is.
     */
    private static BigInteger signedDemand(String value) {
        String digits = EagleNumbers.hexDigits("Demand", value);
        int width = digits.length() <= 6 ? 24 : digits.length() <= 8 ? 32 : digits.length() <= 16 ? 64 : 0;
        if (width == 0) {
            throw new EagleResponseException("bad hex in Demand");
        }
        BigInteger raw = new BigInteger(digits, 16);
        return raw.testBit(width - 1) ? raw.subtract(BigInteger.ONE.shiftLeft(width)) : raw;
    }

    private static BigDecimal scaledSummation(Map<String, String> fragment, String key, String field) {
        String value = fragment.get(key);
        return value == null ? null : scaled(EagleNumbers.unsignedHex(field, value), fragment);
    }

    private static BigDecimal scaled(BigInteger raw, Map<String, String> fragment) {
        BigInteger multiplier = factor(fragment, "multiplier", "Multiplier");
        BigInteger divisor = factor(fragment, "divisor", "Divisor");
        return EagleNumbers.quotient(new BigDecimal(raw.multiply(multiplier)), new BigDecimal(divisor));
    }

    /** Multiplier or Divisor; the manual says to use 1 when it is zero. */
    private static BigInteger factor(Map<String, String> fragment, String key, String field) {
        String value = fragment.get(key);
        if (value == null) {
            return BigInteger.ONE;
        }
        BigInteger factor = EagleNumbers.unsignedHex(field, value);
        return factor.signum() == 0 ? BigInteger.ONE : factor;
    }

    private static Instant meterTime(Map<String, String> fragment) {
        String stamp = fragment == null ? null : fragment.get(TIME_STAMP);
        return stamp == null ? null : Instant.ofEpochSecond(EPOCH_2000_SECONDS + EagleNumbers.seconds("TimeStamp", stamp));
    }

    private static Instant later(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || !b.isAfter(a) ? a : b;
    }

    private static String firstPresent(Map<String, String> a, Map<String, String> b, String key) {
        String value = a == null ? null : a.get(key);
        if (value == null || value.isEmpty()) {
            value = b == null ? null : b.get(key);
        }
        return value == null || value.isEmpty() ? null : value;
    }
}
