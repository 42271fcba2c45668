package dev.landfall.common;

/** A system asked on the caller's behalf (a device) failed: answered 502 (it answered wrongly) or 504 (it did not answer). */
public final class UpstreamFailed extends RuntimeException {

    private final int status;

    public UpstreamFailed(int status, String message) {
        super(message, null, false, false);
        if (status != 502 && status != 504) {
            throw new IllegalArgumentException("502 or 504");
        }
        this.status = status;
    }

    public int status() {
        return status;
    }
}
