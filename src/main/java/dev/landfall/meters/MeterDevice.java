package dev.landfall.meters;

import java.util.Locale;
import java.util.zip.CRC32;

/**
 * A registered gateway: how to reach it and its credential, sealed ({@link DeviceCredentials}); never the credential
 * in clear, so a device can be logged, listed or shown without leaking it.
 */
public record MeterDevice(String cloudId, String email, Api api, String endpoint, byte[] sealedCredential, boolean enabled,
                          String updatedAt) {

    /** How a gateway is asked for its readings. */
    public enum Api {
        /** EAGLE REST API 1.1 (the EAGLE-100, locally or through Rainforest's cloud relay): Cloud-ID, User, Password headers. */
        EAGLE100,
        /** EAGLE-200 local API: HTTP Basic with cloud id and install code. */
        EAGLE200;

        public static Api of(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("api is required: eagle100 or eagle200");
            }
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("api must be eagle100 or eagle200, not " + name);
            }
        }

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public MeterDevice {
        cloudId = checkCloudId(cloudId);
    }

    /** A cloud id is a string as given (leading zeros kept): 1-64 letters, digits, '-', '_' or '.', so it is safe in a path and a file name. */
    public static String checkCloudId(String cloudId) {
        if (cloudId == null || cloudId.isEmpty() || cloudId.length() > 64) {
            throw new IllegalArgumentException("cloudId must be 1 to 64 characters");
        }
        for (int i = 0; i < cloudId.length(); i++) {
            char c = cloudId.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_'
                    || (c == '.' && i > 0);
            if (!ok) {
                throw new IllegalArgumentException("cloudId may hold letters, digits, '-', '_' and '.' only");
            }
        }
        return cloudId;
    }

    /** The shard a device is polled in: stable for its id, even over the shards. */
    public static int shardOf(String cloudId, int shards) {
        CRC32 crc = new CRC32();
        crc.update(cloudId.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return (int) (crc.getValue() % shards);
    }

    /** Its poll's offset within the period: spread by its id, so that the polls of a period are even over it. */
    public static long phaseOf(String cloudId, long periodMs) {
        long h = 1125899906842597L;
        for (int i = 0; i < cloudId.length(); i++) {
            h = 31 * h + cloudId.charAt(i);
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return Math.floorMod(h, periodMs);
    }

    @Override
    public String toString() {
        return "MeterDevice[" + cloudId + ", " + api.id() + ", " + endpoint + (enabled ? "" : ", disabled") + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MeterDevice d && d.cloudId.equals(cloudId) && java.util.Objects.equals(d.email, email) && d.api == api
                && java.util.Objects.equals(d.endpoint, endpoint) && java.util.Arrays.equals(d.sealedCredential, sealedCredential)
                && d.enabled == enabled;
    }

    @Override
    public int hashCode() {
        return cloudId.hashCode();
    }
}
