package dev.landfall.common;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.camel.Exchange;

/**
 * The dead letters an exchange left on its way (written now or found written before), kept as an exchange property so
 * that a replay can answer with the outcome. Split sub-exchanges share the list of their parent.
 */
public final class DeadLetterTrail {

    static final String PROPERTY = "landfallDeadLetters";

    private DeadLetterTrail() {
    }

    /** Starts a trail on the exchange (the replay does, before it sends the entry back into its pipeline). */
    public static List<String> start(Exchange exchange) {
        List<String> keys = new CopyOnWriteArrayList<>();
        exchange.setProperty(PROPERTY, keys);
        return keys;
    }

    @SuppressWarnings("unchecked")
    public static void add(Exchange exchange, String key) {
        Object keys = exchange.getProperty(PROPERTY);
        if (keys instanceof List<?> list) {
            ((List<String>) list).add(key);
        }
    }

    /** Whether a dead letter was left for this exchange's input (so the failure was handled for good). */
    public static boolean deadLettered(Exchange exchange) {
        return exchange.getProperty(DEAD_LETTERED, false, Boolean.class);
    }

    public static void markDeadLettered(Exchange exchange, String key) {
        exchange.setProperty(DEAD_LETTERED, true);
        add(exchange, key);
    }

    static final String DEAD_LETTERED = "landfallDeadLettered";
}
