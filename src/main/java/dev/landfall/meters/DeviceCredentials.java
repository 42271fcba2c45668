package dev.landfall.meters;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.Arrays;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;

/**
 * Seals and opens gateways' credentials with Tink's AEAD (AES-256-GCM), the device's cloud id as associated data, so
 * a sealed credential copied onto another device does not open. The keyset comes from a secret (a Tink JSON keyset);
 * rotating is adding a new primary key to it: credentials sealed with an older key still open, new ones use the new key.
 */
public final class DeviceCredentials {

    private final Aead aead;
    private final String missing;

    private DeviceCredentials(KeysetHandle keyset) throws GeneralSecurityException {
        this.aead = keyset.getPrimitive(RegistryConfiguration.get(), Aead.class);
        this.missing = null;
    }

    private DeviceCredentials(String missing) {
        this.aead = null;
        this.missing = missing;
    }

    /** Without a keyset: the rest of the app runs; sealing or opening a credential fails with the reason. */
    public static DeviceCredentials missing(String reason) {
        return new DeviceCredentials(reason);
    }

    private void requireKeyset() {
        if (missing != null) {
            throw new IllegalStateException(missing);
        }
    }

    /** From a Tink JSON keyset (the secret). */
    public static DeviceCredentials of(String keysetJson) {
        try {
            AeadConfig.register();
            return new DeviceCredentials(TinkJsonProtoKeysetFormat.parseKeyset(keysetJson, InsecureSecretKeyAccess.get()));
        } catch (GeneralSecurityException | RuntimeException e) {
            // the keyset's text is never in the message
            throw new IllegalStateException("the meters keyset is not a valid Tink JSON AEAD keyset (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** A new AES-256-GCM keyset as Tink JSON. */
    public static String newKeyset() {
        try {
            AeadConfig.register();
            return TinkJsonProtoKeysetFormat.serializeKeyset(KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM),
                    InsecureSecretKeyAccess.get());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The keyset of a loopback run: made once in a file only its owner can read. */
    public static DeviceCredentials ofLocalFile(Path file) {
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(file.toAbsolutePath().getParent());
                Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
                Files.deleteIfExists(tmp);
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(tmp, newKeyset());
                Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            return of(Files.readString(file));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read or make the local meters keyset " + file + ": " + e.getMessage());
        }
    }

    public byte[] seal(String cloudId, String credential) {
        if (credential == null || credential.isEmpty()) {
            throw new IllegalArgumentException("the device's credential is required");
        }
        requireKeyset();
        try {
            return aead.encrypt(credential.getBytes(StandardCharsets.UTF_8), cloudId.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal the credential of " + cloudId);
        }
    }

    /** The credential in clear, for the poller alone. */
    public char[] open(String cloudId, byte[] sealed) {
        requireKeyset();
        try {
            byte[] clear = aead.decrypt(sealed, cloudId.getBytes(StandardCharsets.UTF_8));
            java.nio.CharBuffer chars = StandardCharsets.UTF_8.decode(java.nio.ByteBuffer.wrap(clear));
            char[] out = new char[chars.remaining()];
            chars.get(out);
            Arrays.fill(clear, (byte) 0);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the credential of " + cloudId + " does not open with the meters keyset (rotated away?)");
        }
    }
}
