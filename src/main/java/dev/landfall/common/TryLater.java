package dev.landfall.common;

/** A request that cannot be answered now but may be soon (too busy, past its deadline): HTTP routes answer 503 with Retry-After. */
public class TryLater extends RuntimeException {

    public TryLater(String message) {
        super(message);
    }
}
