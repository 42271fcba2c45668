package dev.landfall.pageviews;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
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
        int len = 0;
        boolean ascii = true;
        while (true) {
            if (pos == limit) {
                if (eof || !fill()) {
                    if (len == 0) {
                        return null;
                    }
                    break;
                }
            }
            byte c = buf[pos++];
            if (c == '\n') {
                break;
            }
            if (len == line.length) {
                if (len >= MAX_LINE) {
                    continue; // a runaway line is cut; the parser will reject it
                }
                line = Arrays.copyOf(line, len * 2);
            }
            ascii &= c >= 0;
            line[len++] = c;
        }
        lineNumber++;
        if (len > 0 && line[len - 1] == '\r') {
            len--;
        }
        if (ascii) {
            return new String(line, 0, len, StandardCharsets.ISO_8859_1);
        }
        try {
            return strict.decode(ByteBuffer.wrap(line, 0, len)).toString();
        } catch (CharacterCodingException e) {
            invalidUtf8Lines++;
            return new String(line, 0, len, StandardCharsets.UTF_8);
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
