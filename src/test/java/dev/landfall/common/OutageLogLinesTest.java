package dev.landfall.common;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.landfall.testing.MutableClock;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LogEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;

import static org.assertj.core.api.Assertions.assertThat;

/** The lines of the outage log: one per dependency per interval with the failures counted, one when back, nothing secret. */
class OutageLogLinesTest {

    final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    final OutageLog outages = new OutageLog(clock, 60_000);
    final OutageLogTest.Capture capture = new OutageLogTest.Capture();

    @BeforeEach
    void attach() {
        capture.attach();
    }

    @AfterEach
    void detach() {
        capture.detach();
    }

    private List<String> lines(Level level) {
        return capture.events.stream().filter(e -> e.getLoggerName().equals(OutageLog.class.getName()) && e.getLevel() == level)
                .map(e -> e.getMessage().getFormattedMessage()).toList();
    }

    @Test
    void oneLinePerIntervalThenOneWhenBack() {
        outages.ok("s3");
        for (int i = 0; i < 200; i++) {
            outages.failed("s3", "ListObjectsV2", SdkClientException.create("Connection refused"));
            clock.advance(Duration.ofMillis(500));
        }
        outages.failed("dynamodb", "GetItem", SdkClientException.create("Connection refused"));
        assertThat(lines(Level.WARN)).containsExactly(
                "s3 failing: ListObjectsV2: SdkClientException: Connection refused",
                "s3 still failing after 60 s (119 more failures): ListObjectsV2: SdkClientException: Connection refused",
                "dynamodb failing: GetItem: SdkClientException: Connection refused");
        assertThat(outages.isFailing("s3")).isTrue();

        outages.ok("s3");
        outages.ok("s3");
        assertThat(lines(Level.INFO)).containsExactly("s3 back after 100 s (200 failures)");
        assertThat(outages.isFailing("s3")).isFalse();
        assertThat(outages.isFailing("dynamodb")).isTrue();
        assertThat(capture.events).allMatch(e -> e.getThrown() == null);
    }

    @Test
    void credentialsInAMessageAreNotLogged() {
        outages.failed("ftp:facility-logs-poll-plant1", "poll",
                new IllegalStateException("Cannot connect to ftp://facility@host:21/logs?password=s3cret&binary=true"));
        assertThat(lines(Level.WARN)).singleElement().asString().doesNotContain("s3cret").contains("ftp://facility@host:21/logs");
    }

    @Test
    void asExceptionHandlerItKeepsQuietOnlyAboutWhatItReported() {
        SdkClientException down = SdkClientException.create("Connection refused");
        outages.failed("s3", "GetObject", down);
        outages.handleException("Failed polling endpoint", new RuntimeException("wrapped", down));
        assertThat(capture.events).hasSize(1);

        IllegalStateException bug = new IllegalStateException("a bug");
        outages.handleException("Error processing exchange", bug);
        LogEvent shown = capture.events.get(1);
        assertThat(shown.getLevel()).isEqualTo(Level.WARN);
        assertThat(shown.getThrown()).isSameAs(bug);
    }
}
