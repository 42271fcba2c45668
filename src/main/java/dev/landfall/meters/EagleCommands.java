package dev.landfall.meters;

/**
 * Builds the XML command bodies that EAGLE gateways take on POST /cgi-bin/post_manager.
 */
public final class EagleCommands {

    private EagleCommands() {
    }

    /**
     * EAGLE-100 get_device_data, which answers with all its notifications side by side (InstantaneousDemand,
     * CurrentSummation, ...) in one reply; the answer is XML.
     *
     * @param macIdOrNull MacId, the MAC of the EAGLE's ZigBee radio (DeviceMacId in answers); null or blank leaves
     *                    it out, which a single-radio EAGLE accepts
     */
    public static String eagle100DeviceData(String macIdOrNull) {
        return eagle100DeviceData(macIdOrNull, false);
    }

    /** As {@link #eagle100DeviceData(String)}, asking for a JSON answer when {@code json} is true. */
    public static String eagle100DeviceData(String macIdOrNull, boolean json) {
        return eagle100("get_device_data", macIdOrNull, json);
    }

    /** EAGLE-100 REST API get_instantaneous_demand: one InstantaneousDemand notification. */
    public static String eagle100InstantaneousDemand(String macIdOrNull, boolean json) {
        return eagle100("get_instantaneous_demand", macIdOrNull, json);
    }

    /** EAGLE-100 REST API get_current_summation: one CurrentSummation notification. */
    public static String eagle100CurrentSummation(String macIdOrNull, boolean json) {
        return eagle100("get_current_summation", macIdOrNull, json);
    }

    /** EAGLE-200 Local API device_list. */
    public static String eagle200DeviceList() {
        return "<Command><Name>device_list</Name></Command>";
    }

    /** EAGLE-200 Local API device_query for every variable of every component of the device (a meter, here). */
    public static String eagle200DeviceQuery(String hardwareAddress) {
        if (hardwareAddress == null || hardwareAddress.isBlank()) {
            throw new IllegalArgumentException("hardwareAddress is required");
        }
        return "<Command><Name>device_query</Name><DeviceDetails><HardwareAddress>" + escape(hardwareAddress.trim())
                + "</HardwareAddress></DeviceDetails><Components><All>Y</All></Components></Command>";
    }

    private static String eagle100(String name, String macIdOrNull, boolean json) {
        StringBuilder command = new StringBuilder("<Command><Name>").append(name).append("</Name>");
        if (macIdOrNull != null && !macIdOrNull.isBlank()) {
            command.append("<MacId>").append(escape(macIdOrNull.trim())).append("</MacId>");
        }
        if (json) {
            command.append("<Format>JSON</Format>");
        }
        return command.append("</Command>").toString();
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> {
                    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                        throw new IllegalArgumentException("control character in command text");
                    }
                    out.append(c);
                }
            }
        }
        return out.toString();
    }
}
