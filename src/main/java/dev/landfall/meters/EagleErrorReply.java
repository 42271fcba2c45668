package dev.landfall.meters;

/**
 * Thrown when the EAGLE (or its cloud relay) answered with an error of its own instead of meter data.
 */
public class EagleErrorReply extends EagleResponseException {

    private static final long serialVersionUID = 1L;

    private final boolean credentials;

    public EagleErrorReply(String message, boolean credentials) {
        super(message);
        this.credentials = credentials;
    }

    /** True when the reply is about authentication or authorization: cloud ID, install code, user or password. */
    public boolean credentials() {
        return credentials;
    }
}
