package dev.landfall.meters;

import java.time.Duration;

/** A gateway's poll state, and when it is polled next in that state. */
public enum DeviceState {
    /** Answering readings: polled every period. */
    OK,
    /** Refused our credential (401/403 or its error reply): retried every 5 minutes. */
    BAD_CREDENTIALS,
    /** Refused the connection or did not answer in time: backoff doubling from the period up to a minute. */
    UNREACHABLE,
    /** Answered something that does not decode: dead letter with the body, retried with the unreachable backoff. */
    BAD_RESPONSE,
    /** Registered but not enabled: not polled. */
    DISABLED;

    public static final Duration BAD_CREDENTIALS_RETRY = Duration.ofMinutes(5);
    public static final Duration MAX_BACKOFF = Duration.ofMinutes(1);
}
