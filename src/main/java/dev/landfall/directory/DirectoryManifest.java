package dev.landfall.directory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * One generation of a directory: every document key it serves, with the version (content hash) and number of parts
 * of its document and the generation and time that version was first written. Immutable; stored gzipped in chunks
 * beside the generation pointer, and held in memory by the API, which answers lists and unknown keys from it alone.
 */
public final class DirectoryManifest {

    public record Entry(String hash, int parts, long generation, long updatedAtMillis) {
    }

    public static final DirectoryManifest EMPTY = new DirectoryManifest(new TreeMap<>());

    private final NavigableMap<String, Entry> entries;

    public DirectoryManifest(NavigableMap<String, Entry> entries) {
        this.entries = Collections.unmodifiableNavigableMap(entries);
    }

    public Entry get(String key) {
        return entries.get(key);
    }

    public int size() {
        return entries.size();
    }

    public NavigableMap<String, Entry> entries() {
        return entries;
    }

    /** Up to {@code limit} keys starting with {@code prefix}, after {@code after} (exclusive; null = from the start). */
    public List<String> keys(String prefix, String after, int limit) {
        List<String> out = new ArrayList<>(Math.min(limit, 1024));
        String from = after != null && after.compareTo(prefix) >= 0 ? after : prefix;
        boolean inclusive = after == null || after.compareTo(prefix) < 0;
        for (String k : entries.tailMap(from, inclusive).keySet()) {
            if (!k.startsWith(prefix) || out.size() >= limit) {
                break;
            }
            out.add(k);
        }
        return out;
    }

    /** The manifest as gzipped bytes: count, then per entry key, hash, parts, generation, updated-at. */
    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(bytes))) {
            out.writeInt(entries.size());
            for (Map.Entry<String, Entry> e : entries.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(e.getValue().hash());
                out.writeInt(e.getValue().parts());
                out.writeLong(e.getValue().generation());
                out.writeLong(e.getValue().updatedAtMillis());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static DirectoryManifest decode(byte[] gzipped) {
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(new ByteArrayInputStream(gzipped)))) {
            int n = in.readInt();
            TreeMap<String, Entry> entries = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                entries.put(in.readUTF(), new Entry(in.readUTF(), in.readInt(), in.readLong(), in.readLong()));
            }
            return new DirectoryManifest(entries);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DirectoryManifest m && m.entries.equals(entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }
}
