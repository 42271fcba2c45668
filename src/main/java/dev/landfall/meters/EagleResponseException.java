package dev.landfall.meters;

/**
 * Thrown when an EAGLE answer cannot be decoded into meter values; the message says what is wrong, never the credentials.
 */
public class EagleResponseException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public EagleResponseException(String message) {
        super(message);
    }
}
