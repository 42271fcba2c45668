package dev.landfall.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landfall.meters.MeterValues;

import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Renders EAGLE answers in the formats of Rainforest's manuals, for the device simulator to serve.
 */
public final class EagleResponses {

    private static final long EPOCH_2000_SECONDS = 946_684_800L;
    private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);
    private static final String MULTIPLIER = "0x00000001";
    private static final String DIVISOR = "0x000003e8";
    private static final String LAST_CONTACT_OF_LIST = "0x5c5aff97";
    private static final ObjectMapper JSON = new ObjectMapper();

    private EagleResponses() {
    }

    /**
     * An EAGLE-100 get_device_data answer: NetworkStatus, InstantaneousDemand and CurrentSummation side by side as XML
     * fragments, or (json) one JSON object keyed by notification. Readings are rendered with Multiplier 1 and Divisor
     * 1000, so kW and kWh may have up to 3 decimals; Demand takes 6 hex digits (signed 24-bit) or 8 (sign-extended).
     * A null value leaves its element out.
     */
    public static String eagle100DeviceData(MeterValues v, boolean json, int hexDigitsForDemand) {
        return eagle100(v, json, hexDigitsForDemand, true);
    }

    /**
     * The answer of get_instantaneous_demand (values with only a demand) or get_current_summation (only summations):
     * that one notification, without get_device_data's NetworkStatus.
     */
    public static String eagle100Notification(MeterValues v, boolean json, int hexDigitsForDemand) {
        return eagle100(v, json, hexDigitsForDemand, false);
    }

    private static String eagle100(MeterValues v, boolean json, int hexDigitsForDemand, boolean networkStatus) {
        if (hexDigitsForDemand != 6 && hexDigitsForDemand != 8) {
            throw new IllegalArgumentException("Demand is printed with 6 or 8 hex digits");
        }
        String timeStamp = v.meterTime() == null ? null : String.format("0x%08x", eagleSeconds(v.meterTime()));
        Map<String, Map<String, String>> notifications = new LinkedHashMap<>();

        Map<String, String> status = new LinkedHashMap<>();
        put(status, "DeviceMacId", v.deviceMac());
        status.put("Protocol", "ZigBee");
        status.put("Status", "Connected");
        put(status, "CoordMacId", v.meterMac());
        status.put("LinkStrength", "0x64");
        if (networkStatus) {
            notifications.put("NetworkStatus", status);
        }

        if (v.demandKw() != null) {
            Map<String, String> demand = new LinkedHashMap<>();
            put(demand, "DeviceMacId", v.deviceMac());
            put(demand, "MeterMacId", v.meterMac());
            put(demand, "TimeStamp", timeStamp);
            demand.put("Demand", demandHex(v.demandKw(), hexDigitsForDemand));
            demand.put("Multiplier", MULTIPLIER);
            demand.put("Divisor", DIVISOR);
            demand.put("DigitsRight", "0x03");
            demand.put("DigitsLeft", "0x06");
            demand.put("SuppressLeadingZero", "Y");
            notifications.put("InstantaneousDemand", demand);
        }
        if (v.summationDeliveredKwh() != null || v.summationReceivedKwh() != null) {
            Map<String, String> summation = new LinkedHashMap<>();
            put(summation, "DeviceMacId", v.deviceMac());
            put(summation, "MeterMacId", v.meterMac());
            put(summation, "TimeStamp", timeStamp);
            put(summation, "SummationDelivered", summationHex(v.summationDeliveredKwh()));
            put(summation, "SummationReceived", summationHex(v.summationReceivedKwh()));
            summation.put("Multiplier", MULTIPLIER);
            summation.put("Divisor", DIVISOR);
            summation.put("DigitsRight", "0x03");
            summation.put("DigitsLeft", "0x0a");
            summation.put("SuppressLeadingZero", "Y");
            notifications.put("CurrentSummation", summation);
        }
        if (json) {
            try {
                return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(notifications) + "\n";
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        }
        StringBuilder xml = new StringBuilder();
        notifications.forEach((name, fields) -> {
            xml.append('<').append(name).append(">\n");
            fields.forEach((field, value) -> element(xml, field, value));
            xml.append("</").append(name).append(">\n");
        });
        return xml.toString();
    }

    /** The error answer our simulator gives (no error shape is published for the EAGLE-100; this one is ours). */
    public static String eagle100Error(String text) {
        return "<Error>\n<Text>" + escape(text) + "</Text>\n</Error>\n";
    }

    /** An EAGLE-200 device_list answer naming one electric meter, as in the Local API manual. */
    public static String eagle200DeviceList(String meterHardwareAddress) {
        StringBuilder xml = new StringBuilder("<DeviceList>\n<Device>\n");
        element(xml, "HardwareAddress", meterHardwareAddress);
        element(xml, "Manufacturer", "Generic");
        element(xml, "ModelId", "electric_meter");
        element(xml, "Protocol", "Zigbee");
        element(xml, "LastContact", LAST_CONTACT_OF_LIST);
        element(xml, "ConnectionStatus", "Connected");
        element(xml, "NetworkAddress", "0x0000");
        return xml.append("</Device>\n</DeviceList>\n").toString();
    }

    /**
     * An EAGLE-200 device_query answer for a meter: values already in kW / kWh, either with the unit in the value
     * ("21.499 kW", as in the manual) or as firmware prints them ("21.499000" and Units kW). LastContact is the meter
     * time in hex Unix seconds, HardwareAddress the meter MAC and NetworkInterface the EAGLE's.
     */
    public static String eagle200DeviceQuery(MeterValues v, boolean unitsInValue) {
        StringBuilder xml = new StringBuilder("<Device>\n<DeviceDetails>\n");
        element(xml, "Name", "Power Meter");
        element(xml, "HardwareAddress", v.meterMac());
        element(xml, "NetworkInterface", v.deviceMac());
        element(xml, "Protocol", "Zigbee");
        element(xml, "NetworkAddress", "0x0000");
        element(xml, "Manufacturer", "Generic");
        element(xml, "ModelId", "electric_meter");
        element(xml, "LastContact", v.meterTime() == null ? null : String.format("0x%08x", v.meterTime().getEpochSecond()));
        element(xml, "ConnectionStatus", "Connected");
        xml.append("</DeviceDetails>\n<Components>\n<Component>\n");
        element(xml, "HardwareId", "");
        element(xml, "FixedId", "0");
        element(xml, "Name", "Main");
        xml.append("<Variables>\n");
        variable(xml, "zigbee:InstantaneousDemand", v.demandKw(), "kW", "Instantaneous Demand", unitsInValue);
        variable(xml, "zigbee:Multiplier", BigDecimal.ONE, "", "Multiplier applied to demand and summation values",
                unitsInValue);
        variable(xml, "zigbee:Divisor", THOUSAND, "", "Divisor applied to demand and summation values", unitsInValue);
        variable(xml, "zigbee:CurrentSummationDelivered", v.summationDeliveredKwh(), "kWh", "Summation Delivered to Home",
                unitsInValue);
        variable(xml, "zigbee:CurrentSummationReceived", v.summationReceivedKwh(), "kWh", "Summation Received from Home",
                unitsInValue);
        return xml.append("</Variables>\n</Component>\n</Components>\n</Device>\n").toString();
    }

    private static void variable(StringBuilder xml, String name, BigDecimal value, String unit, String description,
                                 boolean unitsInValue) {
        xml.append("<Variable>\n");
        element(xml, "Name", name);
        if (unitsInValue) {
            if (value == null) {
                element(xml, "Value", "");
            } else if (unit.isEmpty()) {
                element(xml, "Value", value.toPlainString());
            } else {
                element(xml, "Value", value.setScale(3, RoundingMode.UNNECESSARY).toPlainString() + " " + unit);
            }
        } else {
            String text = value == null ? "" : value.setScale(unit.isEmpty() ? 0 : 6, RoundingMode.UNNECESSARY)
                    .toPlainString();
            element(xml, "Value", text);
            element(xml, "Units", unit);
            element(xml, "Description", description);
        }
        xml.append("</Variable>\n");
    }

    private static long eagleSeconds(Instant t) {
        long seconds = t.getEpochSecond() - EPOCH_2000_SECONDS;
        if (seconds < 0 || seconds > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("TimeStamp holds 2000-01-01 to 2136 only: " + t);
        }
        return seconds;
    }

    private static String demandHex(BigDecimal kw, int digits) {
        long raw = thousandths(kw).longValueExact();
        long half = digits == 6 ? 1L << 23 : 1L << 31;
        if (raw < -half || raw >= half) {
            throw new IllegalArgumentException("demand " + kw + " kW does not fit " + digits + " hex digits");
        }
        long mask = digits == 6 ? 0xFFFFFFL : 0xFFFFFFFFL;
        return String.format("0x%0" + digits + "x", raw & mask);
    }

    private static String summationHex(BigDecimal kwh) {
        if (kwh == null) {
            return null;
        }
        BigInteger raw = thousandths(kwh);
        if (raw.signum() < 0) {
            throw new IllegalArgumentException("summations are unsigned: " + kwh);
        }
        StringBuilder hex = new StringBuilder(raw.toString(16));
        while (hex.length() < 8) {
            hex.insert(0, '0');
        }
        return "0x" + hex;
    }

    private static BigInteger thousandths(BigDecimal value) {
        return value.multiply(THOUSAND).setScale(0, RoundingMode.HALF_UP).toBigIntegerExact();
    }

    private static void put(Map<String, String> fields, String name, String value) {
        if (value != null) {
            fields.put(name, value);
        }
    }

    private static void element(StringBuilder xml, String name, String value) {
        if (value != null) {
            xml.append('<').append(name).append('>').append(escape(value)).append("</").append(name).append(">\n");
        }
    }

    private static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
