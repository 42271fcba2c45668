package dev.landfall.meters;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The readings' durable spool: one JSON-lines file per device and hour, {@code <dir>/YYYY-MM-DD-HH/<prefix>-<cloudId>-
 * YYYY-MM-DD-HH.jl}. Each line is written whole with one write (flushed to the OS at once) and the files are synced to
 * disk by {@link #sync()} on an interval; a line torn by a crash is cut off at start ({@link #repair()}), so every line
 * in a file is a whole reading. An hour is sealed before it is rotated: a reading still arriving for it (it cannot,
 * with a grace longer than a poll's timeout) goes to the current hour's file rather than into a file being uploaded.
 */
public final class MeterSpool implements AutoCloseable {

    public static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyy-MM-dd-HH").withZone(ZoneOffset.UTC);
    private static final String SUFFIX = ".jl";

    private final Path dir;
    private final String prefix;
    private final Map<Path, Open> open = new ConcurrentHashMap<>();
    private final Set<String> sealed = ConcurrentHashMap.newKeySet();

    private static final class Open {
        final FileChannel channel;
        volatile boolean dirty;
        boolean closed;

        Open(FileChannel channel) {
            this.channel = channel;
        }
    }

    public MeterSpool(Path dir, String prefix) {
        this.dir = dir;
        this.prefix = prefix;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the meters spool " + dir, e);
        }
    }

    public Path dir() {
        return dir;
    }

    public String prefix() {
        return prefix;
    }

    public static String hourOf(Instant t) {
        return HOUR.format(t);
    }

    public String fileName(String cloudId, String hour) {
        return prefix + "-" + cloudId + "-" + hour + SUFFIX;
    }

    /** The cloud id in a spool file's name, or null when the name is not one of ours. */
    public String cloudIdOf(String fileName) {
        int tail = "-yyyy-MM-dd-HH".length() + SUFFIX.length();
        if (!fileName.startsWith(prefix + "-") || !fileName.endsWith(SUFFIX) || fileName.length() <= prefix.length() + 1 + tail) {
            return null;
        }
        return fileName.substring(prefix.length() + 1, fileName.length() - tail);
    }

    /** Appends one reading (a line without its newline) to its device's file of the hour it was polled in. */
    public void append(String cloudId, Instant polledAt, String line) {
        String hour = hourOf(polledAt);
        if (sealed.contains(hour)) {
            hour = hourOf(Instant.now());
        }
        Path file = dir.resolve(hour).resolve(fileName(cloudId, hour));
        ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        while (true) {
            Open o = open.computeIfAbsent(file, this::openFile);
            synchronized (o) {
                if (o.closed) {
                    continue;
                }
                try {
                    while (bytes.hasRemaining()) {
                        o.channel.write(bytes);
                    }
                    o.dirty = true;
                    return;
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot append to " + file, e);
                }
            }
        }
    }

    private Open openFile(Path file) {
        try {
            Files.createDirectories(file.getParent());
            return new Open(FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file, e);
        }
    }

    /** Syncs every file written since the last sync to disk. */
    public void sync() {
        for (Open o : open.values()) {
            if (o.dirty) {
                synchronized (o) {
                    if (!o.closed) {
                        try {
                            o.dirty = false;
                            o.channel.force(false);
                        } catch (IOException e) {
                            throw new UncheckedIOException("cannot sync the meters spool", e);
                        }
                    }
                }
            }
        }
    }

    /** Cuts off torn last lines (a crash during an append): returns the files repaired. */
    public int repair() {
        int repaired = 0;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(SUFFIX) && Files.isRegularFile(p)).toList()) {
                if (repair(f)) {
                    repaired++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the meters spool " + dir, e);
        }
        return repaired;
    }

    static boolean repair(Path f) throws IOException {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            if (size == 0) {
                return false;
            }
            ByteBuffer one = ByteBuffer.allocate(8192);
            long end = size;
            while (end > 0) {
                int n = (int) Math.min(one.capacity(), end);
                one.clear().limit(n);
                ch.read(one, end - n);
                for (int i = n - 1; i >= 0; i--) {
                    if (one.get(i) == '\n') {
                        long keep = end - n + i + 1;
                        if (keep == size) {
                            return false;
                        }
                        ch.truncate(keep);
                        ch.force(true);
                        return true;
                    }
                }
                end -= n;
            }
            ch.truncate(0);
            ch.force(true);
            return true;
        }
    }

    /** The hours in the spool, oldest first. */
    public List<String> hours() {
        try (Stream<Path> hours = Files.list(dir)) {
            return hours.filter(Files::isDirectory).map(p -> p.getFileName().toString()).filter(h -> h.length() == 13).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the meters spool " + dir, e);
        }
    }

    /** Seals an hour: its files are closed (synced) and no later reading goes into them. Returns its files. */
    public List<Path> seal(String hour) {
        sealed.add(hour);
        Path hourDir = dir.resolve(hour);
        for (Map.Entry<Path, Open> e : open.entrySet()) {
            if (e.getKey().getParent().equals(hourDir)) {
                Open o = e.getValue();
                synchronized (o) {
                    try {
                        o.channel.force(false);
                        o.channel.close();
                    } catch (IOException ex) {
                        throw new UncheckedIOException("cannot close " + e.getKey(), ex);
                    }
                    o.closed = true;
                    open.remove(e.getKey(), o);
                }
            }
        }
        try (Stream<Path> files = Files.list(hourDir)) {
            return new ArrayList<>(files.filter(p -> p.toString().endsWith(SUFFIX)).sorted().toList());
        } catch (java.nio.file.NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + hourDir, e);
        }
    }

    /** Removes a rotated hour's directory once it is empty. */
    public void removeIfEmpty(String hour) {
        try {
            Files.deleteIfExists(dir.resolve(hour));
        } catch (java.nio.file.DirectoryNotEmptyException e) {
            // files of the hour are still to be uploaded
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + dir.resolve(hour), e);
        }
    }

    @Override
    public void close() {
        for (Map.Entry<Path, Open> e : open.entrySet()) {
            Open o = e.getValue();
            synchronized (o) {
                try {
                    if (!o.closed) {
                        o.channel.force(false);
                        o.channel.close();
                        o.closed = true;
                    }
                } catch (IOException ex) {
                    // closing at stop: what was written is on disk or repaired at the next start
                }
            }
        }
        open.clear();
    }
}
