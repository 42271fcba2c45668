package dev.landfall.landing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CleanTextTest {

    static String read(CleanText t) throws IOException {
        StringWriter w = new StringWriter();
        t.transferTo(w);
        return w.toString();
    }

    static CleanText clean(byte[] b, Charset hint) throws IOException {
        return new CleanText(new ByteArrayInputStream(b), hint);
    }

    static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(b);
        }
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void plainUtf8PassesThrough() throws IOException {
        CleanText t = clean("h\u00e9llo\n\u20ac\n".getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        assertThat(read(t)).isEqualTo("h\u00e9llo\n\u20ac\n");
        assertThat(t.gzipped()).isFalse();
        assertThat(t.replaced()).isZero();
    }

    @Test
    void gzipIsFoundByItsMagicBytesAndConcatenatedMembersAreRead() throws IOException {
        byte[] two = concat(gzip("a\n".getBytes(StandardCharsets.UTF_8)), gzip("b\n".getBytes(StandardCharsets.UTF_8)));
        CleanText t = clean(two, StandardCharsets.UTF_8);
        assertThat(read(t)).isEqualTo("a\nb\n");
        assertThat(t.gzipped()).isTrue();
    }

    @Test
    void aByteOrderMarkWinsOverTheHint() throws IOException {
        byte[] utf16le = concat(new byte[] {(byte) 0xFF, (byte) 0xFE}, "x\u00e9".getBytes(StandardCharsets.UTF_16LE));
        CleanText t = clean(utf16le, StandardCharsets.ISO_8859_1);
        assertThat(read(t)).isEqualTo("x\u00e9");
        assertThat(t.bom()).isEqualTo("UTF-16LE");
        byte[] utf16be = concat(new byte[] {(byte) 0xFE, (byte) 0xFF}, "y".getBytes(StandardCharsets.UTF_16BE));
        assertThat(read(clean(utf16be, StandardCharsets.UTF_8))).isEqualTo("y");
        byte[] utf8 = concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, "z\u00e9".getBytes(StandardCharsets.UTF_8));
        CleanText u = clean(gzip(utf8), StandardCharsets.ISO_8859_1);
        assertThat(read(u)).isEqualTo("z\u00e9");
        assertThat(u.bom()).isEqualTo("UTF-8");
    }

    @Test
    void theHintDecodesTextWithoutAMark() throws IOException {
        assertThat(read(clean("caf\u00e9".getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.ISO_8859_1))).isEqualTo("caf\u00e9");
    }

    @Test
    void invalidBytesAreReplacedAndCounted() throws IOException {
        byte[] b = concat("ok ".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xC3}, " x ".getBytes(StandardCharsets.UTF_8),
                new byte[] {(byte) 0xFF, (byte) 0xFE - 1}, "\n".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xE2, (byte) 0x82});
        CleanText t = clean(b, StandardCharsets.UTF_8);
        String s = read(t);
        assertThat(s).startsWith("ok \uFFFD x ").endsWith("\n\uFFFD");
        assertThat(t.replaced()).isEqualTo(4);
    }

    @Test
    void aTruncatedGzipHandsOutWhatCameBeforeThenFails() throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 20000; i++) {
            text.append("line ").append(i).append('\n');
        }
        byte[] gz = gzip(text.toString().getBytes(StandardCharsets.UTF_8));
        CleanText t = clean(java.util.Arrays.copyOf(gz, gz.length / 2), StandardCharsets.UTF_8);
        StringWriter got = new StringWriter();
        char[] buf = new char[1024];
        assertThatThrownBy(() -> {
            for (int n; (n = t.read(buf)) >= 0; ) {
                got.write(buf, 0, n);
            }
        }).isInstanceOf(CleanText.DamagedInput.class).hasMessageContaining("damaged gzip");
        assertThat(text.toString()).startsWith(got.toString());
        assertThat(got.toString().length()).isGreaterThan(1000);
    }

    @Test
    void aCorruptGzipHeaderIsDamagedInput() {
        byte[] bad = {0x1f, (byte) 0x8b, 0x01, 0x00};
        assertThatThrownBy(() -> read(clean(bad, StandardCharsets.UTF_8))).isInstanceOf(CleanText.DamagedInput.class);
    }

    @Property(tries = 200)
    void anyTextSurvivesEncodeGzipAndDecode(@ForAll String s) throws IOException {
        // a lone surrogate has no UTF-8 form: the encoder writes '?' for it
        String expected = new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        CleanText t = clean(gzip(s.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
        assertThat(read(t)).isEqualTo(expected);
        assertThat(t.replaced()).isZero();
    }

    @Property(tries = 200)
    void anyBytesDecodeLikeTheJdkReplacingDecoder(@ForAll byte[] b) throws IOException {
        CleanText t = clean(b, StandardCharsets.UTF_8);
        String got = read(t);
        // starting with the gzip magic or a BOM would be read as such
        if (b.length >= 2 && ((b[0] == 0x1f && b[1] == (byte) 0x8b) || (b[0] == (byte) 0xFE && b[1] == (byte) 0xFF)
                || (b[0] == (byte) 0xFF && b[1] == (byte) 0xFE) || (b.length >= 3 && b[0] == (byte) 0xEF && b[1] == (byte) 0xBB && b[2] == (byte) 0xBF))) {
            return;
        }
        assertThat(got).isEqualTo(new String(b, StandardCharsets.UTF_8));
        long marks = got.chars().filter(c -> c == 0xFFFD).count();
        assertThat(t.replaced()).isLessThanOrEqualTo(marks);
        boolean valid;
        try {
            StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(b));
            valid = true;
        } catch (java.nio.charset.CharacterCodingException e) {
            valid = false;
        }
        assertThat(t.replaced() == 0).isEqualTo(valid);
    }
}
