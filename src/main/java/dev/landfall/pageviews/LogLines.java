package dev.landfall.pageviews;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Streams the lines of a log object: gunzips it when it starts with the gzip magic bytes, decodes UTF-8
 * with replacement and counts the lines that were not valid UTF-8. Never holds more than one line. A damaged gzip
 * stream (truncated, or not deflate data after the magic bytes) is an IllegalArgumentException: bad input.
 */
public final class LogLines implements AutoCloseable {

    private static final int MAX_LINE = 1 << 20;

    private final InputStream in;
    private final boolean gzipped;
    private final CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private byte[] buf = new byte[1 << 16];
    private int pos;
    private int limit;
    private byte[] line = new byte[4096];
    private long lineNumber;
    private long invalidUtf8Lines;
    private boolean eof;

    public LogLines(InputStream raw) throws IOException {
        BufferedInputStream b = new BufferedInputStream(raw, 1 << 16);
        b.mark(2);
        boolean gz = b.read() == 0x1f && b.read() == 0x8b;
        b.reset();
        this.gzipped = gz;
        this.in = gz ? gunzip(b) : b;
    }

    private static InputStream gunzip(InputStream raw) throws IOException {
        try {
            return new GZIPInputStream(raw, 1 << 16);
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            throw damaged(e);
        }
    }

    // a gzip stream that ends early or does not inflate is bad input, not a failure worth retrying
    private static IllegalArgumentException damaged(IOException e) {
        return new IllegalArgumentException("damaged gzip: " + e.getMessage(), e);
    }

    public boolean gzipped() {
        return gzipped;
    }

    /** 1-based number of the line last returned. */
    public long lineNumber() {
        return lineNumber;
    }

    public long invalidUtf8Lines() {
        return invalidUtf8Lines;
    }

    /** The next line without its terminator, or null at the end. */
    public String next() throws IOException {
        int len = 0; // bytes of a line that began in an earlier buffer, kept in line[]
        while (true) {
            if (pos == limit && (eof || !fill())) {
                return len == 0 ? null : line(line, 0, len);
            }
            int nl = newline(buf, pos, limit);
            if (nl >= 0 && len == 0) {
                // the common case: the whole line is in the buffer, decoded from it with no copy of our own
                String s = line(buf, pos, nl - pos);
                pos = nl + 1;
                return s;
            }
            int end = nl >= 0 ? nl : limit;
            len = append(len, pos, end - pos);
            pos = end;
            if (nl >= 0) {
                pos++;
                return line(line, 0, len);
            }
        }
    }

    /** Keeps a piece of a line that spans buffers; a runaway line is cut at MAX_LINE (the parser rejects it). */
    private int append(int len, int from, int n) {
        int keep = Math.min(n, MAX_LINE - len);
        if (keep <= 0) {
            return len;
        }
        if (len + keep > line.length) {
            line = Arrays.copyOf(line, Math.max(line.length * 2, len + keep));
        }
        System.arraycopy(buf, from, line, len, keep);
        return len + keep;
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    /** The index of the first '\n' in b[from, to), or -1: eight bytes at a time. */
    static int newline(byte[] b, int from, int to) {
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long x = (long) LONGS.get(b, i) ^ NEWLINES;
            long found = (x - ONES) & ~x & HIGHS;
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** One line's bytes (a trailing CR dropped) as text; a line that is not valid UTF-8 is counted, its bad bytes replaced. */
    private String line(byte[] b, int off, int len) {
        lineNumber++;
        if (len > 0 && b[off + len - 1] == '\r') {
            len--;
        }
        // the JDK's UTF-8 decoding has a fast path for ASCII and replaces bad bytes with U+FFFD
        String s = new String(b, off, len, StandardCharsets.UTF_8);
        if (s.indexOf('\uFFFD') >= 0 && !validUtf8(b, off, len)) {
            invalidUtf8Lines++;
        }
        return s;
    }

    /** Rare: only for a line with U+FFFD in it, which is either replaced bytes or a real U+FFFD. */
    private boolean validUtf8(byte[] b, int off, int len) {
        try {
            strict.decode(ByteBuffer.wrap(b, off, len));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private boolean fill() throws IOException {
        int n;
        try {
            n = in.read(buf, 0, buf.length);
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            if (!gzipped) {
                throw e;
            }
            throw damaged(e);
        }
        if (n <= 0) {
            eof = true;
            return false;
        }
        pos = 0;
        limit = n;
        return true;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
