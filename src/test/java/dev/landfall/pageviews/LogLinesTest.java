package dev.landfall.pageviews;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LogLinesTest {

    private static List<String> read(byte[] bytes, LogLines[] out) throws Exception {
        List<String> lines = new ArrayList<>();
        LogLines r = new LogLines(new ByteArrayInputStream(bytes));
        out[0] = r;
        String l;
        while ((l = r.next()) != null) {
            lines.add(l);
        }
        return lines;
    }

    @Test
    void plainGzipCrLfAndNoFinalNewline() throws Exception {
        LogLines[] r = new LogLines[1];
        assertThat(read("a\r\nb\nc".getBytes(StandardCharsets.UTF_8), r)).containsExactly("a", "b", "c");
        assertThat(r[0].gzipped()).isFalse();
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(z)) {
            g.write("x\ny\n".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(read(z.toByteArray(), r)).containsExactly("x", "y");
        assertThat(r[0].gzipped()).isTrue();
        assertThat(read(new byte[0], r)).isEmpty();
    }

    @Test
    void invalidUtf8IsReplacedAndCounted() throws Exception {
        LogLines[] r = new LogLines[1];
        byte[] bytes = {'o', 'k', '\n', 'b', (byte) 0xff, 'd', '\n', (byte) 0xc3, (byte) 0xa9, '\n'};
        assertThat(read(bytes, r)).containsExactly("ok", "b\ufffdd", "\u00e9");
        assertThat(r[0].invalidUtf8Lines()).isEqualTo(1);
        assertThat(r[0].lineNumber()).isEqualTo(3);
    }
}
