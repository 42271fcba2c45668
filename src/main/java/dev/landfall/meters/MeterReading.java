package dev.landfall.meters;

import java.math.BigDecimal;
import java.time.Instant;

/** One poll's reading as the spool's JSON line (absent values omitted, times ISO-8601 UTC). */
public record MeterReading(String cloudId, Instant polledAt, MeterValues values) {

    public String toJsonLine() {
        StringBuilder b = new StringBuilder(256);
        b.append("{\"cloud_id\":");
        quote(b, cloudId);
        b.append(",\"polled_at\":\"").append(polledAt).append('"');
        if (values.meterTime() != null) {
            b.append(",\"meter_time\":\"").append(values.meterTime()).append('"');
        }
        number(b, "demand_kw", values.demandKw());
        number(b, "summation_delivered_kwh", values.summationDeliveredKwh());
        number(b, "summation_received_kwh", values.summationReceivedKwh());
        if (values.deviceMac() != null) {
            b.append(",\"device_mac\":");
            quote(b, values.deviceMac());
        }
        if (values.meterMac() != null) {
            b.append(",\"meter_mac\":");
            quote(b, values.meterMac());
        }
        return b.append('}').toString();
    }

    private static void number(StringBuilder b, String name, BigDecimal v) {
        if (v != null) {
            b.append(",\"").append(name).append("\":").append(v.toPlainString());
        }
    }

    private static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
