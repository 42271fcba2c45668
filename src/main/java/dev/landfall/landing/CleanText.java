package dev.landfall.landing;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * An object's bytes as clean text, streamed: gunzipped when it starts with the gzip magic bytes (concatenated members
 * too), then decoded: a UTF-8 or UTF-16 byte-order mark wins (and is dropped), else the source's charset. Bytes that
 * do not decode are replaced with U+FFFD and counted. A gzip stream that ends early or does not inflate throws
 * {@link DamagedInput} with what was read until then already handed out.
 */
public final class CleanText extends Reader {

    /** The input is damaged (a truncated or corrupt gzip): what came before is good, the rest is lost. */
    public static final class DamagedInput extends IOException {
        public DamagedInput(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final InputStream bytes;
    private final boolean gzipped;
    private final Charset charset;
    private final String bom;
    private final CharsetDecoder decoder;
    private final ByteBuffer in = ByteBuffer.allocate(1 << 16);
    private final CharBuffer out = CharBuffer.allocate(1 << 16);
    private boolean eof;
    private long replaced;
    private long bytesRead;

    public CleanText(InputStream raw, Charset hint) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
        buffered.mark(2);
        int b1 = buffered.read();
        int b2 = buffered.read();
        buffered.reset();
        this.gzipped = b1 == 0x1f && b2 == 0x8b;
        InputStream text = gzipped ? new BufferedInputStream(gzip(buffered), 1 << 16) : buffered;
        text.mark(3);
        int c1 = text.read();
        int c2 = text.read();
        int c3 = text.read();
        text.reset();
        if (c1 == 0xEF && c2 == 0xBB && c3 == 0xBF) {
            skip(text, 3);
            charset = StandardCharsets.UTF_8;
            bom = "UTF-8";
        } else if (c1 == 0xFE && c2 == 0xFF) {
            skip(text, 2);
            charset = StandardCharsets.UTF_16BE;
            bom = "UTF-16BE";
        } else if (c1 == 0xFF && c2 == 0xFE) {
            skip(text, 2);
            charset = StandardCharsets.UTF_16LE;
            bom = "UTF-16LE";
        } else {
            charset = hint;
            bom = null;
        }
        this.bytes = text;
        this.decoder = charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        in.flip();
        out.flip();
    }

    private static GZIPInputStream gzip(InputStream in) throws IOException {
        try {
            return new GZIPInputStream(in, 1 << 16);
        } catch (EOFException | ZipException e) {
            throw new DamagedInput("damaged gzip: " + e.getMessage(), e);
        }
    }

    private static void skip(InputStream in, int n) throws IOException {
        for (int i = 0; i < n; i++) {
            in.read();
        }
    }

    public boolean gzipped() {
        return gzipped;
    }

    /** The charset the text was decoded with. */
    public Charset charset() {
        return charset;
    }

    /** The byte-order mark found (UTF-8, UTF-16BE, UTF-16LE), or null. */
    public String bom() {
        return bom;
    }

    /** Byte sequences that did not decode, each replaced by U+FFFD. */
    public long replaced() {
        return replaced;
    }

    /** Decoded bytes read so far (after gunzip). */
    public long bytesRead() {
        return bytesRead;
    }

    @Override
    public int read(char[] cbuf, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (!out.hasRemaining()) {
            if (!fill()) {
                return -1;
            }
        }
        int n = Math.min(len, out.remaining());
        out.get(cbuf, off, n);
        return n;
    }

    /** Decodes more into {@code out}; false at the end. */
    private boolean fill() throws IOException {
        out.clear();
        try {
            while (out.position() == 0) {
                if (!in.hasRemaining() && !eof) {
                    in.compact();
                    int n = readBytes(in.array(), in.position(), in.remaining());
                    if (n < 0) {
                        eof = true;
                    } else {
                        in.position(in.position() + n);
                        bytesRead += n;
                    }
                    in.flip();
                }
                CoderResult r = decoder.decode(in, out, eof);
                if (r.isError()) {
                    if (!out.hasRemaining()) {
                        break;
                    }
                    in.position(in.position() + r.length());
                    replaced++;
                    out.put('\uFFFD');
                } else if (r.isUnderflow()) {
                    if (eof) {
                        decoder.flush(out);
                        if (in.hasRemaining()) {
                            // a partial sequence at the very end
                            in.position(in.limit());
                            replaced++;
                            out.put('\uFFFD');
                        }
                        break;
                    }
                    if (in.hasRemaining()) {
                        // a partial sequence: keep it, read more behind it
                        in.compact();
                        int n = readBytes(in.array(), in.position(), in.remaining());
                        if (n < 0) {
                            eof = true;
                        } else {
                            in.position(in.position() + n);
                            bytesRead += n;
                        }
                        in.flip();
                    }
                }
            }
        } finally {
            out.flip();
        }
        return out.hasRemaining() || !eof;
    }

    private int readBytes(byte[] b, int off, int len) throws IOException {
        try {
            return bytes.read(b, off, len);
        } catch (EOFException | ZipException e) {
            throw new DamagedInput("damaged gzip: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        bytes.close();
    }
}
