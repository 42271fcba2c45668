package dev.landfall.pageviews;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import static org.assertj.core.api.Assertions.assertThat;

/** The fast paths of the page-view ingest agree with the plain ways they replace. */
class FastPathsPropertyTest {

    /** The word search of a case-insensitive word list finds what Pattern.find finds. */
    @Property(tries = 3000)
    void botWordSearchAgreesWithTheRegex(@ForAll("wordLists") String words, @ForAll("userAgents") String ua) {
        Pattern p = Pattern.compile(words, Pattern.CASE_INSENSITIVE);
        assertThat(PageViewRules.botFilter(p).test(ua)).as("%s in %s", words, ua).isEqualTo(p.matcher(ua).find());
    }

    @Property(tries = 200)
    void theDefaultBotPatternAgreesWithTheRegex(@ForAll("userAgents") String ua) {
        Pattern p = Pattern.compile("bot|crawl|spider|slurp|bingpreview|facebookexternalhit", Pattern.CASE_INSENSITIVE);
        assertThat(PageViewRules.isBot(p, ua)).isEqualTo(p.matcher(ua).find());
    }

    @Property(tries = 300)
    void otherPatternsStillUseTheRegex(@ForAll("userAgents") String ua) {
        for (Pattern p : List.of(Pattern.compile("b.t", Pattern.CASE_INSENSITIVE), Pattern.compile("Bot"),
                Pattern.compile("^curl", Pattern.CASE_INSENSITIVE), Pattern.compile("bot", Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE))) {
            assertThat(PageViewRules.botFilter(p).test(ua)).as("%s in %s", p, ua).isEqualTo(p.matcher(ua).find());
        }
    }

    @Provide
    Arbitrary<String> wordLists() {
        Arbitrary<String> word = Arbitraries.strings().withChars("abotBOTcrawlKk _/-0").ofMinLength(1).ofMaxLength(6);
        return word.list().ofMinSize(1).ofMaxSize(5).map(l -> String.join("|", l));
    }

    @Provide
    Arbitrary<String> userAgents() {
        // ASCII of both cases, and characters whose Unicode case folding differs from ASCII's (Kelvin sign, dotted I)
        return Arbitraries.strings().withChars("abotBOTcrawlCRAWLkK _/-.0()\u212a\u0130\u0131\u00e9").ofMaxLength(40);
    }

    /** Lines read with the word-at-a-time newline search and decoding from the buffer equal a plain split. */
    @Property(tries = 500)
    void linesAreThePlainSplitOfTheBytes(@ForAll("texts") List<String> pieces, @ForAll @IntRange(min = 1, max = 700) int chunk)
            throws IOException {
        String text = String.join("", pieces);
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        List<String> expected = new ArrayList<>();
        for (String l : text.split("\n", -1)) {
            expected.add(l.endsWith("\r") ? l.substring(0, l.length() - 1) : l);
        }
        if (!expected.isEmpty() && text.endsWith("\n")) {
            expected.remove(expected.size() - 1);
        }
        if (text.isEmpty()) {
            expected.clear();
        }
        List<String> read = new ArrayList<>();
        try (LogLines lines = new LogLines(trickle(bytes, chunk))) {
            String l;
            while ((l = lines.next()) != null) {
                read.add(l);
            }
            assertThat(lines.invalidUtf8Lines()).isZero();
            assertThat(lines.lineNumber()).isEqualTo(read.size());
        }
        assertThat(read).isEqualTo(expected);
    }

    @Property(tries = 300)
    void invalidUtf8LinesAreCountedOnce(@ForAll @IntRange(min = 0, max = 20) int good, @ForAll @IntRange(min = 1, max = 5) int bad,
                                        @ForAll @IntRange(min = 1, max = 700) int chunk) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < good; i++) {
            out.writeBytes(("ok line " + i + " \uFFFD real replacement char, caf\u00e9\n").getBytes(StandardCharsets.UTF_8));
        }
        for (int i = 0; i < bad; i++) {
            out.writeBytes("bad ".getBytes(StandardCharsets.UTF_8));
            out.write(0xC3); // a lead byte without its continuation
            out.writeBytes(" line\r\n".getBytes(StandardCharsets.UTF_8));
        }
        try (LogLines lines = new LogLines(trickle(out.toByteArray(), chunk))) {
            int n = 0;
            while (lines.next() != null) {
                n++;
            }
            assertThat(n).isEqualTo(good + bad);
            assertThat(lines.invalidUtf8Lines()).isEqualTo(bad);
        }
    }

    @Provide
    Arbitrary<List<String>> texts() {
        Arbitrary<String> piece = Arbitraries.oneOf(
                Arbitraries.strings().withChars("abc xyz\u00e9\u20ac").ofMaxLength(30),
                Arbitraries.of("\n", "\r\n", "\r", "\n\n", "", "\ud83d\ude00"),
                Arbitraries.strings().withChars("0123456789").ofMinLength(100).ofMaxLength(2000));
        return piece.list().ofMaxSize(30);
    }

    /** A stream that hands out at most {@code chunk} bytes per read, so lines span buffer refills. */
    private static InputStream trickle(byte[] bytes, int chunk) {
        return new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, chunk));
            }
        };
    }
}
