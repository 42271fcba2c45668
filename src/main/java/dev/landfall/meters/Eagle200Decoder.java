package dev.landfall.meters;


import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Decodes EAGLE-200 Local API answers: the meters named by device_list, and the readings of a device_query.
 */
public final class Eagle200Decoder {

    private static final String DEMAND = "InstantaneousDemand";
    private static final String DELIVERED = "CurrentSummationDelivered";
    private static final String RECEIVED = "CurrentSummationReceived";
    private static final String ZIGBEE_PREFIX = "zigbee:";

    private Eagle200Decoder() {
    }

    /**
     * HardwareAddress of every device in a device_list answer that is an electric meter; a device without a ModelId
     * is kept, since nothing says it is not one.
     */
    public static List<String> meterAddresses(String deviceListBody) {
        String text = EagleXml.prepare(deviceListBody);
        EagleXml.Element root = xmlRoot(text);
        List<EagleXml.Element> devices = EagleXml.descendants(root, "Device");
        if (devices.isEmpty() && EagleXml.descendants(root, "DeviceList").isEmpty()) {
            throw EagleErrors.unreadable(text, "no DeviceList in response");
        }
        Set<String> meters = new LinkedHashSet<>();
        for (EagleXml.Element device : devices) {
            String address = EagleXml.childText(device, "HardwareAddress");
            if (address == null) {
                continue;
            }
            String model = EagleXml.childText(device, "ModelId");
            if (model == null || model.toLowerCase(Locale.ROOT).contains("electric_meter")) {
                meters.add(address);
            }
        }
        return List.copyOf(meters);
    }

    /**
     * Readings of a device_query answer. Values are already scaled by the EAGLE; the unit is taken from the Value
     * ("21.499 kW") or from Units, W and Wh being divided by 1000. LastContact (hex Unix seconds) is the meter time,
     * HardwareAddress the meter and NetworkInterface the EAGLE itself.
     *
     * @throws EagleErrorReply when the EAGLE answered with an error
     * @throws EagleResponseException when the body holds no decodable reading
     */
    public static MeterValues decodeDeviceQuery(String body) {
        String text = EagleXml.prepare(body);
        EagleXml.Element root = xmlRoot(text);
        List<EagleXml.Element> devices = EagleXml.descendants(root, "Device");
        if (devices.isEmpty()) {
            throw EagleErrors.unreadable(text, "no Device in response");
        }
        EagleXml.Element device = devices.get(0);
        EagleXml.Element details = EagleXml.child(device, "DeviceDetails");
        if (details == null) {
            details = device;
        }
        String lastContact = EagleXml.childText(details, "LastContact");
        Instant meterTime = lastContact == null ? null
                : Instant.ofEpochSecond(EagleNumbers.seconds("LastContact", lastContact));

        BigDecimal demand = null;
        BigDecimal delivered = null;
        BigDecimal received = null;
        for (EagleXml.Element variable : EagleXml.descendants(device, "Variable")) {
            String name = EagleXml.childText(variable, "Name");
            if (name == null) {
                continue;
            }
            String bare = name.regionMatches(true, 0, ZIGBEE_PREFIX, 0, ZIGBEE_PREFIX.length())
                    ? name.substring(ZIGBEE_PREFIX.length()) : name;
            if (demand == null && bare.equalsIgnoreCase(DEMAND)) {
                demand = quantity(DEMAND, variable, "kW", "W");
            } else if (delivered == null && bare.equalsIgnoreCase(DELIVERED)) {
                delivered = quantity(DELIVERED, variable, "kWh", "Wh");
            } else if (received == null && bare.equalsIgnoreCase(RECEIVED)) {
                received = quantity(RECEIVED, variable, "kWh", "Wh");
            }
        }
        if (demand == null && delivered == null && received == null) {
            throw EagleErrors.unreadable(text, "no InstantaneousDemand or CurrentSummation value in response");
        }
        return new MeterValues(meterTime, demand, delivered, received, EagleXml.childText(details, "NetworkInterface"),
                EagleXml.childText(details, "HardwareAddress"));
    }

    private static EagleXml.Element xmlRoot(String text) {
        if (text.charAt(0) != '<') {
            throw EagleErrors.unreadable(text, "response is not XML");
        }
        EagleXml.Element root = EagleXml.parse(text);
        EagleErrors.throwIfErrorElement(root);
        return root;
    }

    /** The variable's value in kilo-units, or null when it has none; a missing unit is read as the kilo-unit. */
    private static BigDecimal quantity(String field, EagleXml.Element variable, String kiloUnit, String unit) {
        String value = EagleXml.childText(variable, "Value");
        if (value == null) {
            return null;
        }
        int blank = firstWhitespace(value);
        String number = blank < 0 ? value : value.substring(0, blank);
        String unitInValue = blank < 0 ? null : value.substring(blank).trim();
        String units = EagleXml.childText(variable, "Units");
        if (unitInValue != null && units != null && !unitInValue.equalsIgnoreCase(units)) {
            throw new EagleResponseException("conflicting units for " + field);
        }
        String given = unitInValue != null ? unitInValue : units;
        BigDecimal amount = EagleNumbers.decimal(field, number);
        if (given == null || given.equalsIgnoreCase(kiloUnit)) {
            return EagleNumbers.normalized(amount);
        }
        if (given.equalsIgnoreCase(unit)) {
            return EagleNumbers.normalized(amount.movePointLeft(3));
        }
        throw new EagleResponseException("unexpected unit for " + field + ": " + EagleErrors.shortened(given));
    }

    private static int firstWhitespace(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isWhitespace(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }
}
