package dev.landfall.common.access;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.zip.CRC32;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Landfall API keys: {@code lf_} + 32 random bytes in base62 (43 characters) + the CRC32 of the two in base62
 * (6 characters), 52 characters in all, the shape of GitHub's tokens. The checksum rejects a mistyped or made-up key
 * before any look-up, and the fixed prefix makes a leaked key easy to scan for. A key is stored only as its
 * HMAC-SHA256 under a pepper that lives in the environment, never in the table: a copy of the table alone gives no key.
 */
public final class ApiKeys {

    public static final String PREFIX = "lf_";
    static final int RANDOM_BYTES = 32;
    static final int RANDOM_CHARS = 43;
    static final int CHECKSUM_CHARS = 6;
    public static final int LENGTH = PREFIX.length() + RANDOM_CHARS + CHECKSUM_CHARS;
    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final BigInteger BASE = BigInteger.valueOf(62);
    /** The shortest pepper accepted: 32 bytes, as long as the HMAC's own output. */
    public static final int MIN_PEPPER_BYTES = 32;

    private final SecretKeySpec pepper;
    private final SecureRandom random = new SecureRandom();
    /** An initialised HMAC per thread: getting and initialising one costs more than the digest itself. */
    private final ThreadLocal<Mac> macs;

    /** @param pepper the HMAC key (from the environment); at least {@link #MIN_PEPPER_BYTES} bytes */
    public ApiKeys(byte[] pepper) {
        if (pepper == null || pepper.length < MIN_PEPPER_BYTES) {
            throw new IllegalArgumentException("the API key pepper must be at least " + MIN_PEPPER_BYTES + " bytes");
        }
        this.pepper = new SecretKeySpec(pepper, "HmacSHA256");
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    private ApiKeys() {
        this.pepper = null;
        this.macs = null;
    }

    /** Keys without a pepper: no key can be checked or made ({@link #digest} throws), so keyed endpoints answer 503. */
    public static ApiKeys unconfigured() {
        return new ApiKeys();
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(pepper);
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** A new random key, in the format above. */
    public String generate() {
        byte[] bytes = new byte[RANDOM_BYTES];
        random.nextBytes(bytes);
        String body = PREFIX + base62(new BigInteger(1, bytes), RANDOM_CHARS);
        return body + base62(BigInteger.valueOf(crc32(body, body.length())), CHECKSUM_CHARS);
    }

    /** Whether {@code key} has the format and a checksum that matches: what every request is checked against first. */
    public static boolean wellFormed(String key) {
        if (key == null || key.length() != LENGTH || !key.startsWith(PREFIX)) {
            return false;
        }
        for (int i = PREFIX.length(); i < LENGTH; i++) {
            char c = key.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z')) {
                return false;
            }
        }
        // the checksum's digits, compared without making strings
        long crc = crc32(key, LENGTH - CHECKSUM_CHARS);
        for (int i = LENGTH - 1; i >= LENGTH - CHECKSUM_CHARS; i--) {
            if (key.charAt(i) != ALPHABET.charAt((int) (crc % 62))) {
                return false;
            }
            crc /= 62;
        }
        return crc == 0;
    }

    /** The key's HMAC-SHA256 under the pepper, in hex: the only form in which a key is stored. */
    public String digest(String key) {
        if (macs == null) {
            throw new IllegalStateException("no API key pepper: set LANDFALL_API_KEY_PEPPER (at least " + MIN_PEPPER_BYTES + " bytes)");
        }
        // doFinal leaves the Mac ready for the next digest with the same key
        return HexFormat.of().formatHex(macs.get().doFinal(key.getBytes(StandardCharsets.US_ASCII)));
    }

    /** A key's public id (the first 16 hex digits of its digest): how lists, logs and the admin API name it. */
    public static String id(String digest) {
        return digest.substring(0, 16);
    }

    /** CRC32 of the first {@code length} (ASCII) characters of {@code s}. */
    private static long crc32(String s, int length) {
        CRC32 crc = new CRC32();
        for (int i = 0; i < length; i++) {
            crc.update(s.charAt(i));
        }
        return crc.getValue();
    }

    private static String base62(BigInteger value, int width) {
        char[] out = new char[width];
        BigInteger v = value;
        for (int i = width - 1; i >= 0; i--) {
            BigInteger[] qr = v.divideAndRemainder(BASE);
            out[i] = ALPHABET.charAt(qr[1].intValue());
            v = qr[0];
        }
        if (v.signum() != 0) {
            throw new IllegalStateException("value does not fit in " + width + " base62 digits");
        }
        return new String(out);
    }
}
