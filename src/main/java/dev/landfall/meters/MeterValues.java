package dev.landfall.meters;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * What one poll of a gateway says about its meter, decoded and scaled: kW and kWh, UTC times; absent values are null.
 */
public record MeterValues(Instant meterTime, BigDecimal demandKw, BigDecimal summationDeliveredKwh,
                          BigDecimal summationReceivedKwh, String deviceMac, String meterMac) {

    public boolean hasReading() {
        return demandKw != null || summationDeliveredKwh != null || summationReceivedKwh != null;
    }
}
